"""Reads of the evaluations: the aggregated results of an edition, and nothing about who answered.

A session's (or the congress's) results are computed only from ``EVALUATION_MIN_RESPONSES`` answers on
(default 5); below that only the number of answers is known, so that no answer can be traced to a person."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app

from congress.checkin import queries as checkin
from congress.core.models import Congress
from congress.evaluations.models import EvaluationResponse
from congress.extensions import db
from congress.i18n import current_language
from congress.programme import queries as programme
from congress.programme.models import ProgrammeSession
from congress.questions import queries as question_queries
from congress.questions.models import Question
from congress.questions.queries import CHOICE_KINDS, TEXT_KINDS, QuestionKind, Target

__all__ = ["QuestionResult", "SubjectResult", "min_responses", "results"]


def min_responses() -> int:
    """From how many answers a session's results are shown (``EVALUATION_MIN_RESPONSES``, at least 1)."""
    return max(1, int(current_app.config.get("EVALUATION_MIN_RESPONSES", 5)))


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    mean: float | None = None
    spread: float | None = None  # the standard deviation of a scale's answers
    # (label, count) of each scale point or option, in order.
    distribution: list[tuple[str, int]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    @property
    def largest(self) -> int:
        return max((n for _, n in self.distribution), default=0)


@dataclass
class SubjectResult:
    """The results about one session (``session`` None: the whole congress)."""

    session: ProgrammeSession | None
    answers: int
    checked_in: int | None
    shown: bool
    questions: list[QuestionResult] = field(default_factory=list)

    @property
    def response_rate(self) -> float | None:
        if not self.checked_in:
            return None
        return self.answers / self.checked_in


def mean_and_spread(numbers: list[int]) -> tuple[float, float]:
    """The mean and the population standard deviation, in floats (``statistics.pstdev`` computes in
    exact fractions: a fifth of the results page's time with 4,000 answers)."""
    mean = math.fsum(numbers) / len(numbers)
    return mean, math.sqrt(math.fsum((n - mean) ** 2 for n in numbers) / len(numbers))


def _aggregate(question: Question, answer_sets: list[dict[str, Any]], locale: str) -> QuestionResult:
    key = str(question.id)
    values = [v for v in (a.get(key) for a in answer_sets) if v is not None and v != "" and v != [] and v is not False]
    result = QuestionResult(question, answered=len(values))
    if question.scale is not None:
        numbers = [v for v in values if type(v) is int]
        low, high = question.scale
        tally = Counter(numbers)
        result.distribution = [(str(n), tally[n]) for n in range(low, high + 1)]
        if numbers:
            result.mean, result.spread = mean_and_spread(numbers)
    elif question.kind in CHOICE_KINDS:
        chosen = [c for v in values for c in (v if isinstance(v, list) else [v])]
        result.distribution = [(label, chosen.count(value)) for value, label in question.choices(locale, hidden=True)]
    elif question.kind in TEXT_KINDS:
        # Sorted, never in the order given: the order would hint at who wrote what.
        result.texts = sorted(str(v) for v in values)
    elif question.kind == QuestionKind.CHECKBOX.value:
        result.distribution = [(str(question.display(True, locale)), len(values))]
    return result


def results(congress: Congress, locale: str | None = None) -> list[SubjectResult]:
    """Per session with answers or check-ins (programme order), then the whole congress: the number of
    answers, the response rate (answers / checked in at the session, or at the door for the congress) and
    — from the threshold on — each question's distribution, mean and spread, and the free texts."""
    locale = locale or current_language()
    threshold = min_responses()
    asked = question_queries.questions(congress, Target.EVALUATION.value)
    by_subject: dict[int | None, list[dict[str, Any]]] = {}
    for session_id, answers in db.session.execute(
            sa.select(EvaluationResponse.session_id, EvaluationResponse.answers)
            .where(EvaluationResponse.congress_id == congress.id)):
        by_subject.setdefault(session_id, []).append(answers or {})
    checked_in = checkin.checked_in_per_session(congress)
    subjects: list[ProgrammeSession | None] = [
        s for s in programme.all_sessions(congress) if s.id in by_subject or s.id in checked_in]
    subjects.append(None)
    arrived = checkin.venue_presence(congress)[0]  # the whole congress: everyone checked in at the door
    out = []
    for session in subjects:
        answer_sets = by_subject.get(None if session is None else session.id, [])
        shown = len(answer_sets) >= threshold
        out.append(SubjectResult(
            session, len(answer_sets), arrived if session is None else checked_in.get(session.id, 0), shown,
            [_aggregate(q, answer_sets, locale) for q in asked] if shown else []))
    return out
