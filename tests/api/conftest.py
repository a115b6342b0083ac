"""An edition with everything the API shows: sessions with seats, questions, badges, a published
programme, knowledge items; and a token of each kind."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from flask.globals import _cv_app

from congress.accounts.services import create_api_token
from congress.checkin import services as checkin
from congress.extensions import db
from congress.questions.models import Question
from tests.archive.factories import make_item
from tests.checkin.factories import checkin_edition
from tests.programme.factories import publish


@dataclass
class World:
    slug: str
    codes: list[str]
    session_ids: list[int]
    question_ids: list[int]
    item_key: str
    tokens: dict[str, dict[str, str]]  # scope → headers ("none": no token)


@pytest.fixture
def world(app) -> World:
    congress, sessions, _, codes = checkin_edition("api-wereld")
    questions = []
    for i, kind in enumerate(("short_text", "single_choice", "multiple_choice", "checkbox")):
        question = Question(congress_id=congress.id, target="registration", kind=kind, label_nl=f"Vraag {i}",
                            position=i,
                            options=[{"value": "a", "nl": "A", "en": "A"}, {"value": "b", "nl": "B", "en": "B"}])
        db.session.add(question)
        questions.append(question)
    db.session.commit()
    publish(congress)
    item = make_item("Weerbaarheid in de wijk", summary="Een verslag over veerkracht.")
    _, station_secret = checkin.create_station(congress, "Ingang", session_id=sessions[0].id)
    tokens = {"none": {}, "station": {"Authorization": f"Bearer {station_secret}"}}
    for scope in ("registrations", "checkin"):
        tokens[scope] = {"Authorization": f"Bearer {create_api_token(f'api-{scope}', scope).secret}"}
    db.session.commit()
    return World(congress.slug, codes, [s.id for s in sessions], [q.id for q in questions], item.key, tokens)


@contextmanager
def own_contexts() -> Iterator[None]:
    """Requests made by other clients than the test client (schemathesis's) each get their own
    application context, as in production, while the test's context is set aside."""
    db.session.commit()
    token = _cv_app.set(None)
    try:
        yield
    finally:
        _cv_app.reset(token)
        db.session.expire_all()
