"""Every figure of the reach report is exactly what a brute-force count over all the rows says (on
SQLite and PostgreSQL: ``TEST_DATABASE_URL``). The brute force reads the tables themselves, not the
report's helpers, and applies the rules of docs/reach-report.md: confirmed registrations count,
attendance is a check-in at the door that was not undone."""

from __future__ import annotations

import statistics
from collections import defaultdict

import pytest
import sqlalchemy as sa

from congress.checkin.models import CheckIn
from congress.core.models import Congress, Track
from congress.evaluations.models import EvaluationResponse
from congress.extensions import db
from congress.municipalities.models import Municipality
from congress.programme.models import ProgrammeSession
from congress.questions.models import Question
from congress.registration.models import Enrolment, Registration, Sector
from congress.reports import reach
from congress.sanitize import fold
from tests.reports.factories import reach_edition

THRESHOLD = 3


@pytest.fixture
def edition(app, monkeypatch):
    monkeypatch.setitem(app.config, "EVALUATION_MIN_RESPONSES", THRESHOLD)
    congress, sessions, people = reach_edition()
    return congress, sessions, people


def _key(name: str) -> str:
    return " ".join(fold(name).split())


def brute_force(congress: Congress) -> dict:
    registrations = db.session.scalars(sa.select(Registration)).all()
    checkins = db.session.scalars(sa.select(CheckIn)).all()
    mine = [r for r in registrations if r.congress_id == congress.id and r.status == "confirmed"]
    ids = {r.id for r in mine}
    door = {c.registration_id for c in checkins if c.list_key == "venue" and c.undone_at is None} & ids
    out: dict = {"registered": len(mine), "attended": len(door)}

    sectors = {s.id: s for s in db.session.scalars(sa.select(Sector)).all() if s.congress_id == congress.id}
    by_sector = defaultdict(set)
    for r in mine:
        by_sector[sectors[r.sector_id].name_nl].add(r.id)
    out["sector"] = {name: (len(v), len(v & door)) for name, v in by_sector.items()}

    by_org = defaultdict(set)
    for r in mine:
        by_org[_key(r.organisation)].add(r.id)
    out["organisation"] = {k: (len(v), len(v & door)) for k, v in by_org.items()}
    earlier = {c.id for c in db.session.scalars(sa.select(Congress)).all() if c.starts_on < congress.starts_on}
    before = {_key(r.organisation) for r in registrations
              if r.congress_id in earlier and r.status == "confirmed" and r.organisation.strip()}
    named = [k for k in by_org if k]
    out["returning"] = (len([k for k in named if k in before]),
                        len([k for k in named if k in before and by_org[k] & door]))
    out["first_time"] = (len([k for k in named if k not in before]),
                         len([k for k in named if k not in before and by_org[k] & door]))

    listed = {m.id: m for m in db.session.scalars(sa.select(Municipality)).all()}
    by_mun = defaultdict(set)
    for r in mine:
        by_mun[r.municipality_id].add(r.id)
    out["municipality"] = {listed[m].code if m else None: (len(v), len(v & door)) for m, v in by_mun.items()}
    out["listed"] = len(listed)
    out["reached"] = len([m for m in by_mun if m is not None])
    out["reached_attended"] = len([m for m, v in by_mun.items() if m is not None and v & door])

    sessions = [s for s in db.session.scalars(sa.select(ProgrammeSession)).all() if s.congress_id == congress.id]
    enrolments = db.session.scalars(sa.select(Enrolment)).all()
    seats = defaultdict(set)
    for e in enrolments:
        if e.status == "enrolled" and e.registration_id in ids:
            seats[e.session_id].add(e.registration_id)
    present = defaultdict(set)
    for c in checkins:
        if c.session_id is not None and c.undone_at is None and c.registration_id in ids:
            present[c.session_id].add(c.registration_id)
    out["workshop"] = {s.title: (len(seats[s.id]), len(present[s.id])) for s in sessions
                       if seats[s.id] or present[s.id]}
    tracks = [t for t in db.session.scalars(sa.select(Track)).all() if t.congress_id == congress.id]
    out["track"] = {}
    for t in tracks:
        of_track = [s.id for s in sessions if s.track_id == t.id]
        out["track"][t.name_nl] = (len(set().union(*(seats[s] for s in of_track))),
                                   len(set().union(*(present[s] for s in of_track))))

    responses = [e for e in db.session.scalars(sa.select(EvaluationResponse)).all() if e.congress_id == congress.id]
    scale = [q for q in db.session.scalars(sa.select(Question)).all()
             if q.congress_id == congress.id and q.target == "evaluation" and q.scale is not None]
    per_session = defaultdict(list)
    for e in responses:
        per_session[e.session_id].append(e.answers)
    out["evaluation"] = {}
    groups = [(t.name_nl, [s.id for s in sessions if s.track_id == t.id]) for t in tracks] + [
        ("Het hele congres", [None])]
    for name, session_ids in groups:
        answers = sum(len(per_session[s]) for s in session_ids)
        shown = [s for s in session_ids if len(per_session[s]) >= THRESHOLD]
        checked = len(door) if session_ids == [None] else sum(len(present[s]) for s in session_ids)
        scores = {}
        for q in scale:
            values = [a[str(q.id)] for s in shown for a in per_session[s] if isinstance(a.get(str(q.id)), int)]
            if values:
                scores[q.label_nl] = (len(values), round(statistics.fmean(values), 6))
        out["evaluation"][name] = (answers, checked, bool(shown), scores)
    return out


def from_report(result: reach.Reach) -> dict:
    out: dict = {"registered": result.registered, "attended": result.attended}
    out["sector"] = {line.label: (line.registered, line.attended) for line in result.by_sector if line.registered}
    nobody = ("Geen organisatie opgegeven", "No organisation given")
    out["organisation"] = {("" if line.label in nobody else _key(line.label)): (line.registered, line.attended)
                           for line in result.by_organisation}
    out["returning"] = (result.organisations_returning.registered, result.organisations_returning.attended)
    out["first_time"] = (result.organisations_first_time.registered, result.organisations_first_time.attended)
    out["municipality"] = {line.code or None: (line.registered, line.attended) for line in result.by_municipality}
    out["listed"] = result.municipalities_listed
    out["reached"] = result.municipalities_reached
    out["reached_attended"] = result.municipalities_attended
    out["workshop"] = {line.label: (line.registered, line.attended) for line in result.per_workshop}
    out["track"] = {line.label: (line.registered, line.attended) for line in result.per_track}
    out["evaluation"] = {item.label: (item.answers, item.checked_in, item.shown,
                                      {s.question: (s.answered, round(s.mean, 6)) for s in item.scores})
                         for item in result.evaluations}
    return out


def test_every_figure_is_the_databases_count(app, edition):
    congress, _sessions, _people = edition
    result = reach.report(congress, "nl")
    expected = brute_force(congress)
    assert from_report(result) == expected
    # The edition was built so that every rule matters (a wrong rule would still agree on an empty set):
    assert expected["registered"] == 14 and expected["attended"] == 9  # 2 cancelled and 1 pending left out
    assert expected["returning"][0] == 2 and expected["first_time"][0] == 6  # folded names; cancelled not returning
    assert expected["organisation"]["gemeente utrecht"] == (3, 2)
    assert expected["organisation"]["cafe ozturk"][0] == 2 and "" in expected["organisation"]
    assert expected["reached"] == 3 and expected["listed"] == 5  # Groningen: only cancelled and pending
    assert "GM0014" not in expected["municipality"]
    assert len(expected["workshop"]) == 4 and expected["evaluation"]["Spoor 1"][2] is True
    assert expected["evaluation"]["Spoor 2"][2] is False and expected["evaluation"]["Spoor 2"][3] == {}
    assert result.municipality_share == pytest.approx(3 / 5)
    # Sums agree with the totals: every registration is in exactly one sector and municipality line.
    assert sum(line.registered for line in result.by_sector) == result.registered
    assert sum(line.registered for line in result.by_municipality) == result.registered
    assert sum(line.registered for line in result.by_organisation) == result.registered


def test_nothing_below_the_threshold_is_scored(app, edition, monkeypatch):
    congress, _sessions, _people = edition
    monkeypatch.setitem(app.config, "EVALUATION_MIN_RESPONSES", 5)
    result = reach.report(congress, "nl")
    assert all(not item.scores and not item.shown for item in result.evaluations)
    assert sum(item.answers for item in result.evaluations) == db.session.scalar(
        sa.select(sa.func.count()).select_from(EvaluationResponse).where(EvaluationResponse.congress_id == congress.id))


def test_an_empty_edition_reports_zeros(app):
    from tests.factories import make_congress  # noqa: PLC0415

    congress = make_congress("leeg-congres")
    result = reach.report(congress, "en")
    assert (result.registered, result.attended, result.organisations) == (0, 0, 0)
    assert result.by_municipality == [] and result.per_workshop == [] and result.municipality_share is None
    assert [line.registered for line in result.per_track] == [0, 0]
