"""Answers shown to people: on screens, in exports and in personal-data downloads.

Templates call it as ``question.display(value, locale)``; the model imports this module, not the reverse."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _

if TYPE_CHECKING:
    from congress.questions.models import Question


def display(question: Question, value: Any, locale: str | None = None) -> str:
    """An answer as text in ``locale``: option labels for choices, yes/no for a checkbox, ``4 / 5`` for a
    scale; "" when unanswered. A value that is no (longer an) option is shown as it is stored."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    labels = dict(question.choices(locale))
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    scale = question.scale
    if scale is not None and isinstance(value, int):
        return f"{value} / {scale[1]}"
    return labels.get(value, str(value)) if isinstance(value, str) else str(value)


def scale_ends(question: Question, locale: str | None = None) -> str:
    """``1 = poor, 5 = excellent``: what the ends of a scale mean (empty when not labelled)."""
    if question.scale is None:
        return ""
    low, high = question.scale
    parts = []
    if question.scale_low(locale):
        parts.append(f"{low} = {question.scale_low(locale)}")
    if question.scale_high(locale):
        parts.append(f"{high} = {question.scale_high(locale)}")
    return ", ".join(parts)
