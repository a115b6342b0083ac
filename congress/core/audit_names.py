"""How the audit log names editions (answering ``audit.signals.objects_described``)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from congress.audit.queries import name_objects
from congress.core.models import Congress


def editions(_kind: str, *, ids: list[int], locale: str, **_: Any) -> dict[int, tuple[str, str | None]]:
    return name_objects(Congress, ids, lambda c: c.title(locale), lambda c: url_for("public.edition", slug=c.slug))
