"""Reads of the questions component that the forms asking questions use."""

from __future__ import annotations

import functools

import sqlalchemy as sa
from flask import abort, g, has_request_context

from congress.core.models import Congress
from congress.core.queries import of_edition_or_404
from congress.extensions import db
from congress.questions.forms import MaxLength, MultiCheckboxField, Required, add_fields, answers_from, field_for, fill
from congress.questions.kinds import CHOICE_KINDS, KIND_LABELS, SCALES, TEXT_KINDS, TEXT_NAMES, QuestionKind, Target
from congress.questions.models import Question
from congress.questions.rendering import display, scale_ends
from congress.questions.usage import Usage, count, usage
from congress.questions.validation import Problem, errors_by_field, field_name, validate

# The face for reads: the lists, the kinds, the one validation, the rendering and the form fields.
__all__ = [
    "CHOICE_KINDS", "KIND_LABELS", "SCALES", "TEXT_KINDS", "TEXT_NAMES", "MaxLength", "MultiCheckboxField", "Problem",
    "Question", "QuestionKind", "Required", "Target", "Usage", "add_fields", "answers_from", "count", "display",
    "errors_by_field", "field_for", "field_name", "fill", "forget", "question_or_404", "questions", "scale_ends",
    "usage", "validate",
]

_CACHE_KEY = "questions_cache"


@functools.cache
def _questions_query() -> sa.Select:
    # Built once: the registration form reads the questions on every request of a rush.
    return (sa.select(Question)
            .where(Question.congress_id == sa.bindparam("congress_id"), Question.target == sa.bindparam("target"))
            .order_by(Question.position, Question.id))


def questions(congress: Congress, target: str) -> list[Question]:
    """The edition's questions on one form, in order; read once per request (the form, the validation and
    the API all ask)."""
    congress_id = congress.id

    def load() -> list[Question]:
        return list(db.session.scalars(_questions_query(), {"congress_id": congress_id, "target": target}))

    if not has_request_context():
        return load()
    cache = g.setdefault(_CACHE_KEY, {})
    key = (congress_id, target)
    if key not in cache:
        cache[key] = load()
    return cache[key]


def forget(congress_id: int, target: str) -> None:
    """Drop this request's copy of a list that was just changed."""
    if has_request_context():
        g.get(_CACHE_KEY, {}).pop((congress_id, target), None)


def question_or_404(congress: Congress, question_id: int, target: str) -> Question:
    """A question of this edition's ``target`` form; 404 for another edition's or another form's (and for
    an id no database column holds)."""
    if not 0 < question_id < 2**63:
        abort(404)
    question = of_edition_or_404(Question, question_id, congress)
    if question.target != target:
        abort(404)
    return question
