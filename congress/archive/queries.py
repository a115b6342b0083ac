"""Reads of the knowledge archive that other capabilities use (open data such as OAI-PMH and
exports, the programme's and edition's pages): items, the sessions archived, the search.

Only published items are public; a withdrawn one is still named (open data reports it deleted)
but never shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.orm import aliased, selectinload

from congress.archive import recordings
from congress.archive.labels import EVIDENCE_LABELS, TYPE_LABELS
from congress.archive.licences import licence_uri
from congress.archive.models import (
    ItemStatus,
    ItemType,
    KnowledgeCaption,
    KnowledgeFile,
    KnowledgeItem,
    KnowledgeRecording,
    KnowledgeTerm,
    RecordingSource,
    RelationKind,
    SessionEvaluation,
    TermKind,
    knowledge_item_speakers,
    knowledge_relations,
)
from congress.archive.search import Hit, SearchFilters, SearchResult, related_items, search
from congress.archive.services import item_by_key
from congress.cfp import queries as cfp
from congress.core.models import Congress, Person
from congress.extensions import db

__all__ = [
    "TYPE_LABELS", "HarvestScope", "Harvested", "Hit", "ItemType", "SearchFilters", "SearchResult", "TermKind",
    "CatalogueFile", "CatalogueItem", "archived_sessions", "catalogue_items",
    "earliest_change", "harvest_changed_after", "harvest_counts", "harvest_editions", "harvest_item", "harvest_page",
    "harvest_track_names", "item_by_key", "item_for_session", "items_stamp", "licence_uri",
    "level_name", "published_count", "published_item", "published_items", "published_stamps", "related_items", "search",
    "EvaluationRow", "evaluations_of_intervention",
    "withdrawn_items", "withheld_for_want_of_consent", "WITHHELD", "published_lastmods", "public_recordings",
]

public_recordings = recordings.public_recordings


def level_name(value: str | None, locale: str = "nl") -> str | None:
    """The name of a recognition level in ``locale`` (Dutch: as the databanks write it); None for no level."""
    if value not in EVIDENCE_LABELS:
        return None
    with force_locale(locale):
        return str(EVIDENCE_LABELS[value])


def _withheld() -> sa.ColumnElement[bool]:
    """A recording of a session whose speakers have not all consented to its publication
    (``cfp.queries.sessions_without_recording_consent``): kept from OAI-PMH (a deleted record),
    DCAT and the sitemap, whatever its status."""
    return sa.and_(KnowledgeItem.type == ItemType.RECORDING.value,
                   KnowledgeItem.session_id.in_(cfp.sessions_without_recording_consent()))


WITHHELD = _withheld()
# Published and not withheld: what the sitemap and DCAT list.
_LISTED = sa.and_(KnowledgeItem.status == ItemStatus.PUBLISHED.value, sa.not_(WITHHELD))


def withheld_for_want_of_consent(item: KnowledgeItem) -> bool:
    """Whether this item is a recording whose session's speakers have not all consented."""
    if item.type != ItemType.RECORDING.value or item.session_id is None:
        return False
    return db.session.scalar(sa.select(sa.exists().where(KnowledgeItem.id == item.id, WITHHELD))) or False


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
        .where(_LISTED, KnowledgeItem.id > after_id)
        .order_by(KnowledgeItem.id).limit(limit)
    )
    return [(row.id, row.key, row.updated_at) for row in rows]


def _lastmod_text() -> sa.ColumnElement[str]:
    """The last change as the sitemap writes it (``YYYY-MM-DDThh:mm:ssZ``), formatted by the database:
    50,000 datetimes made into Python objects and formatted one by one cost more than reading the rows."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", KnowledgeItem.updated_at), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    return sa.func.strftime("%Y-%m-%dT%H:%M:%SZ", KnowledgeItem.updated_at)  # SQLite stores naive UTC


def published_lastmods(*, limit: int = 50_000) -> list[tuple[str, str]]:
    """``(key, last change as text)`` of the items the sitemap lists, in id order: what
    :func:`published_stamps` gives, with the moment already written by the database."""
    rows = db.session.execute(sa.select(KnowledgeItem.key, _lastmod_text()).where(_LISTED)
                              .order_by(KnowledgeItem.id).limit(limit))
    return [(key, text) for key, text in rows]


def items_stamp() -> tuple[int, datetime | None]:
    """(how many items, the latest change of any): changes whenever an item is added or changed
    (every change raises ``updated_at``; items are never deleted). What is cached of the published
    items (the sitemap's lines) is cached under it."""
    count, latest = db.session.execute(sa.select(sa.func.count(KnowledgeItem.id),
                                                 sa.func.max(KnowledgeItem.updated_at))).one()
    return int(count), latest


def published_count() -> int:
    """Published items the sitemap lists (recordings without their speakers' consent are not)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeItem).where(_LISTED)) or 0


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
    """After (updated_at, id) in the keyset order. Written as a range on updated_at first, so that
    SQLite and PostgreSQL walk the index from the position in order (no sort of the rest of the list)."""
    changed, item_id = position
    return sa.and_(KnowledgeItem.updated_at >= changed,
                   sa.or_(KnowledgeItem.updated_at > changed, KnowledgeItem.id > item_id))


@dataclass
class Harvested:
    """What a harvest record shows of one item, read with plain column queries (no ORM objects: a
    page of 100 costs a handful of indexed queries, whatever the relations)."""

    id: int
    key: str
    type: str
    status: str
    updated_at: datetime
    track_name: str
    edition: str | None
    withheld: bool = False  # a recording without its speakers' consent: reported deleted, nothing shown
    title: str = ""
    summary: str = ""
    title_en: str = ""
    summary_en: str = ""
    language: str = ""
    licence: str = ""
    publication_date: date | None = None
    session_id: int | None = None
    authors: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)
    terms: dict[str, list[str]] = field(default_factory=dict)
    formats: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    # Its published recordings (every speaker consenting): "file:<recording id>" or "url:<address>".
    recordings: list[str] = field(default_factory=list)

    @property
    def deleted(self) -> bool:
        """No longer public (withdrawn, or back to draft after that) or withheld (a recording without its
        speakers' consent): a harvester reports it deleted."""
        return self.status != ItemStatus.PUBLISHED.value or self.withheld


_HEADER_COLUMNS = (KnowledgeItem.id, KnowledgeItem.key, KnowledgeItem.type, KnowledgeItem.status,
                   KnowledgeItem.updated_at, KnowledgeItem.track_name, Congress.slug,
                   sa.case((WITHHELD, True), else_=False).label("withheld"))
_RECORD_COLUMNS = (KnowledgeItem.title, KnowledgeItem.summary, KnowledgeItem.language, KnowledgeItem.licence,
                   KnowledgeItem.publication_date, KnowledgeItem.session_id, KnowledgeItem.authors,
                   KnowledgeItem.organisations, KnowledgeItem.title_en, KnowledgeItem.summary_en)


def _harvest(where: list[sa.ColumnElement[bool]], *, limit: int, full: bool) -> list[Harvested]:
    columns = _HEADER_COLUMNS + (_RECORD_COLUMNS if full else ())
    stmt = (sa.select(*columns).outerjoin(Congress, Congress.id == KnowledgeItem.congress_id).where(*where)
            .order_by(KnowledgeItem.updated_at, KnowledgeItem.id).limit(limit))
    found: list[Harvested] = []
    for row in db.session.execute(stmt):
        item = Harvested(*row[:7], withheld=bool(row[7]))
        if full:
            (item.title, item.summary, item.language, item.licence, item.publication_date, item.session_id,
             authors, organisations, item.title_en, item.summary_en) = row[8:]
            item.authors, item.organisations = list(authors or []), list(organisations or [])
        found.append(item)
    if not full or not found:
        return found
    by_id = {item.id: item for item in found}
    related: dict[int, set[str]] = {}
    if db.session.get_bind().dialect.name == "postgresql":
        # The five-part union's estimate makes PostgreSQL plan two parallel workers for a read of a few
        # hundred index rows: starting them cost 20-30 ms of each 35 ms page at 50,000 items (EXPLAIN
        # ANALYZE, docs/opendata.md). For this transaction only.
        db.session.execute(_NO_PARALLEL)
    for item_id, part, value, _order in db.session.execute(_SHOWN, {"ids": list(by_id)}):
        item = by_id[item_id]
        if part == "speaker":
            item.speakers.append(value)
        elif part == "format":
            item.formats.append(value)
        elif part == "related":
            related.setdefault(item_id, set()).add(value)
        elif part == "recording":
            item.recordings.append(value)
        else:
            item.terms.setdefault(part, []).append(value)
    for item_id, keys in related.items():
        by_id[item_id].related = sorted(keys)
    return found


def _shown_statement() -> sa.CompoundSelect:
    """What a page's records show of their relations, in **one** query for the whole page (rows of
    item id, part, value, order): terms (part = the term's kind), speakers' names, the formats of
    the files their uploader agreed to publish, and the keys of harvestable related items in both
    directions. Built once; the page's ids are an expanding parameter."""
    ids = sa.bindparam("ids", expanding=True)
    other = aliased(KnowledgeItem)
    harvestable = sa.or_(other.status.in_([ItemStatus.PUBLISHED.value, ItemStatus.WITHDRAWN.value]),
                         other.published_at.is_not(None))
    part, value = sa.String(32), sa.String(600)
    recording = sa.and_(KnowledgeRecording.item_id.in_(ids), recordings.public_clause())
    shown = sa.union_all(
        sa.select(KnowledgeTerm.item_id.label("item_id"), sa.cast(KnowledgeTerm.kind, part).label("part"),
                  sa.cast(KnowledgeTerm.value, value).label("value"), KnowledgeTerm.id.label("ord"))
        .where(KnowledgeTerm.item_id.in_(ids)),
        sa.select(knowledge_item_speakers.c.item_id, sa.cast(sa.literal_column("'speaker'"), part),
                  sa.cast(Person.name, value), knowledge_item_speakers.c.position)
        .join(Person, Person.id == knowledge_item_speakers.c.person_id)
        .where(knowledge_item_speakers.c.item_id.in_(ids)),
        sa.select(KnowledgeFile.item_id, sa.cast(sa.literal_column("'format'"), part),
                  sa.cast(KnowledgeFile.content_type, value), KnowledgeFile.id)
        .where(KnowledgeFile.item_id.in_(ids), KnowledgeFile.publication_consent.is_(True)),
        sa.select(knowledge_relations.c.item_id, sa.cast(sa.literal_column("'related'"), part),
                  sa.cast(other.key, value), sa.literal_column("0"))
        .join(other, other.id == knowledge_relations.c.related_id)
        .where(knowledge_relations.c.item_id.in_(ids), harvestable),
        sa.select(knowledge_relations.c.related_id, sa.cast(sa.literal_column("'related'"), part),
                  sa.cast(other.key, value), sa.literal_column("0"))
        .join(other, other.id == knowledge_relations.c.item_id)
        .where(knowledge_relations.c.related_id.in_(ids), harvestable),
        # Published recordings: the video's type (an uploaded file) and its captions' as formats, and
        # the recording itself as a relation.
        sa.select(KnowledgeRecording.item_id, sa.cast(sa.literal_column("'format'"), part),
                  sa.cast(KnowledgeRecording.content_type, value), KnowledgeRecording.id)
        .join(KnowledgeItem, KnowledgeItem.id == KnowledgeRecording.item_id)
        .where(recording, KnowledgeRecording.source == RecordingSource.FILE.value),
        sa.select(KnowledgeRecording.item_id, sa.cast(sa.literal_column("'format'"), part),
                  sa.cast(sa.literal_column("'text/vtt'"), value), sa.func.min(KnowledgeRecording.id))
        .join(KnowledgeItem, KnowledgeItem.id == KnowledgeRecording.item_id)
        .join(KnowledgeCaption, KnowledgeCaption.recording_id == KnowledgeRecording.id)
        .where(recording).group_by(KnowledgeRecording.item_id),
        sa.select(KnowledgeRecording.item_id, sa.cast(sa.literal_column("'recording'"), part),
                  sa.cast(sa.case((KnowledgeRecording.source == RecordingSource.FILE.value,
                                   sa.literal("file:") + sa.cast(KnowledgeRecording.id, sa.String(20))),
                                  else_=sa.literal("url:") + KnowledgeRecording.url), value),
                  KnowledgeRecording.id)
        .join(KnowledgeItem, KnowledgeItem.id == KnowledgeRecording.item_id)
        .where(recording),
    )
    return shown.order_by(sa.literal_column("item_id"), sa.literal_column("part"), sa.literal_column("ord"))


_SHOWN = _shown_statement()
_NO_PARALLEL = sa.text("SET LOCAL max_parallel_workers_per_gather = 0")


def harvest_page(scope: HarvestScope, *, after: tuple[datetime, int] | None = None, limit: int = 100,
                 full: bool = True) -> list[Harvested]:
    """One page of the scope's items in (updated_at, id) order, after ``after`` (the last one seen);
    ``full=False`` reads only what a header shows."""
    where = scope.where() + ([_after(after)] if after is not None else [])
    return _harvest(where, limit=limit, full=full)


def harvest_counts(scope: HarvestScope, *, through: tuple[datetime, int] | None = None) -> tuple[int, int]:
    """(items in the scope, of which at or before ``through``), in one pass over the index."""
    before = sa.literal(0) if through is None else sa.func.coalesce(
        sa.func.sum(sa.case((_after(through), 0), else_=1)), 0)
    total, upto = db.session.execute(
        sa.select(sa.func.count(KnowledgeItem.id), before).where(*scope.where())).one()
    return int(total), int(upto)


def harvest_changed_after(moment: datetime) -> bool:
    """Whether any item changed (or was added) after ``moment``: one step down the index on the last
    change. When none did, a paged list frozen at ``moment`` is exactly as it was (items are never
    deleted), so its size and a position's cursor need no counting."""
    return db.session.scalar(sa.select(sa.exists().where(KnowledgeItem.updated_at > moment))) or False


def harvest_item(key: str) -> Harvested | None:
    """The harvestable item with this key (published, or published once), with its record fields."""
    found = _harvest([KnowledgeItem.key == key, _HARVESTABLE], limit=1, full=True)
    return found[0] if found else None


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


@dataclass
class CatalogueFile:
    """A downloadable file of a published item, as an open-data catalogue lists it."""

    id: int
    filename: str
    content_type: str
    size: int
    description: str
    created_at: datetime
    licence: str  # "" = the item's


@dataclass
class CatalogueItem:
    """A published item that has files: a dataset of the catalogue (DCAT), read with column queries."""

    id: int
    key: str
    type: str
    title: str
    summary: str
    language: str
    licence: str
    publication_date: date | None
    published_at: datetime | None
    updated_at: datetime
    track_name: str
    authors: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    files: list[CatalogueFile] = field(default_factory=list)
    title_en: str = ""
    summary_en: str = ""


def catalogue_items() -> list[CatalogueItem]:
    """Every published item with at least one file, in id order, with its files and keywords: three
    queries whatever the number of items."""
    has_files = sa.exists().where(KnowledgeFile.item_id == KnowledgeItem.id,
                                  KnowledgeFile.publication_consent.is_(True))
    stmt = (sa.select(KnowledgeItem.id, KnowledgeItem.key, KnowledgeItem.type, KnowledgeItem.title,
                      KnowledgeItem.summary, KnowledgeItem.language, KnowledgeItem.licence,
                      KnowledgeItem.publication_date, KnowledgeItem.published_at, KnowledgeItem.updated_at,
                      KnowledgeItem.track_name, KnowledgeItem.authors, KnowledgeItem.organisations,
                      KnowledgeItem.title_en, KnowledgeItem.summary_en)
            .where(_LISTED, has_files).order_by(KnowledgeItem.id))
    items: dict[int, CatalogueItem] = {}
    for row in db.session.execute(stmt):
        *head, authors, organisations, title_en, summary_en = row
        items[row.id] = CatalogueItem(*head, authors=list(authors or []), organisations=list(organisations or []),
                                      title_en=title_en, summary_en=summary_en)
    if not items:
        return []
    published = _LISTED  # joined, not a list of ids: no bind limit
    for row in db.session.execute(
            sa.select(KnowledgeFile.item_id, KnowledgeFile.id, KnowledgeFile.filename, KnowledgeFile.content_type,
                      KnowledgeFile.size, KnowledgeFile.description, KnowledgeFile.created_at, KnowledgeFile.licence)
            .join(KnowledgeItem, KnowledgeItem.id == KnowledgeFile.item_id)
            .where(published, KnowledgeFile.publication_consent.is_(True))
            .order_by(KnowledgeFile.id)):
        if row.item_id in items:
            items[row.item_id].files.append(CatalogueFile(*row[1:]))
    for item_id, value in db.session.execute(
            sa.select(KnowledgeTerm.item_id, KnowledgeTerm.value)
            .join(KnowledgeItem, KnowledgeItem.id == KnowledgeTerm.item_id).where(published, has_files)
            .order_by(KnowledgeTerm.id)):
        if item_id in items and value not in items[item_id].keywords:
            items[item_id].keywords.append(value)
    return list(items.values())


@dataclass(frozen=True)
class EvaluationRow:
    """One session's published evaluation of an intervention, as its page lists them."""

    item: KnowledgeItem
    congress: Congress | None
    session_title: str
    responses: int
    mean: float | None
    scale_high: int | None


def evaluations_of_intervention(intervention: KnowledgeItem) -> list[EvaluationRow]:
    """The published evaluation items made from sessions' answers that evaluate this intervention
    (its process or effect evaluations), across editions: newest edition first, then by session."""
    rows = db.session.execute(
        sa.select(KnowledgeItem, SessionEvaluation)
        .join(SessionEvaluation, SessionEvaluation.item_id == KnowledgeItem.id)
        .join(knowledge_relations, knowledge_relations.c.related_id == KnowledgeItem.id)
        .outerjoin(Congress, Congress.id == SessionEvaluation.congress_id)
        .where(knowledge_relations.c.item_id == intervention.id,
               knowledge_relations.c.kind.in_([RelationKind.PROCESS_EVALUATION.value,
                                               RelationKind.EFFECT_EVALUATION.value]),
               KnowledgeItem.status == ItemStatus.PUBLISHED.value)
        .order_by(Congress.starts_on.desc(), SessionEvaluation.session_title, KnowledgeItem.id)
    ).all()
    return [EvaluationRow(item, figures.congress, figures.session_title, figures.responses, figures.mean,
                          figures.scale_high) for item, figures in rows]
