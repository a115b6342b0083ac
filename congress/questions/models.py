"""The one question model (pretalx's ``Question`` with a target): registration form, call for proposals and
session evaluations ask their custom questions through it.

Answers are stored by the form that asks them (``Registration.answers``, ``Proposal.answers``, …) as JSON
keyed by the question's id: text a string, a single choice the option's ``value``, a multiple choice a
list of values, a checkbox true/false, a scale a whole number.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from congress.extensions import db
from congress.i18n import bilingual, pick
from congress.questions.kinds import KIND_LABELS, MAX_LENGTH, SCALES, QuestionKind, Target, sql_list


class Question(db.Model):
    """A custom question of one edition on one form (its ``target``)."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(20))
    label_nl: Mapped[str] = mapped_column(String(300))
    label_en: Mapped[str] = mapped_column(String(300), default="")
    help_nl: Mapped[str] = mapped_column(String(1000), default="")
    help_en: Mapped[str] = mapped_column(String(1000), default="")
    # Choices: [{"value": "a", "nl": "…", "en": "…"}, …]; the value is what an answer stores. An option
    # with answers is hidden (``"hidden": true``) rather than removed: no longer offered, still shown.
    options: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # The words at the ends of a scale ("poor" … "excellent").
    scale_low_nl: Mapped[str] = mapped_column(String(100), default="")
    scale_low_en: Mapped[str] = mapped_column(String(100), default="")
    scale_high_nl: Mapped[str] = mapped_column(String(100), default="")
    scale_high_en: Mapped[str] = mapped_column(String(100), default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    # The longest text answer; NULL: the kind's default (MAX_LENGTH).
    max_length: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        CheckConstraint(f"target IN ({sql_list(Target)})", name="target_known"),
        CheckConstraint(f"kind IN ({sql_list(QuestionKind)})", name="kind_known"),
        CheckConstraint("max_length IS NULL OR max_length > 0", name="max_length_positive"),
    )

    label = bilingual("label")
    help = bilingual("help")
    scale_low = bilingual("scale_low")
    scale_high = bilingual("scale_high")

    def choices(self, locale: str | None = None, *, hidden: bool = False) -> list[tuple[str, str]]:
        """(value, label) of each option offered in ``locale``; ``hidden``: the hidden options too."""
        return [(o["value"], pick(o.get("nl") or o["value"], o.get("en"), locale)) for o in self.options or []
                if hidden or not o.get("hidden")]

    def offered_values(self) -> set[str]:
        """The option values a new answer may choose (hidden options are not offered)."""
        return {o["value"] for o in self.options or [] if not o.get("hidden")}

    def display(self, value: Any, locale: str | None = None) -> str:
        """An answer to this question as text (see :func:`display` below)."""
        return display(self, value, locale)

    def scale_ends(self, locale: str | None = None) -> str:
        return scale_ends(self, locale)

    @property
    def kind_label(self) -> str:
        """The kind in words, in the current language (never the raw ``single_choice``)."""
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def scale(self) -> tuple[int, int] | None:
        """The lowest and highest answer of a scale question; None for the other kinds."""
        return SCALES.get(self.kind)

    @property
    def text_limit(self) -> int | None:
        """The longest text answer of a text question; None for the other kinds."""
        default = MAX_LENGTH.get(self.kind)
        return None if default is None else (self.max_length or default)


# --- answers as text ----------------------------------------------------------------------------


def display(question: Question, value: Any, locale: str | None = None) -> str:
    """An answer as text in ``locale``: option labels for choices, yes/no for a checkbox, ``4 / 5`` for a
    scale; "" when unanswered. A value that is no (longer an) option is shown as it is stored."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    labels = dict(question.choices(locale, hidden=True))
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
