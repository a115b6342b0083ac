"""How the audit log names accounts and API tokens (answering ``audit.signals.objects_described``)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from congress.accounts.models import ApiToken, User
from congress.audit.queries import name_objects

Names = dict[int, tuple[str, str | None]]


def users(_kind: str, *, ids: list[int], locale: str, **_: Any) -> Names:
    return name_objects(User, ids, lambda u: f"{u.name} ({u.email})" if u.name else u.email,
                        lambda _u: url_for("manage.users"))


def api_tokens(_kind: str, *, ids: list[int], locale: str, **_: Any) -> Names:
    return name_objects(ApiToken, ids, lambda t: f"{t.name or ''} ({t.prefix or '…'})".strip(),
                        lambda _t: url_for("manage.tokens"))
