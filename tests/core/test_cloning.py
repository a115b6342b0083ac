"""Cloning an edition (congress.core.cloning and every capability's receiver of ``congress_cloned``): the
set-up is copied with its dates moved on the wall clock, nothing personal is copied, the source is left as
it was, refusals leave nothing behind; and ``flask congress edition clone``. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from congress.audit.models import AuditEvent
from congress.badges.models import EditionKey
from congress.cfp import services as cfp
from congress.core import cloning
from congress.core.models import Congress, CongressStatus, Person
from congress.core.services import congress_by_slug
from congress.core.signals import congress_cloned
from congress.demo import load_demo
from congress.errors import InvalidInput
from congress.extensions import db
from congress.programme import queries as programme
from congress.questions import queries as questions
from congress.registration import queries as registration
from congress.registration.models import Enrolment, Registration
from tests.core.cloning_factories import AMSTERDAM, DAY, at, count, past_edition, rows_of

NEW_DAY = date(2026, 11, 12)  # a Thursday in winter time
PERSONAL = ("registrations", "cfp_proposals", "cfp_assignments", "checkins", "checkin_scans", "checkin_stations",
            "badge_codes", "badge_print_runs", "mail_outbox", "programme_versions", "knowledge_items")


@pytest.fixture
def source(app):
    return past_edition()


def local(moment):
    return moment.astimezone(AMSTERDAM)


def test_the_set_up_is_copied_with_every_date_moved_on_the_wall_clock(source):
    result = cloning.clone_edition(source, "congres-2026", NEW_DAY, title_nl="Congres 2026")
    db.session.commit()
    new = congress_by_slug("congres-2026")
    assert new.id == result.congress.id and new.status == CongressStatus.DRAFT.value
    assert (new.starts_on, new.ends_on) == (NEW_DAY, NEW_DAY)
    assert new.title_nl == "Congres 2026" and new.title_en == source.title_en  # an empty title keeps the source's
    for name in ("tagline_nl", "description_en", "venue_name", "venue_address", "timezone", "capacity"):
        assert getattr(new, name) == getattr(source, name), name
    shift = NEW_DAY - DAY
    assert local(new.registration_opens_at).replace(tzinfo=None) == \
        local(source.registration_opens_at).replace(tzinfo=None) + shift
    assert local(new.registration_closes_at).time() == local(source.registration_closes_at).time()
    # Tracks and rooms, with the room's availability at the same hours on the new day (winter time).
    assert [(t.name_nl, t.name_en, t.colour, t.description_nl, t.position) for t in new.tracks] == \
        [(t.name_nl, t.name_en, t.colour, t.description_nl, t.position) for t in source.tracks]
    assert [(r.name, r.capacity, r.accessibility_notes) for r in new.rooms] == \
        [(r.name, r.capacity, r.accessibility_notes) for r in source.rooms]
    room = new.rooms[0]
    assert (local(room.available_from).date(), local(room.available_from).hour, local(room.available_until).hour) == \
        (NEW_DAY, 8, 18)
    assert room.available_from.utcoffset() == timedelta(0)
    assert local(room.available_from).utcoffset() == timedelta(hours=1)
    # Rounds and sessions: shifted, their track, room and round the copies', no speakers, cancelled ones left out.
    assert [(r.name_nl, r.name_en, r.position) for r in programme.signup_rounds(new)] == \
        [(r.name_nl, r.name_en, r.position) for r in programme.signup_rounds(source)]
    old_sessions = [s for s in programme.all_sessions(source) if not s.is_cancelled]
    new_sessions = programme.all_sessions(new)
    assert len(new_sessions) == len(old_sessions) == 5 and result.copied["sessions"] == 5
    by_title = {s.title: s for s in new_sessions}
    for old in old_sessions:
        copy = by_title[old.title]
        assert (local(copy.starts_at).date(), local(copy.starts_at).time(), local(copy.ends_at).time()) == \
            (NEW_DAY, local(old.starts_at).time(), local(old.ends_at).time())
        assert (copy.capacity, copy.signup_required, copy.format, copy.abstract, copy.duration_minutes) == \
            (old.capacity, old.signup_required, old.format, old.abstract, old.duration_minutes)
        assert copy.track_id == (new.tracks[old.track.position].id if old.track else None)
        assert copy.room.name == old.room.name and copy.room.congress_id == new.id
        assert (copy.signup_round.name_nl if copy.signup_round else None) == \
            (old.signup_round.name_nl if old.signup_round else None)
        assert copy.signup_round is None or copy.signup_round.congress_id == new.id
        assert copy.speakers == [] and copy.sequence == 0 and not copy.is_cancelled
    assert "Vervallen lezing" not in by_title
    assert programme.latest_version(new) is None and programme.public_sessions(new) == []  # a draft programme
    # Registration form: sectors; questions of every form with their options.
    assert [(s.name_nl, s.name_en) for s in registration.sectors(new)] == \
        [(s.name_nl, s.name_en) for s in registration.sectors(source)]
    for target in questions.Target:
        old_q, new_q = questions.questions(source, target.value), questions.questions(new, target.value)
        assert [(q.kind, q.label_nl, q.options, q.required, q.max_length, q.scale_high_nl, q.position) for q in new_q] \
            == [(q.kind, q.label_nl, q.options, q.required, q.max_length, q.scale_high_nl, q.position) for q in old_q]
        assert {q.id for q in new_q}.isdisjoint(q.id for q in old_q)
    # The evaluation form: the five default questions every edition starts with, and one of its own.
    assert result.copied["questions_registration"] == 2 and result.copied["questions_evaluation"] == 6
    # The call: settings with the window moved, open tracks (the copies), formats and criteria.
    old_call, new_call = cfp.settings_for(source), cfp.settings_for(new)
    for name in ("max_proposals_per_speaker", "call_text_nl", "call_text_en", "anonymised", "abstract_max"):
        assert getattr(new_call, name) == getattr(old_call, name), name
    assert local(new_call.opens_at).replace(tzinfo=None) == local(old_call.opens_at).replace(tzinfo=None) + shift
    assert local(new_call.closes_at).time() == local(old_call.closes_at).time()
    assert [t.name_nl for t in cfp.open_tracks(new)] == [t.name_nl for t in cfp.open_tracks(source)]
    assert {t.congress_id for t in cfp.open_tracks(new)} == {new.id}
    assert [(f.kind, f.name_nl, f.durations) for f in cfp.formats(new)] == [("workshop", "Workshop", [60, 90]),
                                                                           ("lezing", "Lezing", [30])]
    assert [(c.name_nl, c.weight) for c in cfp.criteria(new)] == [("Relevantie", 3), ("Kwaliteit", 2)]
    expected = {"tracks": 4, "rooms": 5, "signup_rounds": 2, "sessions": 5, "sectors": 7, "questions_registration": 2,
                "questions_proposal": 1, "questions_evaluation": 6, "cfp_settings": 1, "cfp_tracks": 3,
                "cfp_formats": 2, "cfp_criteria": 2}
    # (other capabilities — legal pages, mail texts — may add kinds of their own)
    assert {kind: result.copied.get(kind) for kind in expected} == expected
    # congress_created fired (badges: the new edition's own key pair) and the clone is audited.
    assert db.session.scalar(sa.select(sa.func.count()).where(EditionKey.congress_id == new.id)) == 1
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "congress.clone"))
    assert event.congress_id == new.id and event.data["source"] == "congres-2024"
    assert event.data["copied"]["sessions"] == 5 and event.data["shift_days"] == shift.days


def test_no_person_registration_proposal_review_or_check_in_is_copied(source):
    people = db.session.scalar(sa.select(sa.func.count(Person.id)))
    assert all(count(name, source.id) for name in ("registrations", "cfp_proposals", "cfp_assignments", "checkins",
                                                   "checkin_stations", "badge_codes"))
    new = cloning.clone_congress(source, "congres-2026", NEW_DAY)
    db.session.commit()
    assert {name: count(name, new.id) for name in PERSONAL if name in db.metadata.tables} == \
        dict.fromkeys((n for n in PERSONAL if n in db.metadata.tables), 0)
    sessions = [s.id for s in programme.all_sessions(new)]
    speakers = db.metadata.tables["session_speakers"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(speakers)
                             .where(speakers.c.session_id.in_(sessions))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Enrolment.id)).join(Registration)
                             .where(Registration.congress_id == new.id)) == 0
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == people


def test_the_source_is_left_exactly_as_it_was(source):
    before = rows_of(source.id)
    cloning.clone_congress(source, "congres-2026", NEW_DAY)
    db.session.commit()
    db.session.expire_all()
    assert rows_of(source.id) == before


@pytest.mark.parametrize(("slug", "code"), [
    ("congres-2024", "slug_taken"), ("manage", "slug_reserved"), ("api", "slug_reserved"),
    ("Congres 2026", "slug_format"), ("-2026", "slug_format"), ("a" * 65, "slug_format"), ("x\x00y", "slug_format"),
    ("", "slug_format"),
])
def test_a_taken_reserved_or_malformed_slug_is_refused_and_nothing_is_made(source, slug, code):
    editions = db.session.scalar(sa.select(sa.func.count(Congress.id)))
    with pytest.raises(InvalidInput if code != "slug_taken" else cloning.SlugTaken) as refused:
        cloning.clone_congress(source, slug, NEW_DAY)
    assert (refused.value.field, refused.value.code) == ("slug", code)
    assert refused.value.status == (409 if code == "slug_taken" else 422)
    assert db.session.scalar(sa.select(sa.func.count(Congress.id))) == editions


@pytest.mark.parametrize("starts_on", [date(1999, 12, 31), date(3000, 1, 1), date(9999, 12, 31)])
def test_a_start_date_out_of_reach_is_refused(source, starts_on):
    with pytest.raises(cloning.CloneError) as refused:
        cloning.clone_congress(source, "congres-2026", starts_on)
    assert refused.value.field == "starts_on"
    assert congress_by_slug("congres-2026") is None


def test_a_title_too_long_is_refused(source):
    with pytest.raises(cloning.CloneError) as refused:
        cloning.clone_congress(source, "congres-2026", NEW_DAY, title_en="x" * 201)
    assert refused.value.field == "title_en"


def test_a_refusal_by_any_receiver_rolls_back_the_whole_clone(source):
    """One transaction: a capability that refuses leaves no edition, tracks, sessions or questions behind."""
    tables = {name: db.session.scalar(sa.select(sa.func.count()).select_from(db.metadata.tables[name]))
              for name in ("congresses", "tracks", "rooms", "programme_sessions", "questions", "cfp_formats",
                           "registration_sectors", "audit_events", "edition_keys")}

    def refuse(_source, **_):
        raise InvalidInput("nee", field="slug")

    with congress_cloned.connected_to(refuse), pytest.raises(InvalidInput):
        cloning.clone_congress(source, "congres-2026", NEW_DAY)
    assert {name: db.session.scalar(sa.select(sa.func.count()).select_from(db.metadata.tables[name]))
            for name in tables} == tables


def test_next_title_moves_the_year_along():
    assert cloning.next_title("Congres 2024", timedelta(days=364)) == "Congres 2025"
    assert cloning.next_title("congres-2024", timedelta(days=2 * 365)) == "congres-2026"
    assert cloning.next_title("Congres 2024", timedelta(days=30)) == "Congres 2024"
    assert cloning.next_title("Zonder jaartal", timedelta(days=365)) == "Zonder jaartal"


def test_shift_moment_keeps_the_wall_clock_across_summer_time():
    assert cloning.shift_moment(None, timedelta(days=1), "Europe/Amsterdam") is None
    from_may = cloning.shift_moment(at(DAY, "10:30"), NEW_DAY - DAY, "Europe/Amsterdam")
    assert local(from_may).date() == NEW_DAY and local(from_may).strftime("%H:%M") == "10:30"
    assert from_may.strftime("%H:%M") == "09:30"  # UTC: one hour less in winter


def test_two_clones_into_one_slug_at_once_make_one_edition(app, source):
    """Real concurrent clones (threads, each its own connection): one wins, the other is told the slug is
    taken — by the check on SQLite (writers take turns), by the unique index on PostgreSQL."""
    source_id = source.id
    db.session.commit()
    barrier, outcomes = threading.Barrier(2), []

    def clone() -> None:
        with app.app_context():
            mine = db.session.get(Congress, source_id)
            db.session.commit()
            barrier.wait(timeout=30)
            try:
                cloning.clone_congress(mine, "congres-2026", NEW_DAY)
                outcomes.append("made")
            except cloning.SlugTaken:
                outcomes.append("taken")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=clone) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    db.session.rollback()
    assert sorted(outcomes) == ["made", "taken"]
    new = congress_by_slug("congres-2026")
    assert count("tracks", new.id) == 4
    assert db.session.scalar(sa.select(sa.func.count(Congress.id))) == 2


# --- the command line ---------------------------------------------------------------------------------


def test_the_command_clones_and_prints_what_it_copied(source, runner):
    result = runner.invoke(args=["congress", "edition", "clone", "congres-2024", "congres-2026", "--start",
                                 NEW_DAY.isoformat(), "--title-en", "Congress on a Resilient Society 2026"])
    assert result.exit_code == 0, result.output
    assert "Cloned congres-2024 into congres-2026 (draft), 2026-11-12 to 2026-11-12" in result.output
    for line in ("tracks: 4", "rooms: 5", "signup_rounds: 2", "sessions: 5", "sectors: 7", "questions_registration: 2",
                 "cfp_settings: 1", "cfp_formats: 2", "cfp_criteria: 2"):
        assert f"  {line}\n" in result.output
    db.session.expire_all()
    new = congress_by_slug("congres-2026")
    assert new.title_en == "Congress on a Resilient Society 2026" and new.status == "draft"
    assert count("registrations", new.id) == 0


@pytest.mark.parametrize(("args", "message"), [
    (["congres-2024", "congres-2024", "--start", "2026-11-12"], "slug: Een andere editie heeft de slug"),
    (["congres-2024", "manage", "--start", "2026-11-12"], "slug: "),
    (["nergens", "congres-2026", "--start", "2026-11-12"], "no edition with slug 'nergens'"),
    (["congres-2024", "congres-2026", "--start", "1999-01-01"], "starts_on: "),
])
def test_the_command_refuses_with_a_message_not_a_traceback(source, runner, args, message):
    result = runner.invoke(args=["congress", "edition", "clone", *args])
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Traceback" not in result.output
    assert congress_by_slug("congres-2026") is None


def test_the_command_wants_a_date(source, runner):
    result = runner.invoke(args=["congress", "edition", "clone", "congres-2024", "congres-2026", "--start", "12-11"])
    assert result.exit_code == 2 and "Invalid value for '--start'" in result.output
    assert congress_by_slug("congres-2026") is None


def test_cloning_the_demos_past_edition_with_the_command(app, runner):
    """The demo as `make run` loads it: its past (earliest) edition cloned into a new one, every kind of set-up
    it has counted in the copy, nothing personal copied."""
    load_demo()
    db.session.commit()
    past = db.session.scalars(sa.select(Congress).order_by(Congress.starts_on)).first()
    before = rows_of(past.id)
    start = past.starts_on + timedelta(weeks=3 * 52)
    result = runner.invoke(args=["congress", "edition", "clone", past.slug, "demo-kloon", "--start", start.isoformat()])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    new = congress_by_slug("demo-kloon")
    assert len(new.tracks) == len(past.tracks) > 0 and len(new.rooms) == len(past.rooms) > 0
    assert len(programme.signup_rounds(new)) == len(programme.signup_rounds(past)) > 0
    assert len(programme.all_sessions(new)) == sum(not s.is_cancelled for s in programme.all_sessions(past)) > 0
    assert {local(s.starts_at).date() for s in programme.all_sessions(new)} == {start}
    assert len(registration.sectors(new)) == len(registration.sectors(past))
    for target in questions.Target:
        assert len(questions.questions(new, target.value)) == len(questions.questions(past, target.value))
    assert (cfp.settings_for(new) is None) == (cfp.settings_for(past) is None)
    assert len(cfp.formats(new)) == len(cfp.formats(past)) and len(cfp.criteria(new)) == len(cfp.criteria(past))
    assert {name: count(name, new.id) for name in PERSONAL} == dict.fromkeys(PERSONAL, 0)
    assert rows_of(past.id) == before
