"""Commands of the questions component: the organisers' list of questions per edition and form (also as
text, :mod:`congress.questions.text_form`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from congress.audit.services import record
from congress.core.models import Congress
from congress.database import transactional
from congress.extensions import db
from congress.questions.editing import (
    AUDIT_PREFIX,
    QuestionInUse,
    add_option,
    check_kind_change,
    check_options_kept,
    check_unanswered,
    edit_option,
    hide_option,
    move_option,
    move_question,
    remove_option,
)
from congress.questions.kinds import CHOICE_KINDS, SCALES
from congress.questions.models import Question
from congress.questions.queries import forget, questions
from congress.questions.rules import QuestionError, check_fields, options_from_pairs
from congress.questions.text_form import as_text, sync_text

__all__ = [
    "EDITABLE", "QuestionError", "QuestionInUse", "add_option", "add_question", "as_text", "check_fields",
    "delete_question", "edit_option", "hide_option", "move_option", "move_question", "options_from_pairs",
    "remove_option", "reorder", "sync_text", "update_question",
]

_AUDIT_PREFIX = AUDIT_PREFIX
EDITABLE = ("label_nl", "label_en", "help_nl", "help_en", "required", "options", "scale_low_nl", "scale_low_en",
            "scale_high_nl", "scale_high_en", "max_length", "kind")


@transactional
def add_question(congress: Congress, target: str, *, kind: str, label_nl: str, label_en: str = "",
                 required: bool = False, options: Sequence[dict[str, str]] = (), **extra: Any) -> Question:
    """A new question at the end of the form. ``extra``: help and scale-end texts, ``max_length``."""
    options = list(options) if kind in CHOICE_KINDS else []
    check_fields(target, kind, label_nl, options)
    unknown = set(extra) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown question fields: {sorted(unknown)}")
    position = db.session.scalar(sa.select(sa.func.count(Question.id)).where(
        Question.congress_id == congress.id, Question.target == target)) or 0
    question = Question(congress_id=congress.id, target=target, kind=kind, label_nl=label_nl.strip(),
                        label_en=label_en.strip(), required=required, options=options, position=position,
                        **extra)
    db.session.add(question)
    db.session.flush()
    forget(congress.id, target)
    record(f"{_AUDIT_PREFIX[target]}.question_add", question, congress_id=congress.id, label=question.label_nl)
    return question


@transactional
def update_question(question: Question, **changes: Any) -> Question:
    """Change a question's texts, options, kind or flags (the names in ``EDITABLE``). Refused (409) when
    it would lose answers: a new kind once answered, an option dropped that answers chose."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown question fields: {sorted(unknown)}")
    kind = changes.get("kind", question.kind)
    options = list(changes.get("options", question.options or [])) if kind in CHOICE_KINDS else []
    check_fields(question.target, kind, changes.get("label_nl", question.label_nl), options)
    check_kind_change(question, kind)
    check_options_kept(question, options)
    for name, value in changes.items():
        setattr(question, name, value.strip() if isinstance(value, str) and name != "kind" else value)
    question.options = options
    if kind not in SCALES:
        question.scale_low_nl = question.scale_low_en = question.scale_high_nl = question.scale_high_en = ""
    forget(question.congress_id, question.target)
    record(f"{_AUDIT_PREFIX[question.target]}.question_update", question, congress_id=question.congress_id,
           label=question.label_nl)
    return question


@transactional
def delete_question(question: Question) -> None:
    """Remove a question nobody answered yet (one with answers is refused, 409: make it optional)."""
    check_unanswered(question)
    record(f"{_AUDIT_PREFIX[question.target]}.question_delete", question, congress_id=question.congress_id,
           label=question.label_nl)
    forget(question.congress_id, question.target)
    db.session.delete(question)


@transactional
def reorder(congress: Congress, target: str, question_ids: Sequence[int]) -> list[Question]:
    """Put the form's questions in this order (ids not named keep their order, after the named ones)."""
    current = questions(congress, target)
    rank = {qid: i for i, qid in enumerate(question_ids)}
    ordered = sorted(current, key=lambda q: (rank.get(q.id, len(rank)), q.position, q.id))
    for position, question in enumerate(ordered):
        question.position = position
    forget(congress.id, target)
    return ordered
