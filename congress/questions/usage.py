"""How a question has been answered: what the editor needs to know before it changes the question."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from congress.questions.models import Question
from congress.questions.signals import answers_wanted
from congress.signals import one_answer


@dataclass(frozen=True)
class Usage:
    """``answered``: how many forms hold an answer; ``by_value``: how many chose each option value."""

    answered: int = 0
    by_value: dict[str, int] = field(default_factory=dict)


def count(question: Question, all_answers: Iterable[dict[str, Any] | None]) -> Usage:
    """The usage of ``question`` in these stored answer dicts (the receivers' one way of counting)."""
    key = str(question.id)
    answered = 0
    values: Counter[str] = Counter()
    for answers in all_answers:
        value = (answers or {}).get(key)
        if value is None or value == "" or value == [] or value is False:
            continue
        answered += 1
        for chosen in value if isinstance(value, list) else [value]:
            if isinstance(chosen, str):
                values[chosen] += 1
    return Usage(answered, dict(values))


def usage(question: Question) -> Usage:
    """Asked of the form that stores the answers (``NoReceiver`` when no form answers for the target)."""
    return one_answer(answers_wanted, question.target, question=question)
