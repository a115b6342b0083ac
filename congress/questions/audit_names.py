"""How the audit log names custom questions (answering ``audit.signals.objects_described``)."""

from __future__ import annotations

from typing import Any

from congress.audit.queries import name_objects
from congress.questions.models import Question


def questions(_kind: str, *, ids: list[int], locale: str, **_: Any) -> dict[int, tuple[str, str | None]]:
    return name_objects(Question, ids, lambda q: q.label(locale))
