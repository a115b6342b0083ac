"""The call's custom questions: an adapter over the questions component (target ``proposal``). The settings
page edits them as text (the component's text form, with the call's kind names); the speakers' answers are
checked by the component's one validation."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from congress.cfp.errors import CfpError
from congress.core.models import Congress
from congress.questions import queries as question_queries
from congress.questions import services as question_services
from congress.questions.models import Question
from congress.questions.queries import TEXT_KINDS, QuestionKind, Target

TARGET = Target.PROPOSAL.value
# The call's longest answer to a text question (its form's fields say so too).
ANSWER_MAX = 2000


def questions(congress: Congress) -> list[Question]:
    return question_queries.questions(congress, TARGET)


def add_question(congress: Congress, label_nl: str, label_en: str = "", *, kind: str = "text",
                 options: list[str] | None = None, required: bool = False) -> Question:
    """``kind``: the call's names (``text``, ``textarea``, ``choice``, ``checkbox``) or the component's."""
    kind = question_queries.TEXT_NAMES.get(kind, kind)
    try:
        return question_services.add_question(
            congress, TARGET, kind=kind, label_nl=label_nl, label_en=label_en, required=required,
            options=[{"value": o, "nl": o, "en": ""} for o in options or []],
            max_length=ANSWER_MAX if kind in TEXT_KINDS else None)
    except question_services.QuestionError as exc:
        raise CfpError(exc.message, field=exc.field) from None


def sync_questions(congress: Congress, text: str) -> None:
    try:
        question_services.sync_text(congress, TARGET, text, text_max_length=ANSWER_MAX)
    except question_services.QuestionError as exc:
        raise CfpError(exc.message, field=exc.field) from None


def questions_text(congress: Congress) -> str:
    return question_services.as_text(congress, TARGET)


def check_answers(congress: Congress, answers: dict[str, Any] | None, *, complete: bool) -> list[str]:
    """Problems (translated, each naming its question) with the answers to this edition's questions;
    ``complete``: when submitting (required questions must be answered then)."""
    _cleaned, problems = question_queries.validate(questions(congress), answers, complete=complete)
    return [p.summary for p in problems]


def answers_from_form(congress: Congress, form: MultiDict[str, str]) -> dict[str, Any]:
    """The answers as the proposal form posts them (``q_<id>``)."""
    answers: dict[str, Any] = {}
    for question in questions(congress):
        key = question_queries.field_name(question)
        if question.kind == QuestionKind.CHECKBOX.value:
            answers[str(question.id)] = key in form
        elif question.kind == QuestionKind.MULTIPLE_CHOICE.value:
            answers[str(question.id)] = [v for v in form.getlist(key) if v]
        else:
            answers[str(question.id)] = form.get(key, "").strip()
    return answers
