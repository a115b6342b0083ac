"""Commands of the evaluations: the default form of a new edition, the settings, and an answer.

An answer is stored under its mark (:func:`congress.evaluations.rules.mark`) only: the registration is
read to check that the person was there and to compute the mark, never stored."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from congress.core.models import Congress
from congress.database import transactional, utcnow
from congress.errors import ServiceError
from congress.evaluations.evidence import EvidenceOutcome, NotClosed, evaluation_closed, to_archive
from congress.evaluations.models import EvaluationResponse, EvaluationSettings
from congress.evaluations.rules import (
    CONGRESS,
    Evaluable,
    close_days,
    closes_at,
    evaluables,
    mark,
    opens_at,
)
from congress.extensions import db
from congress.jobs import claim_period, release_period
from congress.programme import queries as programme
from congress.programme.models import ProgrammeSession
from congress.questions import queries as question_queries
from congress.questions import services as question_services
from congress.questions.queries import Problem, QuestionKind, Target
from congress.registration.models import Registration

__all__ = [
    "CONGRESS", "DEFAULT_QUESTIONS", "BadSetting", "Evaluable", "EvaluationError", "EvidenceOutcome", "NotClosed",
    "NotOpen", "NotThere", "TARGET", "editions_to_archive", "evaluation_closed", "run_to_archive_once", "to_archive",
    "add_default_form", "answer_of", "close_days", "closes_at", "drop_default_form", "evaluable", "evaluables",
    "mark", "opens_at", "set_close_days", "submit",
]

TARGET = Target.EVALUATION.value

# The form every new edition starts with; organisers change it in the questions editor.
DEFAULT_QUESTIONS: list[dict[str, Any]] = [
    {"kind": QuestionKind.SCALE_5.value, "label_nl": "Hoe waardeert u dit onderdeel als geheel?",
     "label_en": "How do you rate this part as a whole?", "required": True,
     "scale_low_nl": "slecht", "scale_low_en": "poor", "scale_high_nl": "uitstekend", "scale_high_en": "excellent"},
    {"kind": QuestionKind.SCALE_5.value, "label_nl": "Hoe bruikbaar is wat u hoorde voor uw eigen werk?",
     "label_en": "How useful is what you heard for your own work?",
     "scale_low_nl": "niet bruikbaar", "scale_low_en": "not useful", "scale_high_nl": "zeer bruikbaar",
     "scale_high_en": "very useful"},
    {"kind": QuestionKind.SCALE_10.value,
     "label_nl": "Hoe waarschijnlijk is het dat u dit een collega aanraadt?",
     "label_en": "How likely are you to recommend this to a colleague?",
     "scale_low_nl": "zeer onwaarschijnlijk", "scale_low_en": "very unlikely",
     "scale_high_nl": "zeer waarschijnlijk", "scale_high_en": "very likely"},
    {"kind": QuestionKind.SINGLE_CHOICE.value, "label_nl": "Hoe was het niveau?", "label_en": "How was the level?",
     "options": [{"value": "te_laag", "nl": "Te eenvoudig", "en": "Too basic"},
                 {"value": "goed", "nl": "Precies goed", "en": "Just right"},
                 {"value": "te_hoog", "nl": "Te moeilijk", "en": "Too advanced"}]},
    {"kind": QuestionKind.LONG_TEXT.value, "label_nl": "Wat neemt u mee, en wat kan beter?",
     "label_en": "What do you take away, and what could be better?"},
]


class EvaluationError(ServiceError):
    status = 409


class NotThere(EvaluationError):
    """Not checked in at the session (or at the congress): not theirs to evaluate."""

    status = 404


class BadSetting(EvaluationError):
    status = 422


class NotOpen(EvaluationError):
    """Before the session's end, or after the evaluation closed."""


@transactional
def add_default_form(congress: Congress, **_data: Any) -> None:
    """Give an edition without evaluation questions the default form (on ``congress_created``)."""
    if question_queries.questions(congress, TARGET):
        return
    added = [question_services.add_question(congress, TARGET, **question).id for question in DEFAULT_QUESTIONS]
    # A clone copies its source's form: :func:`drop_default_form` removes these again (whichever of the
    # two receivers of ``congress_cloned`` runs first).
    db.session.info.setdefault(_DEFAULTS_KEY, {})[congress.id] = added


_DEFAULTS_KEY = "evaluations_default_questions"


@transactional
def drop_default_form(source: Congress, target: Congress) -> None:
    """A cloned edition keeps its source's evaluation form, not the default one it was created with."""
    added = db.session.info.get(_DEFAULTS_KEY, {}).pop(target.id, [])
    if not added or not question_queries.questions(source, TARGET):
        return
    for question in question_queries.questions(target, TARGET):
        if question.id in added:
            question_services.delete_question(question)


@transactional
def set_close_days(congress: Congress, days: int) -> EvaluationSettings:
    """How many days after the congress's last day the evaluations close (0–365)."""
    if not 0 <= days <= 365:
        raise BadSetting(_l("Choose a number of days from 0 to 365."), field="close_days", code="range")
    settings = db.session.get(EvaluationSettings, congress.id)
    if settings is None:
        settings = EvaluationSettings(congress_id=congress.id, close_days=days)
        db.session.add(settings)
    settings.close_days = days
    return settings


def evaluable(registration: Registration, session_id: int | None) -> Evaluable:
    """The one thing this person may evaluate with this id (``None``: the whole congress); NotThere if
    they were not there."""
    for item in evaluables(registration):
        if item.session_id == session_id:
            return item
    raise NotThere(_l("You can only evaluate sessions you were checked in at."), code="not_there")


def session_feedback(congress: Congress, session_id: int) -> Evaluable:
    """A published session of the edition as its public feedback page shows it — when its evaluation
    opens and closes, nobody's answer — or NotThere (unknown, unpublished, another edition's, cancelled)."""
    published = next((s for s in programme.public_sessions(congress) if s.id == session_id), None)
    session = db.session.get(ProgrammeSession, session_id) if published and not published.is_cancelled else None
    if session is not None:  # its times as the evaluation keeps them (the live session's, as evaluables)
        return Evaluable(session, opens_at(congress, session), closes_at(congress), answered=False)
    raise NotThere(_l("This edition has no such session."), code="not_there")


def answer_of(registration: Registration, session_id: int | None) -> dict[str, Any] | None:
    """This person's stored answers about the session (or the congress), found through the mark."""
    return db.session.scalar(sa.select(EvaluationResponse.answers).where(
        EvaluationResponse.mark == mark(registration.id, session_id)))


@transactional
def submit(registration: Registration, session_id: int | None, answers: dict[str, Any], *,
           now: datetime | None = None) -> list[Problem]:
    """Store (or change) this person's answers about a session or the congress; the problems, none
    stored, when an answer breaks its question's rule. NotThere / NotOpen when it is not theirs to give
    now. One answer per mark: a second submit, even a concurrent one, changes the first."""
    item = evaluable(registration, session_id)
    state = item.state(now)
    if state == "not_yet":
        raise NotOpen(_l("The evaluation opens when the session has ended."), code="not_yet")
    if state == "closed":
        raise NotOpen(_l("The evaluation has closed."), code="closed")
    congress = registration.congress
    cleaned, problems = question_queries.validate(question_queries.questions(congress, TARGET), answers)
    if problems:
        return problems
    key = mark(registration.id, session_id)
    if not _update(key, cleaned):
        try:
            with db.session.begin_nested():
                db.session.add(EvaluationResponse(congress_id=congress.id, session_id=session_id, mark=key,
                                                  answers=cleaned))
        except IntegrityError:  # the same person's other request stored it first: this one changes it
            _update(key, cleaned)
    return []


def _update(key: str, answers: dict[str, Any]) -> bool:
    result = db.session.execute(sa.update(EvaluationResponse).where(EvaluationResponse.mark == key)
                                .values(answers=answers))
    return bool(result.rowcount)



# --------------------------------------------------------------- evaluation into evidence

# How long after its evaluation closed the periodic job still takes an edition up (older ones: the CLI).
EVIDENCE_WINDOW_DAYS = 60


def editions_to_archive(now: datetime | None = None) -> list[Congress]:
    """The editions whose evaluation has closed in the last ``EVIDENCE_WINDOW_DAYS`` days."""
    now = now or utcnow()
    candidates = db.session.scalars(sa.select(Congress).where(
        Congress.ends_on >= (now - timedelta(days=EVIDENCE_WINDOW_DAYS + 366)).date(),
        Congress.ends_on < now.date()).order_by(Congress.ends_on, Congress.id))
    return [c for c in candidates if now - timedelta(days=EVIDENCE_WINDOW_DAYS) < closes_at(c) <= now]


def evidence_job(congress: Congress) -> str:
    """The name under which an edition's evaluations become evidence once (a ``job_periods`` row)."""
    return f"evaluations.to_archive:{congress.id}"


def run_to_archive_once(congress: Congress, *, now: datetime | None = None) -> EvidenceOutcome | None:
    """The periodic job's step for one edition: the consumer whose insert of the edition's row into
    ``job_periods`` succeeds runs :func:`to_archive`; every other run, now or later, gets None. A run
    that fails gives the row back, so that the next day's job tries again."""
    job, period = evidence_job(congress), "once"
    if not claim_period(job, period):
        return None
    try:
        return to_archive(congress, now=now)
    except Exception:
        release_period(job, period)
        raise
