"""Reads of the core capability that other capabilities use: editions, and rows scoped to one.

"Wrong edition → 404" is written here once: an id from the URL that belongs to another edition
is not found, never a way into that edition. "Archived is read-only" is applied here too: an edition
loaded for a write (any request but GET/HEAD/OPTIONS) that is archived refuses with a clear message
(403), except in the knowledge archive's screens, which go on after the edition ends.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort, has_request_context, request

from congress.core.models import Congress
from congress.core.services import (
    LOGO_AREA,
    STATUS_LABELS,
    all_congresses,
    allowed_moves,
    archived_refusal,
    congress_by_slug,
    current_congress,
    ensure_writable,
    is_staff,
    logo_stored_key,
    public_congress_or_404,
    public_congresses,
)
from congress.extensions import db
from congress.sanitize import MAX_ID

T = TypeVar("T")

__all__ = [
    "LOGO_AREA", "STATUS_LABELS", "all_congresses", "allowed_moves", "congress_by_slug", "current_congress",
    "edition_or_404", "ensure_writable", "is_staff", "logo_stored_key", "of_edition_or_404", "public_congress_or_404",
    "public_congresses",
]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Blueprints whose writes go on after an edition is archived: the knowledge archive.
ARCHIVE_BLUEPRINTS = ("archive", "archive_manage", "archive_api")


def _writes_refused(congress: Congress) -> bool:
    if not congress.is_archived or not has_request_context() or request.method in SAFE_METHODS:
        return False
    blueprint = (request.blueprint or "").split(".")[0]
    return blueprint not in ARCHIVE_BLUEPRINTS


def edition_or_404(slug: str, *, only_read: bool = False) -> Congress:
    """The edition with this slug, public or not (back-office views check the user's rights).

    A write to an archived edition is refused here, for every screen that loads its edition this way;
    ``only_read``: the request writes elsewhere and only reads this edition (cloning it into a new one)."""
    congress = congress_by_slug(slug)
    if congress is None:
        abort(404)
    if not only_read and _writes_refused(congress):
        raise archived_refusal()
    return congress


def of_edition_or_404(model: type[T], row_id: Any, congress: Congress, *, attribute: str = "congress_id") -> T:
    """Row ``row_id`` of ``model`` if it belongs to ``congress``; else 404 (whether missing or another's)."""
    if isinstance(row_id, int) and not 0 < row_id <= MAX_ID:
        abort(404)  # an id no column holds (2**64 from a URL) is missing, not a database error
    row = db.session.get(model, row_id)
    if row is None or getattr(row, attribute) != congress.id:
        abort(404)
    return row


def contact_address(congress_id: int) -> str | None:
    """The edition's contact address (the Reply-To of its mail), or None when it has none."""
    congress = db.session.get(Congress, congress_id)
    return (congress.contact_email or None) if congress is not None else None
