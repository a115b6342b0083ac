"""Cloning an edition, the questions component's part: the edition's custom questions on every form
(registration, call for proposals, evaluations), with their options, help texts, scale ends and order.

Answers stay with the forms that asked them (registrations, proposals, evaluations) and are not copied.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from congress.core.cloning import copy_columns
from congress.core.models import Congress
from congress.extensions import db
from congress.questions.kinds import Target
from congress.questions.models import Question
from congress.questions.queries import forget


def copy_questions(source: Congress, target: Congress) -> dict[str, int]:
    questions = db.session.scalars(sa.select(Question).where(Question.congress_id == source.id)
                                   .order_by(Question.target, Question.position, Question.id)).all()
    for original in questions:
        db.session.add(Question(congress_id=target.id, **copy_columns(original)))
    db.session.flush()
    for form in Target:
        forget(target.id, form.value)
    return {f"questions_{form.value}": sum(q.target == form.value for q in questions) for form in Target}


def on_congress_cloned(source: Congress, *, target: Congress, **_: Any) -> dict[str, int]:
    return copy_questions(source, target)
