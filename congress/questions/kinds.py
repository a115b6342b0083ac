"""What a question is for (its target) and what kind of answer it takes: the one list of both."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class Target(enum.StrEnum):
    """The form a question belongs to."""

    REGISTRATION = "registration"
    PROPOSAL = "proposal"
    EVALUATION = "evaluation"


class QuestionKind(enum.StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    CHECKBOX = "checkbox"
    # For the session evaluations: 1–5 with labelled ends, and 0–10.
    SCALE_5 = "scale_5"
    SCALE_10 = "scale_10"


TEXT_KINDS = frozenset({QuestionKind.SHORT_TEXT.value, QuestionKind.LONG_TEXT.value})
CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE.value, QuestionKind.MULTIPLE_CHOICE.value})
# The lowest and highest answer of each scale.
SCALES = {QuestionKind.SCALE_5.value: (1, 5), QuestionKind.SCALE_10.value: (0, 10)}
# The longest text answer of each text kind unless the question sets its own ``max_length``.
MAX_LENGTH = {QuestionKind.SHORT_TEXT.value: 300, QuestionKind.LONG_TEXT.value: 4000}

# The names the call for proposals' settings page (a text field) uses for the kinds it asks.
TEXT_NAMES = {"text": QuestionKind.SHORT_TEXT.value, "textarea": QuestionKind.LONG_TEXT.value,
              "choice": QuestionKind.SINGLE_CHOICE.value, "checkbox": QuestionKind.CHECKBOX.value}

KIND_LABELS = {
    QuestionKind.SHORT_TEXT.value: _l("Short text"),
    QuestionKind.LONG_TEXT.value: _l("Long text"),
    QuestionKind.SINGLE_CHOICE.value: _l("Single choice"),
    QuestionKind.MULTIPLE_CHOICE.value: _l("Multiple choice"),
    QuestionKind.CHECKBOX.value: _l("Checkbox"),
    QuestionKind.SCALE_5.value: _l("Scale of 1 to 5"),
    QuestionKind.SCALE_10.value: _l("Scale of 0 to 10"),
}


def sql_list(values: type[enum.StrEnum]) -> str:
    """``'a', 'b'`` for a CHECK constraint."""
    return ", ".join(f"'{v.value}'" for v in values)
