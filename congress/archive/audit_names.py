"""How the audit log names knowledge items (answering ``audit.signals.objects_described``)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from congress.archive.models import KnowledgeItem
from congress.audit.queries import name_objects


def items(_kind: str, *, ids: list[int], locale: str, **_: Any) -> dict[int, tuple[str, str | None]]:
    return name_objects(KnowledgeItem, ids, lambda i: i.title,
                        lambda i: url_for("archive_manage.edit_item", item_id=i.id))
