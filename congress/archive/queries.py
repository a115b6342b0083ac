"""Reads of the knowledge archive that other capabilities use (open data such as OAI-PMH and
exports, the programme's and edition's pages): items, the sessions archived, the search.

Only published items are public; a withdrawn one is still named (open data reports it deleted)
but never shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from congress.archive.licences import licence_uri
from congress.archive.models import ItemStatus, KnowledgeItem
from congress.archive.search import Hit, SearchFilters, SearchResult, related_items, search
from congress.archive.services import item_by_key
from congress.extensions import db

__all__ = [
    "Hit", "SearchFilters", "SearchResult", "archived_sessions", "item_by_key", "item_for_session", "licence_uri",
    "published_count", "published_item", "published_items", "published_stamps", "related_items", "search",
    "withdrawn_items",
]


def published_item(key: str) -> KnowledgeItem | None:
    """The published item with this key; None when unknown or not (or no longer) published."""
    item = item_by_key(key)
    return item if item is not None and item.status == ItemStatus.PUBLISHED.value else None


def published_items(*, after_id: int = 0, since: datetime | None = None, limit: int = 100) -> list[KnowledgeItem]:
    """Published items in id order from ``after_id`` (a harvester pages with the last id it saw),
    changed at or after ``since``; with their terms, files and edition loaded."""
    stmt = (
        sa.select(KnowledgeItem)
        .where(KnowledgeItem.status == ItemStatus.PUBLISHED.value, KnowledgeItem.id > after_id)
        .order_by(KnowledgeItem.id).limit(limit)
        .options(selectinload(KnowledgeItem.terms), selectinload(KnowledgeItem.files),
                 selectinload(KnowledgeItem.congress))
    )
    if since is not None:
        stmt = stmt.where(KnowledgeItem.updated_at >= since)
    return list(db.session.scalars(stmt))


def withdrawn_items(*, since: datetime | None = None) -> list[KnowledgeItem]:
    """Withdrawn items (withdrawn at or after ``since``), oldest withdrawal first."""
    stmt = sa.select(KnowledgeItem).where(KnowledgeItem.status == ItemStatus.WITHDRAWN.value)
    if since is not None:
        stmt = stmt.where(KnowledgeItem.withdrawn_at >= since)
    return list(db.session.scalars(stmt.order_by(KnowledgeItem.withdrawn_at, KnowledgeItem.id)))


def archived_sessions(session_ids: Sequence[int]) -> dict[int, str]:
    """Of these programme sessions, those archived: session id → the key of its item (any status)."""
    if not session_ids:
        return {}
    rows = db.session.execute(
        sa.select(KnowledgeItem.session_id, KnowledgeItem.key).where(KnowledgeItem.session_id.in_(list(session_ids)))
    )
    return {session_id: key for session_id, key in rows}


def item_for_session(session_id: int) -> KnowledgeItem | None:
    """The item a programme session was archived as, if any (published or not)."""
    return db.session.scalar(sa.select(KnowledgeItem).where(KnowledgeItem.session_id == session_id))


def published_stamps(*, after_id: int = 0, limit: int = 50_000) -> list[tuple[int, str, datetime]]:
    """``(id, key, last change)`` of published items in id order from ``after_id``: what a sitemap
    lists, read as plain rows (no items loaded) so that 50,000 of them take milliseconds."""
    rows = db.session.execute(
        sa.select(KnowledgeItem.id, KnowledgeItem.key, KnowledgeItem.updated_at)
        .where(KnowledgeItem.status == ItemStatus.PUBLISHED.value, KnowledgeItem.id > after_id)
        .order_by(KnowledgeItem.id).limit(limit)
    )
    return [(row.id, row.key, row.updated_at) for row in rows]


def published_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeItem)
                             .where(KnowledgeItem.status == ItemStatus.PUBLISHED.value)) or 0
