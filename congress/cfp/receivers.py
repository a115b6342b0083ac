"""Where the call for proposals listens to the capabilities below it: the one ``connect()`` that
``create_app`` calls.

* ``core.signals.congress_cloned`` → copy the call's settings, open tracks, formats and review criteria
  into the new edition (:mod:`congress.cfp.cloning`).
* ``questions.signals.answers_wanted`` for the target ``proposal`` → how the proposals' answers use a
  question (the questions editor asks before a change that could lose them).
* ``audit.signals.objects_described`` for proposals, reviewer assignments and call settings.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from congress.audit.signals import objects_described
from congress.cfp.audit_names import DESCRIBERS
from congress.cfp.cloning import on_congress_cloned
from congress.cfp.models import Proposal
from congress.cfp.questions import TARGET
from congress.core.signals import congress_cloned
from congress.extensions import db
from congress.questions.models import Question
from congress.questions.queries import Usage, count
from congress.questions.signals import answers_wanted


def connect() -> None:
    """Connecting again (a second app in one process) changes nothing: blinker keeps one per receiver."""
    congress_cloned.connect(on_congress_cloned)
    answers_wanted.connect(answer_usage, sender=TARGET)
    for kind, describer in DESCRIBERS.items():
        objects_described.connect(describer, sender=kind)


def answer_usage(target: str, *, question: Question, **_: Any) -> Usage:
    """How the edition's proposals (drafts and withdrawn ones too) answered ``question``."""
    return count(question, db.session.scalars(
        sa.select(Proposal.answers).where(Proposal.congress_id == question.congress_id)))
