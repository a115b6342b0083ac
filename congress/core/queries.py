"""Reads of the core capability that other capabilities use: editions, and rows scoped to one.

"Wrong edition → 404" is written here once: an id from the URL that belongs to another edition
is not found, never a way into that edition.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort

from congress.core.models import Congress
from congress.core.services import (
    all_congresses,
    congress_by_slug,
    current_congress,
    public_congress_or_404,
    public_congresses,
)
from congress.extensions import db
from congress.sanitize import MAX_ID

T = TypeVar("T")

__all__ = [
    "all_congresses", "congress_by_slug", "current_congress", "edition_or_404", "of_edition_or_404",
    "public_congress_or_404", "public_congresses",
]


def edition_or_404(slug: str) -> Congress:
    """The edition with this slug, public or not (back-office views check the user's rights)."""
    congress = congress_by_slug(slug)
    if congress is None:
        abort(404)
    return congress


def of_edition_or_404(model: type[T], row_id: Any, congress: Congress, *, attribute: str = "congress_id") -> T:
    """Row ``row_id`` of ``model`` if it belongs to ``congress``; else 404 (whether missing or another's)."""
    if isinstance(row_id, int) and not 0 < row_id <= MAX_ID:
        abort(404)  # an id no column holds (2**64 from a URL) is missing, not a database error
    row = db.session.get(model, row_id)
    if row is None or getattr(row, attribute) != congress.id:
        abort(404)
    return row
