"""Reads of the knowledge archive that other capabilities use (open data such as OAI-PMH and
exports, the programme's and edition's pages): items, the sessions archived, the search.

Only published items are public; a withdrawn one is still named (open data reports it deleted)
but never shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased, defer, selectinload

from congress.archive.labels import TYPE_LABELS
from congress.archive.models import (
    ItemStatus,
    ItemType,
    KnowledgeFile,
    KnowledgeItem,
    KnowledgeTerm,
    TermKind,
    knowledge_relations,
)
from congress.archive.search import Hit, SearchFilters, SearchResult, related_items, search
from congress.archive.services import item_by_key
from congress.core.models import Congress
from congress.extensions import db

__all__ = [
    "TYPE_LABELS", "HarvestScope", "Hit", "ItemType", "SearchFilters", "SearchResult", "TermKind",
    "archived_sessions", "earliest_change", "harvest_counts", "harvest_editions", "harvest_item", "harvest_page",
    "harvest_relations", "harvest_track_names", "is_deleted", "item_by_key", "item_for_session",
    "published_item", "published_items", "related_items", "search", "withdrawn_items",
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


# --- Harvesting (OAI-PMH) --------------------------------------------------------------------------------
#
# A harvester sees every item that is or was public: published ones as records, and the ones that
# were published once and are no longer (withdrawn, or moved back to draft after a withdrawal) as
# deleted records, for ever (``deletedRecord`` persistent). An item never published never appears.
# Lists are ordered by the last change, then the id: (updated_at, id) is the keyset a page continues
# from, served by the index ix_knowledge_items_harvest.

_HARVESTABLE = sa.or_(
    KnowledgeItem.status.in_([ItemStatus.PUBLISHED.value, ItemStatus.WITHDRAWN.value]),
    KnowledgeItem.published_at.is_not(None),
)


@dataclass(frozen=True)
class HarvestScope:
    """Which harvestable items a list holds: a set (type, tracks by their stored names, edition) and
    a window on the last change (``since`` inclusive, ``before`` exclusive, ``upto`` inclusive: the
    moment a paged list was frozen at)."""

    item_type: str | None = None
    track_names: tuple[str, ...] | None = None
    any_track: bool = False
    congress_id: int | None = None
    any_edition: bool = False
    since: datetime | None = None
    before: datetime | None = None
    upto: datetime | None = None

    def where(self) -> list[sa.ColumnElement[bool]]:
        clauses: list[sa.ColumnElement[bool]] = [_HARVESTABLE]
        if self.item_type is not None:
            clauses.append(KnowledgeItem.type == self.item_type)
        if self.track_names is not None:
            clauses.append(KnowledgeItem.track_name.in_(self.track_names))
        if self.any_track:
            clauses.append(KnowledgeItem.track_name != "")
        if self.congress_id is not None:
            clauses.append(KnowledgeItem.congress_id == self.congress_id)
        if self.any_edition:
            clauses.append(KnowledgeItem.congress_id.is_not(None))
        if self.since is not None:
            clauses.append(KnowledgeItem.updated_at >= self.since)
        if self.before is not None:
            clauses.append(KnowledgeItem.updated_at < self.before)
        if self.upto is not None:
            clauses.append(KnowledgeItem.updated_at <= self.upto)
        return clauses


def _after(position: tuple[datetime, int]) -> sa.ColumnElement[bool]:
    changed, item_id = position
    return sa.or_(KnowledgeItem.updated_at > changed,
                  sa.and_(KnowledgeItem.updated_at == changed, KnowledgeItem.id > item_id))


def _with_record_fields(stmt: sa.Select) -> sa.Select:
    """What a harvest record shows, loaded in bulk (one query per relation for the whole page); the
    long texts it does not show (body, the files' extracted text) stay in the database."""
    return stmt.options(
        defer(KnowledgeItem.body), defer(KnowledgeItem.withdrawal_reason),
        selectinload(KnowledgeItem.terms).load_only(KnowledgeTerm.kind, KnowledgeTerm.value, KnowledgeTerm.item_id),
        selectinload(KnowledgeItem.files).load_only(KnowledgeFile.content_type, KnowledgeFile.item_id),
        selectinload(KnowledgeItem.speakers), selectinload(KnowledgeItem.congress),
    )


def harvest_page(scope: HarvestScope, *, after: tuple[datetime, int] | None = None,
                 limit: int = 100) -> list[KnowledgeItem]:
    """One page of the scope's items in (updated_at, id) order, after ``after`` (the last one seen)."""
    stmt = sa.select(KnowledgeItem).where(*scope.where())
    if after is not None:
        stmt = stmt.where(_after(after))
    stmt = stmt.order_by(KnowledgeItem.updated_at, KnowledgeItem.id).limit(limit)
    return list(db.session.scalars(_with_record_fields(stmt)))


def harvest_counts(scope: HarvestScope, *, through: tuple[datetime, int] | None = None) -> tuple[int, int]:
    """(items in the scope, of which at or before ``through``), in one pass over the index."""
    before = sa.literal(0) if through is None else sa.func.coalesce(
        sa.func.sum(sa.case((_after(through), 0), else_=1)), 0)
    total, upto = db.session.execute(
        sa.select(sa.func.count(KnowledgeItem.id), before).where(*scope.where())).one()
    return int(total), int(upto)


def harvest_item(key: str) -> KnowledgeItem | None:
    """The harvestable item with this key (published, or published once), with its record fields."""
    stmt = sa.select(KnowledgeItem).where(KnowledgeItem.key == key, _HARVESTABLE)
    return db.session.scalar(_with_record_fields(stmt))


def is_deleted(item: KnowledgeItem) -> bool:
    """A harvested item that is no longer public: a harvester reports it deleted."""
    return item.status != ItemStatus.PUBLISHED.value


def harvest_relations(item_ids: Sequence[int]) -> dict[int, list[str]]:
    """For each item, the keys of the harvestable items it is related to, in both directions (an
    intervention and its evaluations name each other), sorted; in one query."""
    if not item_ids:
        return {}
    other = aliased(KnowledgeItem)
    ids = list(item_ids)
    outgoing = (sa.select(knowledge_relations.c.item_id.label("item_id"), other.key)
                .join(other, other.id == knowledge_relations.c.related_id)
                .where(knowledge_relations.c.item_id.in_(ids)))
    incoming = (sa.select(knowledge_relations.c.related_id.label("item_id"), other.key)
                .join(other, other.id == knowledge_relations.c.item_id)
                .where(knowledge_relations.c.related_id.in_(ids)))
    harvestable = sa.or_(other.status.in_([ItemStatus.PUBLISHED.value, ItemStatus.WITHDRAWN.value]),
                         other.published_at.is_not(None))
    found: dict[int, set[str]] = {}
    for stmt in (outgoing.where(harvestable), incoming.where(harvestable)):
        for item_id, key in db.session.execute(stmt):
            found.setdefault(item_id, set()).add(key)
    return {item_id: sorted(keys) for item_id, keys in found.items()}


def earliest_change() -> datetime | None:
    """The oldest last-change moment of a harvestable item (OAI-PMH's earliestDatestamp)."""
    return db.session.scalar(sa.select(sa.func.min(KnowledgeItem.updated_at)).where(_HARVESTABLE))


def harvest_track_names() -> list[str]:
    """The stored track names of harvestable items, sorted."""
    rows = db.session.scalars(sa.select(KnowledgeItem.track_name).where(_HARVESTABLE, KnowledgeItem.track_name != "")
                              .distinct().order_by(KnowledgeItem.track_name))
    return list(rows)


def harvest_editions() -> list[Congress]:
    """The editions harvestable items belong to, by slug."""
    ids = sa.select(KnowledgeItem.congress_id).where(_HARVESTABLE, KnowledgeItem.congress_id.is_not(None)).distinct()
    return list(db.session.scalars(sa.select(Congress).where(Congress.id.in_(ids)).order_by(Congress.slug)))
