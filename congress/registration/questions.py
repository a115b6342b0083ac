"""The registration form's custom questions: the organiser's list, and the answers checked."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from congress.audit.services import record
from congress.core.models import Congress
from congress.database import transactional
from congress.extensions import db
from congress.registration.errors import RegistrationError
from congress.registration.models import Question, QuestionKind
from congress.registration.request_cache import per_request


@functools.cache
def _questions_query() -> sa.Select:
    return sa.select(Question).where(Question.congress_id == sa.bindparam("congress_id")).order_by(
        Question.position, Question.id)


def questions(congress: Congress) -> list[Question]:
    congress_id = congress.id
    return per_request(f"questions-{congress_id}", lambda: list(
        db.session.scalars(_questions_query(), {"congress_id": congress_id})))



def clean_answers(congress: Congress, answers: dict[str, Any] | None,
                  add: Callable[[str, Any], None]) -> dict[str, Any]:
    """The answers to this edition's questions, normalised; problems go to ``add(field, message)``."""
    cleaned: dict[str, Any] = {}
    raw = answers or {}
    for question in questions(congress):
        key = str(question.id)
        value = raw.get(key)
        values = {v for v, _label in question.choices("nl")}
        if question.kind in (QuestionKind.SHORT_TEXT.value, QuestionKind.LONG_TEXT.value):
            value = (value or "").strip() if isinstance(value, str) else ("" if value is None else None)
            limit = 300 if question.kind == QuestionKind.SHORT_TEXT.value else 4000
            if value is None:
                add(f"q_{key}", _l("Not a valid value."))
                continue
            if len(value) > limit:
                add(f"q_{key}", _l("Use at most %(n)d characters.", n=limit))
            if question.required and not value:
                add(f"q_{key}", _l("This field is required."))
        elif question.kind == QuestionKind.SINGLE_CHOICE.value:
            value = value or ""
            if not isinstance(value, str):
                add(f"q_{key}", _l("Choose one of the options."))
                continue
            if value and value not in values:
                add(f"q_{key}", _l("Choose one of the options."))
            if question.required and not value:
                add(f"q_{key}", _l("This field is required."))
        elif question.kind == QuestionKind.MULTIPLE_CHOICE.value:
            value = value or []
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or any(not isinstance(v, str) or v not in values for v in value):
                add(f"q_{key}", _l("Choose one of the options."))
                continue
            if question.required and not value:
                add(f"q_{key}", _l("This field is required."))
        else:
            value = bool(value)
            if question.required and not value:
                add(f"q_{key}", _l("This field is required."))
        cleaned[key] = value
    return cleaned


@transactional
def add_question(congress: Congress, *, kind: str, label_nl: str, label_en: str = "", required: bool = False,
                 options: list[tuple[str, str]] | None = None) -> Question:
    kind = QuestionKind(kind).value
    choice_kinds = (QuestionKind.SINGLE_CHOICE.value, QuestionKind.MULTIPLE_CHOICE.value)
    if kind in choice_kinds and not options:
        raise RegistrationError(_l("Give at least one option."), field="options")
    question = Question(
        congress_id=congress.id, kind=kind, label_nl=label_nl.strip(), label_en=label_en.strip(), required=required,
        options=[{"value": str(i + 1), "nl": nl, "en": en} for i, (nl, en) in enumerate(options or [])]
        if kind in choice_kinds else [],
        position=len(questions(congress)),
    )
    db.session.add(question)
    db.session.flush()
    record("registration.question_add", question, congress_id=congress.id, label=question.label_nl)
    return question


@transactional
def delete_question(question: Question) -> None:
    record("registration.question_delete", question, congress_id=question.congress_id, label=question.label_nl)
    db.session.delete(question)


