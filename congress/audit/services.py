"""Recording audit events. The caller's transaction commits the event with the change itself."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import has_request_context
from flask_login import current_user

from congress.audit.models import AuditEvent
from congress.database import transactional, utcnow
from congress.extensions import db


def current_actor(actor: Any = None) -> tuple[int | None, str]:
    """Who acts: ``actor`` when given (a user logging in is not yet the request's user), else the
    request's logged-in user, else "system" (jobs, the command line, anonymous visitors)."""
    if actor is not None:
        return actor.id, actor.email
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return current_user.id, current_user.email
    return None, "system"


_INSERT = sa.insert(AuditEvent.__table__)


@dataclass(frozen=True)
class Ref:
    """An object named by its type and id, for records of rows written without loading them."""

    type_name: str
    id: int
    congress_id: int | None = None


def record(
    action: str,
    obj: Any = None,
    *,
    congress_id: int | None = None,
    actor_label: str | None = None,
    actor: Any = None,
    **data: Any,
) -> None:
    """Write an audit event in the current transaction (it commits, or rolls back, with the change
    it describes). One plain INSERT: busy paths such as registering record every change.

    ``actor`` (a user) names who acts when the request does not know yet (a login)."""
    actor_id, label = current_actor(actor)
    db.session.execute(_INSERT, {
        "action": action,
        "object_type": "" if obj is None else obj.type_name if isinstance(obj, Ref) else type(obj).__name__,
        "object_id": str(getattr(obj, "id", "") or "") if obj is not None else "",
        "congress_id": congress_id if congress_id is not None else getattr(obj, "congress_id", None),
        "actor_user_id": actor_id,
        "actor_label": actor_label or label,
        "data": data,
        "occurred_at": utcnow(),
    })


EXPORT_PREFIX = "export."


@transactional
def record_export(what: str, *, congress_id: int | None, format: str, count: int | None = None,
                  content: bytes | None = None, **data: Any) -> None:
    """A download of personal data (a list, a PDF) as an event of its own: ``export.<what>``, with
    the edition, how many rows or people it holds and its format. Called by the view that serves it;
    for a CSV it may pass the file (``content``) instead of the count, and its rows are counted."""
    if count is None and content is not None and format == "csv":
        count = csv_rows(content)
    record(EXPORT_PREFIX + what, None, congress_id=congress_id, count=count, format=format, **data)


def csv_rows(content: bytes) -> int:
    """The data rows of a CSV file (its header not counted; a cell may hold line breaks)."""
    text = content.decode("utf-8-sig", "replace")
    return max(sum(1 for _row in csv.reader(io.StringIO(text))) - 1, 0)
