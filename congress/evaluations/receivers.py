"""Where the evaluations listen to the capabilities below them; ``create_app`` calls ``connect()``.

* ``core.signals.congress_created``: every new edition gets the default evaluation form, in the
  transaction that creates it; ``congress_cloned``: a clone keeps its source's form instead.
* ``programme.signals.feedback_url_wanted``: the conference apps' ``feedback_url`` of a session is its
  public feedback page here (``/<slug>/feedback/<session_id>``).
* ``questions.signals.answers_wanted`` for the target ``evaluation``: how the stored evaluation answers
  use a question, before the editor changes or removes it.
* ``communications.signals.recipient_values_wanted``: a mailing's ``{{ evaluations_url }}``, the
  evaluations behind the personal link, for those who were checked in, while the evaluations are open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from congress.communications.signals import recipient_values_wanted
from congress.core.models import Congress
from congress.core.signals import congress_cloned, congress_created
from congress.database import utcnow
from congress.evaluations.models import EvaluationResponse
from congress.evaluations.rules import closes_at, present_among
from congress.evaluations.services import TARGET, add_default_form, drop_default_form
from congress.extensions import db
from congress.programme.models import ProgrammeSession
from congress.programme.signals import feedback_url_wanted
from congress.questions.queries import Question, Usage, count
from congress.questions.signals import answers_wanted
from congress.registration.models import Registration, RegistrationStatus
from congress.registration.services import manage_secret
from congress.urls import external_url


def default_form(congress: Congress, **data: Any) -> None:
    add_default_form(congress, **data)


def cloned(source: Congress, *, target: Congress, **_data: Any) -> dict[str, int]:
    drop_default_form(source, target)
    return {}


def answer_usage(_target: str, *, question: Question) -> Usage:
    return count(question, db.session.scalars(sa.select(EvaluationResponse.answers).where(
        EvaluationResponse.congress_id == question.congress_id)))


def feedback_url(congress: Congress, **_data: Any) -> Callable[[ProgrammeSession], str]:
    return lambda session: external_url("evaluations.feedback", slug=congress.slug, session_id=session.id)
def evaluation_links(congress: Congress, *, registration_ids: list[int], **_: Any) -> dict[int, dict[str, str]]:
    if utcnow() >= closes_at(congress):
        return {}
    present = present_among(congress, registration_ids)
    people = db.session.scalars(sa.select(Registration).where(
        Registration.id.in_(present or [0]), Registration.congress_id == congress.id,
        Registration.status != RegistrationStatus.CANCELLED.value, Registration.erased_at.is_(None)))
    return {r.id: {"evaluations_url": external_url("evaluations.index", secret=manage_secret(r))} for r in people}


def connect() -> None:
    """Connecting again (a second app in one process) changes nothing: blinker keeps one per receiver."""
    congress_created.connect(default_form)
    congress_cloned.connect(cloned)
    answers_wanted.connect(answer_usage, sender=TARGET)
    feedback_url_wanted.connect(feedback_url)
    recipient_values_wanted.connect(evaluation_links)
