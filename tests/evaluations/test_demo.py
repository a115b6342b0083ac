"""The demo's evaluations: the past edition has several sessions with at least 5 answers, Dutch free
texts on the results page, and every answer's mark is that of a person checked in there."""

from __future__ import annotations

import html
from collections import Counter

import sqlalchemy as sa

from congress.core import queries as core
from congress.demo import load_demo
from congress.evaluations import services
from congress.evaluations.demo_late import TEXTS
from congress.evaluations.models import EvaluationResponse
from congress.extensions import db
from congress.registration.models import Registration
from tests.factories import make_user


def test_the_past_edition_has_evaluations_and_the_demo_loads_once(app):
    load_demo()
    past = core.congress_by_slug("congres-2024")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationResponse))
    load_demo()  # idempotent
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationResponse)) == before
    rows = db.session.scalars(sa.select(EvaluationResponse).where(EvaluationResponse.congress_id == past.id)).all()
    per_session = Counter(r.session_id for r in rows if r.session_id is not None)
    assert sum(n >= 5 for n in per_session.values()) >= 3
    assert any(r.session_id is None for r in rows)
    # Every answer is one the rule allows: its mark is that of someone who may evaluate that session.
    people = db.session.scalars(sa.select(Registration).where(Registration.congress_id == past.id)).all()
    allowed = {services.mark(p.id, e.session_id) for p in people for e in services.evaluables(p)}
    assert {r.mark for r in rows} <= allowed
    client = app.test_client(user=make_user("organiser", email="eval@example.org"))
    page = client.get("/manage/congres-2024/evaluations").get_data(as_text=True)
    assert any(text in page for text in TEXTS)
    assert "Gemiddelde" in page


def test_the_demo_turns_the_past_editions_evaluations_into_evidence(app):
    from congress.archive import queries as archive_queries  # noqa: PLC0415
    from congress.archive.models import ItemStatus, KnowledgeItem, SessionEvaluation  # noqa: PLC0415

    load_demo()
    past = core.congress_by_slug("congres-2024")
    rows = db.session.scalars(sa.select(SessionEvaluation).where(SessionEvaluation.congress_id == past.id)).all()
    per_session = Counter(r.session_id for r in db.session.scalars(
        sa.select(EvaluationResponse).where(EvaluationResponse.congress_id == past.id)) if r.session_id is not None)
    # Exactly the sessions from the threshold on, each once; the second load makes none.
    assert sorted(r.session_id for r in rows) == sorted(s for s, n in per_session.items() if n >= 5)
    load_demo()
    assert db.session.scalar(sa.select(sa.func.count(SessionEvaluation.id))) == len(rows)
    statuses = Counter(r.item.status for r in rows)
    assert statuses[ItemStatus.PUBLISHED.value] >= 1 and statuses[ItemStatus.DRAFT.value] >= 1
    published = next(r for r in rows if r.item.status == ItemStatus.PUBLISHED.value)
    interventions = db.session.scalars(sa.select(KnowledgeItem).where(KnowledgeItem.type == "interventie")).all()
    listing = next(i for i in interventions
                   if any(e.item.id == published.item_id for e in archive_queries.evaluations_of_intervention(i)))
    page = app.test_client().get(f"/kennisbank/item/{listing.key}").get_data(as_text=True)
    assert "Beoordeeld door deelnemers aan het congres" in page and html.escape(published.session_title) in page
    assert not any(text in published.item.body for text in TEXTS)
