"""The demo gives every edition's registration form, and the call, questions with options to edit."""

from __future__ import annotations

import sqlalchemy as sa

from congress.core.models import Congress
from congress.demo import load_demo
from congress.extensions import db
from congress.questions import queries


def test_demo_questions_on_both_editions_and_the_call_loaded_once(app):
    load_demo()
    load_demo()
    editions = list(db.session.scalars(sa.select(Congress)))
    assert len(editions) >= 2
    for congress in editions:
        asked = queries.questions(congress, "registration")
        labels = [q.label_nl for q in asked]
        assert len(labels) == len(set(labels)) >= 5
        assert sum(1 for q in asked if q.options) >= 3
        heard = next(q for q in asked if q.label_nl.startswith("Hoe heeft u"))
        assert len(heard.choices("nl")) == len(heard.options) - 1  # one option hidden
    with_call = [c for c in editions if queries.questions(c, "proposal")]
    assert with_call and all(len(queries.questions(c, "proposal")) >= 3 for c in with_call)
