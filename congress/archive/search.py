"""One search service, two engines: SQLite FTS5 (Python-side Dutch stemming) and PostgreSQL
full-text search (the `dutch` configuration, a GIN index).

User text never reaches the engine as query syntax: :func:`parse_query` turns it into words and
phrases, and each engine gets a query built from those (quoted FTS5 strings, or
``plainto_tsquery``/``phraseto_tsquery`` arguments). Any input therefore yields results or none.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup

from congress.archive import text as textmod
from congress.archive.models import SEARCH_TABLE, ItemStatus, KnowledgeItem, KnowledgeTerm, TermKind
from congress.extensions import db

MAX_QUERY_CHARS = 500
MAX_TERMS = 16
MAX_PHRASES = 4
PER_PAGE = 20
MAX_PAGE = 500
PHRASE = re.compile(r'"([^"]*)"')

FACETS = ("type", "track", "year", "factor", "target_group", "language")


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[str, ...] = ()  # folded words, stop words left out
    phrases: tuple[tuple[str, ...], ...] = ()  # folded words of each phrase, in order

    @property
    def empty(self) -> bool:
        return not self.terms and not self.phrases

    @property
    def stems(self) -> set[str]:
        found = {textmod.stem(t) for t in self.terms}
        for phrase in self.phrases:
            found |= {textmod.stem(w) for w in phrase}
        return found


def parse_query(raw: str | None) -> ParsedQuery:
    """Words and "quoted phrases"; operators, stars and unbalanced quotes are just text."""
    raw = (raw or "")[:MAX_QUERY_CHARS]
    phrases: list[tuple[str, ...]] = []
    for match in PHRASE.finditer(raw):
        phrase = tuple(textmod.words(match.group(1)))
        if len(phrase) > 1 and len(phrases) < MAX_PHRASES:
            phrases.append(phrase[:MAX_TERMS])
        elif phrase:
            raw += " " + " ".join(phrase)
    loose = PHRASE.sub(" ", raw)
    terms: list[str] = []
    for word in textmod.words(loose):
        if word not in textmod.STOP_WORDS and word not in terms:
            terms.append(word)
    return ParsedQuery(tuple(terms[:MAX_TERMS]), tuple(phrases))


@dataclass
class SearchFilters:
    types: Sequence[str] = ()
    tracks: Sequence[str] = ()
    years: Sequence[int] = ()
    factors: Sequence[str] = ()
    target_groups: Sequence[str] = ()
    languages: Sequence[str] = ()
    statuses: Sequence[str] = (ItemStatus.PUBLISHED.value,)


@dataclass
class Hit:
    item: KnowledgeItem
    snippet: Markup | None


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    facets: dict[str, list[tuple[Any, int]]] = field(default_factory=dict)
    query: ParsedQuery = field(default_factory=ParsedQuery)

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


# ---------------------------------------------------------------- engines

class Engine:
    name = ""

    def index(self, rows: Sequence[dict[str, Any]]) -> None:
        raise NotImplementedError

    def remove(self, item_id: int) -> None:
        db.session.execute(sa.text(f"DELETE FROM {SEARCH_TABLE} WHERE {self.key} = :id"), {"id": item_id})

    key = "item_id"

    def matches(self, query: ParsedQuery) -> sa.Subquery:
        """(item_id, score) of matching items; a higher score is a better match."""
        raise NotImplementedError


class SqliteEngine(Engine):
    name = "sqlite"
    key = "rowid"

    def index(self, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        ids = [{"id": r["id"]} for r in rows]
        db.session.execute(sa.text(f"DELETE FROM {SEARCH_TABLE} WHERE rowid = :id"), ids)
        db.session.execute(
            sa.text(f"INSERT INTO {SEARCH_TABLE} (rowid, title, summary, body) VALUES (:id, :title, :summary, :body)"),
            [{"id": r["id"], "title": textmod.analyse(r["title"]), "summary": textmod.analyse(r["summary"]),
              "body": textmod.analyse(r["body"])} for r in rows],
        )

    @staticmethod
    def fts_query(query: ParsedQuery) -> str:
        # Stems hold letters and digits only, so double quotes make each one a plain FTS5 string.
        parts = [f'"{textmod.stem(t)}"' for t in query.terms]
        parts += ['"' + " ".join(textmod.stem(w) for w in phrase) + '"' for phrase in query.phrases]
        return " AND ".join(parts)

    def matches(self, query: ParsedQuery) -> sa.Subquery:
        return (
            sa.text(
                f"SELECT rowid AS item_id, -bm25({SEARCH_TABLE}, 8.0, 3.0, 1.0) AS score "
                f"FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :fts"
            )
            .bindparams(fts=self.fts_query(query))
            .columns(item_id=sa.Integer, score=sa.Float)
            .subquery("fts")
        )


class PostgresEngine(Engine):
    name = "postgresql"

    def index(self, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        db.session.execute(
            sa.text(
                f"INSERT INTO {SEARCH_TABLE} (item_id, document) VALUES (:id, "
                "setweight(to_tsvector('dutch', :title), 'A') || setweight(to_tsvector('dutch', :summary), 'B') "
                "|| setweight(to_tsvector('dutch', :body), 'C')) "
                "ON CONFLICT (item_id) DO UPDATE SET document = excluded.document"
            ),
            # Accents folded here (as unaccent would), so the stored vectors and the index stay immutable.
            [{"id": r["id"], "title": textmod.fold(r["title"]), "summary": textmod.fold(r["summary"]),
              "body": textmod.fold(r["body"])} for r in rows],
        )

    def matches(self, query: ParsedQuery) -> sa.Subquery:
        parts, params = [], {}
        if query.terms:
            parts.append("plainto_tsquery('dutch', :terms)")
            params["terms"] = " ".join(query.terms)
        for i, phrase in enumerate(query.phrases):
            parts.append(f"phraseto_tsquery('dutch', :phrase{i})")
            params[f"phrase{i}"] = " ".join(phrase)
        tsquery = " && ".join(parts)
        return (
            sa.text(
                f"SELECT s.item_id AS item_id, ts_rank_cd(s.document, q.query) AS score "
                f"FROM {SEARCH_TABLE} s, (SELECT {tsquery} AS query) q WHERE s.document @@ q.query"
            )
            .bindparams(**params)
            .columns(item_id=sa.Integer, score=sa.Float)
            .subquery("fts")
        )


def engine() -> Engine:
    return PostgresEngine() if db.engine.dialect.name == "postgresql" else SqliteEngine()


# ---------------------------------------------------------------- indexing

def document_for(item: KnowledgeItem) -> dict[str, Any]:
    summary = " ".join([item.summary, " ".join(item.authors or []), " ".join(item.organisations or []),
                        " ".join(t.value for t in item.terms), item.track_name or "", item.setting or ""])
    body = " ".join([textmod.markdown_to_text(item.body), *(f.extracted_text for f in item.files)])
    return {"id": item.id, "title": item.title, "summary": summary, "body": body}


def index_items(items: Sequence[KnowledgeItem]) -> None:
    """(Re)write the index rows of ``items`` in the current transaction."""
    engine().index([document_for(item) for item in items])


def index_item(item: KnowledgeItem) -> None:
    index_items([item])


def reindex_all(batch: int = 500) -> int:
    count = 0
    last_id = 0
    while True:
        items = db.session.scalars(
            sa.select(KnowledgeItem).where(KnowledgeItem.id > last_id).order_by(KnowledgeItem.id).limit(batch)
        ).all()
        if not items:
            return count
        index_items(items)
        count += len(items)
        last_id = items[-1].id


# ---------------------------------------------------------------- searching

def _term_filter(kind: TermKind, values: Sequence[str]) -> Any:
    return KnowledgeItem.id.in_(
        sa.select(KnowledgeTerm.item_id).where(KnowledgeTerm.kind == kind.value, KnowledgeTerm.value.in_(values))
    )


def _conditions(filters: SearchFilters, skip: str | None = None) -> list[Any]:
    conditions: list[Any] = []
    if filters.statuses:
        conditions.append(KnowledgeItem.status.in_(list(filters.statuses)))
    if filters.types and skip != "type":
        conditions.append(KnowledgeItem.type.in_(list(filters.types)))
    if filters.tracks and skip != "track":
        conditions.append(KnowledgeItem.track_name.in_(list(filters.tracks)))
    if filters.years and skip != "year":
        conditions.append(KnowledgeItem.year.in_(list(filters.years)))
    if filters.languages and skip != "language":
        conditions.append(KnowledgeItem.language.in_(list(filters.languages)))
    if filters.factors and skip != "factor":
        conditions.append(_term_filter(TermKind.FACTOR, filters.factors))
    if filters.target_groups and skip != "target_group":
        conditions.append(_term_filter(TermKind.TARGET_GROUP, filters.target_groups))
    return conditions


_FACET_COLUMNS = {
    "type": KnowledgeItem.type,
    "track": KnowledgeItem.track_name,
    "year": KnowledgeItem.year,
    "language": KnowledgeItem.language,
}
_FACET_TERMS = {"factor": TermKind.FACTOR, "target_group": TermKind.TARGET_GROUP}


def _facet_counts(name: str, filters: SearchFilters, matches: sa.Subquery | None) -> list[tuple[Any, int]]:
    """Counts for one facet over the results without that facet's own filter (so the other
    values stay visible as alternatives)."""
    count = sa.func.count()
    if name in _FACET_COLUMNS:
        column = _FACET_COLUMNS[name]
        stmt = sa.select(column, count).select_from(KnowledgeItem)
    else:
        column = KnowledgeTerm.value
        stmt = (
            sa.select(column, count)
            .select_from(KnowledgeItem)
            .join(KnowledgeTerm, KnowledgeTerm.item_id == KnowledgeItem.id)
            .where(KnowledgeTerm.kind == _FACET_TERMS[name].value)
        )
    if matches is not None:
        stmt = stmt.join(matches, matches.c.item_id == KnowledgeItem.id)
    stmt = stmt.where(*_conditions(filters, skip=name)).group_by(column).order_by(count.desc(), column)
    return [(value, n) for value, n in db.session.execute(stmt) if value not in (None, "")]


def search(
    raw_query: str | None = "",
    filters: SearchFilters | None = None,
    *,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = PER_PAGE,
    facets: bool = True,
) -> SearchResult:
    filters = filters or SearchFilters()
    query = parse_query(raw_query)
    page = min(max(page, 1), MAX_PAGE)
    matches = None if query.empty else engine().matches(query)

    base = sa.select(KnowledgeItem.id).where(*_conditions(filters))
    if matches is not None:
        base = base.join(matches, matches.c.item_id == KnowledgeItem.id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0

    by_date = (KnowledgeItem.publication_date.desc().nulls_last(), KnowledgeItem.id.desc())
    if matches is not None and sort != "date":
        order = (matches.c.score.desc(), *by_date)
    else:
        order = by_date
    ids = list(db.session.scalars(base.order_by(*order).limit(per_page).offset((page - 1) * per_page)))
    loaded = {i.id: i for i in db.session.scalars(sa.select(KnowledgeItem).where(KnowledgeItem.id.in_(ids)))}
    stems = query.stems
    hits = [Hit(loaded[i], snippet_for(loaded[i], stems)) for i in ids if i in loaded]

    facet_counts = {name: _facet_counts(name, filters, matches) for name in FACETS} if facets else {}
    return SearchResult(hits=hits, total=total, page=page, per_page=per_page, facets=facet_counts, query=query)


def snippet_for(item: KnowledgeItem, stems: set[str]) -> Markup | None:
    """The summary (or body, or file text) around the first matching word, escaped then marked."""
    sources = [item.summary, textmod.markdown_to_text(item.body), *(f.extracted_text for f in item.files)]
    if stems:
        for source in sources:
            marked = textmod.highlight(source, stems)
            if marked is not None:
                return marked
    summary = item.summary or sources[1]
    if not summary:
        return None
    return Markup.escape(summary if len(summary) <= 300 else summary[:300].rsplit(" ", 1)[0] + " …")


def related_items(item: KnowledgeItem, limit: int = 5) -> list[KnowledgeItem]:
    """Explicit relations first, then published items sharing the most terms or the same track."""
    found: list[KnowledgeItem] = [r for r in item.related if r.is_public]
    reverse = db.session.scalars(
        sa.select(KnowledgeItem)
        .join(sa.table("knowledge_relations", sa.column("item_id"), sa.column("related_id")),
              sa.literal_column("knowledge_relations.item_id") == KnowledgeItem.id)
        .where(sa.literal_column("knowledge_relations.related_id") == item.id,
               KnowledgeItem.status == ItemStatus.PUBLISHED.value)
    ).all()
    for other in reverse:
        if other not in found:
            found.append(other)
    if len(found) >= limit:
        return found[:limit]
    values = [t.value for t in item.terms]
    shared = sa.func.count(KnowledgeTerm.id)
    stmt = (
        sa.select(KnowledgeItem.id, shared)
        .join(KnowledgeTerm, KnowledgeTerm.item_id == KnowledgeItem.id)
        .where(KnowledgeItem.status == ItemStatus.PUBLISHED.value, KnowledgeItem.id != item.id,
               KnowledgeTerm.value.in_(values) if values else sa.false())
        .group_by(KnowledgeItem.id)
        .order_by(shared.desc(), KnowledgeItem.id.desc())
        .limit(limit * 2)
    )
    candidate_ids = [row[0] for row in db.session.execute(stmt)]
    if item.track_name:
        candidate_ids += list(db.session.scalars(
            sa.select(KnowledgeItem.id).where(
                KnowledgeItem.status == ItemStatus.PUBLISHED.value, KnowledgeItem.id != item.id,
                KnowledgeItem.track_name == item.track_name,
            ).order_by(KnowledgeItem.publication_date.desc().nulls_last()).limit(limit)
        ))
    for candidate_id in candidate_ids:
        if len(found) >= limit:
            break
        candidate = db.session.get(KnowledgeItem, candidate_id)
        if candidate is not None and candidate not in found and candidate.id != item.id:
            found.append(candidate)
    return found
