"""The registration form's custom questions: an adapter over the questions component (target
``registration``), keeping the names and errors the registration's callers use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from congress.core.models import Congress
from congress.extensions import db
from congress.questions import queries as question_queries
from congress.questions import services as question_services
from congress.questions.models import Question
from congress.questions.queries import Usage, count
from congress.registration.errors import RegistrationError
from congress.registration.models import Registration

TARGET = question_queries.Target.REGISTRATION.value


def questions(congress: Congress) -> list[Question]:
    return question_queries.questions(congress, TARGET)


def clean_answers(congress: Congress, answers: dict[str, Any] | None,
                  add: Callable[[str, Any], None]) -> dict[str, Any]:
    """The answers to this edition's questions, normalised; problems go to ``add(field, message)``."""
    cleaned, problems = question_queries.validate(questions(congress), answers)
    for problem in problems:
        add(problem.field, problem.message)
    return cleaned


def add_question(congress: Congress, *, kind: str, label_nl: str, label_en: str = "", required: bool = False,
                 options: list[tuple[str, str]] | None = None) -> Question:
    """``options``: (Dutch, English) labels; answers store their number (``1``, ``2``, …)."""
    try:
        return question_services.add_question(
            congress, TARGET, kind=kind, label_nl=label_nl, label_en=label_en, required=required,
            options=question_services.options_from_pairs(options or []))
    except question_services.QuestionError as exc:
        raise RegistrationError(exc.message, field=exc.field) from None


def delete_question(question: Question) -> None:
    question_services.delete_question(question)


def question_or_404(congress: Congress, question_id: int) -> Question:
    return question_queries.question_or_404(congress, question_id, TARGET)


def answer_usage(target: str, *, question: Question, **_: Any) -> Usage:
    """How the edition's registrations (cancelled ones too: their answers are kept) answered ``question``."""
    return count(question, db.session.scalars(
        sa.select(Registration.answers).where(Registration.congress_id == question.congress_id)))
