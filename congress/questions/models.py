"""The one question model (pretalx's ``Question`` with a target): registration form, call for proposals and
session evaluations ask their custom questions through it.

Answers are stored by the form that asks them (``Registration.answers``, ``Proposal.answers``, …) as JSON
keyed by the question's id: text a string, a single choice the option's ``value``, a multiple choice a
list of values, a checkbox true/false, a scale a whole number.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from congress.extensions import db
from congress.i18n import bilingual, pick
from congress.questions.kinds import MAX_LENGTH, SCALES, QuestionKind, Target, sql_list
from congress.questions.rendering import display, scale_ends


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
    # Choices: [{"value": "a", "nl": "…", "en": "…"}, …]; the value is what an answer stores.
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

    def choices(self, locale: str | None = None) -> list[tuple[str, str]]:
        """(value, label) of each option in ``locale``."""
        return [(o["value"], pick(o.get("nl") or o["value"], o.get("en"), locale)) for o in self.options or []]

    def display(self, value: Any, locale: str | None = None) -> str:
        """An answer to this question as text (see :func:`congress.questions.rendering.display`)."""
        return display(self, value, locale)

    def scale_ends(self, locale: str | None = None) -> str:
        return scale_ends(self, locale)

    @property
    def scale(self) -> tuple[int, int] | None:
        """The lowest and highest answer of a scale question; None for the other kinds."""
        return SCALES.get(self.kind)

    @property
    def text_limit(self) -> int | None:
        """The longest text answer of a text question; None for the other kinds."""
        default = MAX_LENGTH.get(self.kind)
        return None if default is None else (self.max_length or default)
