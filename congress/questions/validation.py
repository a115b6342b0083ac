"""Answers checked against their questions: the one rule for every form that asks custom questions.

Each problem belongs to the field ``q_<id>`` and comes in two wordings: ``message`` to show next to
that field, and ``summary``, which names the question, for a list of problems at the top of a form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from congress.questions.kinds import QuestionKind
from congress.questions.models import Question


@dataclass(frozen=True)
class Problem:
    field: str
    code: str  # required, choice, too_long, invalid, range
    message: str
    summary: str


# An answer of the wrong shape: reported, and not kept.
INVALID: Any = object()


def field_name(question: Question) -> str:
    """The form field (and error key) of a question: ``q_<id>``."""
    return f"q_{question.id}"


def _problem(question: Question, code: str, **values: Any) -> Problem:
    label = question.label()
    if code == "required":
        message, summary = _l("This field is required."), _l("Answer the question “%(q)s”.", q=label)
    elif code == "choice":
        message, summary = (_l("Choose one of the options."),
                            _l("Choose one of the options for “%(q)s”.", q=label))
    elif code == "too_long":
        message = _l("Use at most %(n)d characters.", n=values["n"])
        summary = _l("%(field)s is too long: at most %(n)d characters.", field=label, n=values["n"])
    elif code == "range":
        message = _l("Choose a number from %(low)d to %(high)d.", low=values["low"], high=values["high"])
        summary = _l("Answer “%(q)s” with a number from %(low)d to %(high)d.", q=label, low=values["low"],
                     high=values["high"])
    else:
        message, summary = _l("Not a valid value."), _l("The answer to “%(q)s” is not valid.", q=label)
    return Problem(field_name(question), code, str(message), str(summary))


def _text(question: Question, value: Any, complete: bool) -> tuple[Any, list[Problem]]:
    if value is not None and not isinstance(value, str):
        return INVALID, [_problem(question, "invalid")]
    value = (value or "").strip()
    problems = []
    limit = question.text_limit or 0
    if len(value) > limit:
        problems.append(_problem(question, "too_long", n=limit))
    if complete and question.required and not value:
        problems.append(_problem(question, "required"))
    return value, problems


def _single(question: Question, value: Any, values: set[str], complete: bool) -> tuple[Any, list[Problem]]:
    value = value or ""
    if not isinstance(value, str):
        return INVALID, [_problem(question, "choice")]
    problems = []
    if value and value not in values:
        problems.append(_problem(question, "choice"))
    if complete and question.required and not value:
        problems.append(_problem(question, "required"))
    return value, problems


def _multiple(question: Question, value: Any, values: set[str], complete: bool) -> tuple[Any, list[Problem]]:
    value = value or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or any(not isinstance(v, str) or v not in values for v in value):
        return INVALID, [_problem(question, "choice")]
    if complete and question.required and not value:
        return value, [_problem(question, "required")]
    return value, []


def _scale(question: Question, value: Any, complete: bool) -> tuple[Any, list[Problem]]:
    low, high = question.scale or (0, 0)
    if value in (None, ""):
        return None, [_problem(question, "required")] if complete and question.required else []
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) <= 3:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return INVALID, [_problem(question, "range", low=low, high=high)]
    return value, []


def check(question: Question, value: Any, *, complete: bool = True) -> tuple[Any, list[Problem]]:
    """One answer normalised (text stripped, one choice as a list for multiple choice, a scale as a
    number), and its problems. ``complete=False`` (a draft) leaves required questions unanswered.
    An answer of the wrong shape comes back as ``INVALID``."""
    kind = question.kind
    if kind in (QuestionKind.SHORT_TEXT.value, QuestionKind.LONG_TEXT.value):
        return _text(question, value, complete)
    if kind == QuestionKind.SINGLE_CHOICE.value:
        return _single(question, value, question.offered_values(), complete)
    if kind == QuestionKind.MULTIPLE_CHOICE.value:
        return _multiple(question, value, question.offered_values(), complete)
    if question.scale is not None:
        return _scale(question, value, complete)
    value = bool(value)
    return value, [_problem(question, "required")] if complete and question.required and not value else []


def validate(questions: Iterable[Question], answers: Mapping[str, Any] | None, *, complete: bool = True
             ) -> tuple[dict[str, Any], list[Problem]]:
    """The answers to ``questions`` (keyed by question id as text), normalised, and every problem.

    Answers to other keys are left out; a question with a problem keeps no answer."""
    cleaned: dict[str, Any] = {}
    problems: list[Problem] = []
    raw = answers or {}
    for question in questions:
        key = str(question.id)
        value, found = check(question, raw.get(key), complete=complete)
        problems.extend(found)
        if value is not INVALID:
            cleaned[key] = value
    return cleaned, problems


def errors_by_field(problems: Iterable[Problem]) -> dict[str, list[str]]:
    """``{"q_<id>": [message, …]}``: the problems to show next to their fields."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field, []).append(problem.message)
    return errors
