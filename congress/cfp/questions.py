"""The call's custom questions: the organiser's list (as text), and the speakers' answers checked."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from congress.cfp.errors import CfpError
from congress.cfp.models import CfpQuestion, QuestionKind
from congress.core.models import Congress
from congress.database import transactional
from congress.extensions import db


def questions(congress: Congress) -> list[CfpQuestion]:
    return list(
        db.session.scalars(
            sa.select(CfpQuestion).where(CfpQuestion.congress_id == congress.id).order_by(CfpQuestion.position)
        )
    )


@transactional
def add_question(congress: Congress, label_nl: str, label_en: str = "", *, kind: str = "text",
                 options: list[str] | None = None, required: bool = False) -> CfpQuestion:
    QuestionKind(kind)
    position = db.session.scalar(
        sa.select(sa.func.count(CfpQuestion.id)).where(CfpQuestion.congress_id == congress.id)
    ) or 0
    question = CfpQuestion(congress_id=congress.id, kind=kind, label_nl=label_nl, label_en=label_en,
                           options=options or [], required=required, position=position)
    db.session.add(question)
    return question


@transactional
def sync_questions(congress: Congress, text: str) -> None:
    existing = {q.label_nl: q for q in questions(congress)}
    seen = set()
    for position, line in enumerate(x for x in text.splitlines() if x.strip()):
        cells = _cells(line) + ["", "", "", "", ""]
        kind, label_nl, label_en, required, options = cells[:5]
        if kind not in {k.value for k in QuestionKind} or not label_nl:
            raise CfpError(_("Line “%(line)s”: give a known kind and a question.", line=line.strip()))
        question = existing.get(label_nl)
        if question is None:
            question = CfpQuestion(congress_id=congress.id, label_nl=label_nl)
            db.session.add(question)
        question.kind, question.label_en, question.position = kind, label_en, position
        question.required = required.lower() in ("yes", "ja", "y", "j", "1", "true")
        question.options = [o.strip() for o in options.split(";") if o.strip()]
        seen.add(label_nl)
    for label, question in existing.items():
        if label not in seen:
            db.session.delete(question)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("|")]


def questions_text(congress: Congress) -> str:
    return "\n".join(
        f"{q.kind} | {q.label_nl} | {q.label_en} | {'yes' if q.required else 'no'} | {'; '.join(q.options)}"
        for q in questions(congress)
    )


def check_answers(congress: Congress, answers: dict[str, Any] | None, *, complete: bool) -> list[str]:
    """Problems (translated) with the answers to this edition's questions; ``complete``: when submitting."""
    problems: list[str] = []
    for question in questions(congress):
        answer = (answers or {}).get(str(question.id))
        if complete and question.required and answer in (None, "", False):
            problems.append(_("Answer the question “%(q)s”.", q=question.label_nl))
        if isinstance(answer, str) and len(answer) > 2000:
            problems.append(_("%(field)s is too long: at most %(n)d characters.", field=question.label_nl, n=2000))
        if question.kind == QuestionKind.CHOICE.value and answer and answer not in question.options:
            problems.append(_("Choose one of the options for “%(q)s”.", q=question.label_nl))
    return problems


def answers_from_form(congress: Congress, form: MultiDict[str, str]) -> dict[str, Any]:
    """The answers as the proposal form posts them (``q_<id>``)."""
    answers: dict[str, Any] = {}
    for question in questions(congress):
        key = f"q_{question.id}"
        if question.kind == "checkbox":
            answers[str(question.id)] = key in form
        else:
            answers[str(question.id)] = form.get(key, "").strip()
    return answers
