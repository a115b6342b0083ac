"""What a question itself must be: a known form and kind, a Dutch text, options for a choice."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask_babel import lazy_gettext as _l

from congress.errors import InvalidInput
from congress.questions.kinds import CHOICE_KINDS, QuestionKind, Target


class QuestionError(InvalidInput):
    """A question the rules refuse (422): an unknown kind, a choice without options, no label."""


def check_fields(target: str, kind: str, label_nl: str, options: Sequence[dict[str, str]]) -> None:
    if target not in {t.value for t in Target}:
        raise QuestionError(_l("Unknown form."), field="target")
    if kind not in {k.value for k in QuestionKind}:
        raise QuestionError(_l("Choose a known kind of question."), field="kind")
    if not label_nl.strip():
        raise QuestionError(_l("Give the question in Dutch."), field="label_nl")
    if kind in CHOICE_KINDS and not options:
        raise QuestionError(_l("Give at least one option."), field="options")
    values = [o.get("value", "") for o in options]
    if any(not v for v in values) or len(set(values)) != len(values):
        raise QuestionError(_l("Every option needs a value of its own."), field="options")


def options_from_pairs(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    """Options from (Dutch, English) labels, numbered ``1``, ``2``, … (the value answers store)."""
    return [{"value": str(i + 1), "nl": nl, "en": en} for i, (nl, en) in enumerate(pairs)]
