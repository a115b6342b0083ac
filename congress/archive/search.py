"""One search service, two engines: SQLite FTS5 (Python-side Dutch stemming) and PostgreSQL
full-text search (the `dutch` configuration, a GIN index).

User text never reaches the engine as query syntax: :func:`parse_query` turns it into words and
phrases, and each engine gets a query built from those (quoted FTS5 strings, or
``plainto_tsquery``/``phraseto_tsquery`` arguments). Any input therefore yields results or none.

Filters, facet counts, totals and the date order read the narrow ``knowledge_search_facets`` table
(kept by database triggers, migration archive_0002), never the wide item rows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import selectinload

from congress.archive import text as textmod
from congress.archive.models import FACETS_TABLE, SEARCH_TABLE, ItemStatus, KnowledgeItem, KnowledgeTerm
from congress.database import transactional
from congress.extensions import db

MAX_QUERY_CHARS = 500
MAX_TERMS = 16
MAX_PHRASES = 4
PER_PAGE = 20
MAX_PAGE = 500
# Up to this many full-text matches, their ids drive the queries; beyond, the match runs inside them.
SMALL_MATCH = 2000
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
    # Up to this many matches, their ids are handed to the following queries.
    max_ids = SMALL_MATCH

    def id_condition(self, column: Any, ids: list[int]) -> Any:
        return column.in_(ids)

    # True when scoring the matches costs little more than finding them: the first query then
    # returns the scores too, and the page is ranked from them (see :func:`_ranked_page`).
    scores_at_once = False
    # True when the engine's index rows carry the facet columns: a text search is then one
    # statement (see :meth:`PostgresEngine.search_once`).
    one_statement = False

    def index(self, rows: Sequence[dict[str, Any]]) -> None:
        raise NotImplementedError

    def fetch_matches(self, query: ParsedQuery, ranked: bool, limit: int) -> dict[int, float]:
        """Up to ``limit`` matches, item id to score (0 when not ``ranked``)."""
        found = self.matches(query, ranked=ranked)
        return dict(db.session.execute(sa.select(found.c.item_id, found.c.score).limit(limit)).all())


    def matches(self, query: ParsedQuery, ranked: bool = True) -> sa.Subquery:
        """(item_id, score) of matching items; a higher score is a better match. Unranked (for
        counts and facets) the score is 0 and cheaper to get."""
        raise NotImplementedError


class SqliteEngine(Engine):
    name = "sqlite"
    # The SQL below names the index table (SEARCH_TABLE) literally: no text is ever formatted in.

    def index(self, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        ids = [{"id": r["id"]} for r in rows]
        db.session.execute(sa.text("DELETE FROM knowledge_search WHERE rowid = :id"), ids)
        db.session.execute(
            sa.text("INSERT INTO knowledge_search (rowid, title, summary, body) VALUES (:id, :title, :summary, :body)"),
            [{"id": r["id"], "title": textmod.analyse(r["title"]), "summary": textmod.analyse(r["summary"]),
              "body": textmod.analyse(r["body"])} for r in rows],
        )

    @staticmethod
    def fts_query(query: ParsedQuery) -> str:
        # Stems hold letters and digits only, so double quotes make each one a plain FTS5 string.
        parts = [f'"{textmod.stem(t)}"' for t in query.terms]
        parts += ['"' + " ".join(textmod.stem(w) for w in phrase) + '"' for phrase in query.phrases]
        return " AND ".join(parts)

    def matches(self, query: ParsedQuery, ranked: bool = True) -> sa.Subquery:
        sql = (
            "SELECT rowid AS item_id, -bm25(knowledge_search, 8.0, 3.0, 1.0) AS score "
            "FROM knowledge_search WHERE knowledge_search MATCH :fts"
            if ranked else
            "SELECT rowid AS item_id, 0.0 AS score FROM knowledge_search WHERE knowledge_search MATCH :fts"
        )
        return (
            sa.text(sql)
            .bindparams(fts=self.fts_query(query))
            .columns(item_id=sa.Integer, score=sa.Float)
            .subquery("fts")
        )


class PostgresEngine(Engine):
    name = "postgresql"
    max_ids = 200_000
    scores_at_once = True
    one_statement = True

    @staticmethod
    @contextmanager
    def _in_memory_costs() -> Iterator[None]:
        # The planner prices a bitmap scan of the GIN index at random_page_cost (4: a disk seek) a
        # heap page and the test of each row's document as almost free, so for a word in a quarter
        # of the items it reads the whole table instead (3-4 times slower here). The index and
        # table are read from memory: price that for this one query, then restore the setting.
        previous = db.session.scalar(sa.text("SELECT current_setting('random_page_cost')"))
        db.session.execute(sa.text("SELECT set_config('random_page_cost', '1.1', true)"))
        try:
            yield
        finally:
            db.session.execute(sa.text("SELECT set_config('random_page_cost', :v, true)"), {"v": previous})

    def fetch_matches(self, query: ParsedQuery, ranked: bool, limit: int) -> dict[int, float]:
        with self._in_memory_costs():
            return super().fetch_matches(query, ranked, limit)

    def search_once(self, query: ParsedQuery, filters: SearchFilters, ranked: bool, offset: int,
                    per_page: int) -> tuple[int, list[int], dict[str, list[tuple[Any, int]]]]:
        """Total, the page's ids and the facets of a text search in one statement. The search rows
        carry a copy of the facet columns (migration archive_0003), so the one bitmap scan of the
        GIN index that finds and ranks the matches also yields everything to count and filter on:

        * ``m`` (materialised): id, score and facet columns of the matches with an allowed status;
        * both facet groupings of :func:`_counted` in one pass over ``m`` (GROUPING SETS), each
          counted with its own filters (``count(*) FILTER``);
        * the page: the matches passing every filter, by score (or date), date, id; exact.
        """
        tsquery, params = self._tsquery(query)
        q = sa.text(f"SELECT {tsquery} AS query").bindparams(**params).columns(
            query=postgresql.TSQUERY).subquery("q")
        S = search_rows.c
        # One condition per active facet filter. A match failing two of them counts nowhere (each
        # facet leaves out only its own filter) and is left out of m; only a match passing all of
        # them can be on the page, so only those are scored.
        each = [cond for attr in _ACTIVE.values() if getattr(filters, attr)
                for cond in _conditions(SearchFilters(statuses=(), **{attr: getattr(filters, attr)}), columns=S)]
        score: Any = sa.func.ts_rank_cd(S.document, q.c.query) if ranked else sa.literal(0.0, sa.Float)
        if ranked and each:
            score = sa.case((sa.and_(*each), score), else_=sa.null())
        at_most_one_fails = (
            [sum(sa.case((cond, 0), else_=1) for cond in each) <= 1] if len(each) > 1 else []
        )
        m = (
            sa.select(S.item_id, S.type, S.track_name, S.year, S.language, S.publication_date, S.factors,
                      S.target_groups, score.label("score"))
            .select_from(search_rows.join(q, sa.true()))
            .where(S.document.op("@@")(q.c.query),
                   *_conditions(SearchFilters(statuses=filters.statuses), columns=S), *at_most_one_fails)
            .cte("m").prefix_with("MATERIALIZED")
        )
        no_status = {"statuses": ()}

        def counted(sql_filters: SearchFilters) -> Any:
            conditions = _conditions(SearchFilters(**{**sql_filters.__dict__, **no_status}), columns=m.c)
            return sa.func.count().filter(sa.and_(*conditions)) if conditions else sa.func.count()

        keys = [m.c[c] for c in (*_FACET_COLUMNS.values(), *_FACET_TERMS.values())]
        groups = (
            sa.select(sa.func.grouping(m.c.type), *keys, counted(_terms_only(filters)),
                      counted(_columns_only(filters)), sa.null().cast(postgresql.ARRAY(sa.Integer)))
            .group_by(sa.func.grouping_sets(sa.tuple_(*[m.c[c] for c in _FACET_COLUMNS.values()]),
                                            sa.tuple_(*[m.c[c] for c in _FACET_TERMS.values()])))
        )
        order = [m.c.score.desc()] if ranked else []
        order += [m.c.publication_date.desc().nulls_last(), m.c.item_id.desc()]
        page = (sa.select(m.c.item_id, m.c.score, m.c.publication_date)
                .where(*_conditions(SearchFilters(**{**filters.__dict__, **no_status}), columns=m.c))
                .order_by(*order).limit(per_page).offset(offset).subquery("page"))
        page_order = [page.c.score.desc()] if ranked else []
        page_order += [page.c.publication_date.desc().nulls_last(), page.c.item_id.desc()]
        page_ids = sa.select(sa.literal(2), *[sa.null()] * (len(keys) + 2),
                             sa.func.array_agg(postgresql.aggregate_order_by(page.c.item_id, *page_order)))
        with self._in_memory_costs():
            rows = db.session.execute(groups.union_all(page_ids)).all()
        column_groups, term_groups, ids = [], [], []
        n = len(_FACET_COLUMNS)
        for row in rows:
            if row[0] == 2:
                ids = list(row[-1] or [])
            elif row[0] == 0 and row[-3]:
                column_groups.append((*row[1:1 + n], row[-3]))
            elif row[0] == 1 and row[-2]:
                term_groups.append((*row[1 + n:1 + len(keys)], row[-2]))
        facets, total = _counted(filters, column_groups, term_groups)
        return total, ids, facets


    def id_condition(self, column: Any, ids: list[int]) -> Any:
        # One array parameter, however many ids: = ANY(%(ids)s).
        return column == sa.any_(sa.bindparam("match_ids", ids, type_=postgresql.ARRAY(sa.Integer)))

    def index(self, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        db.session.execute(
            sa.text(
                "INSERT INTO knowledge_search (item_id, document) VALUES (:id, "
                "setweight(to_tsvector('dutch', :title), 'A') || setweight(to_tsvector('dutch', :summary), 'B') "
                "|| setweight(to_tsvector('dutch', :body), 'C')) "
                "ON CONFLICT (item_id) DO UPDATE SET document = excluded.document"
            ),
            # Accents folded here (as unaccent would), so the stored vectors and the index stay immutable.
            [{"id": r["id"], "title": textmod.fold(r["title"]), "summary": textmod.fold(r["summary"]),
              "body": textmod.fold(r["body"])} for r in rows],
        )

    @staticmethod
    def _tsquery(query: ParsedQuery) -> tuple[str, dict[str, str]]:
        parts, params = [], {}
        if query.terms:
            parts.append("plainto_tsquery('dutch', :terms)")
            params["terms"] = " ".join(query.terms)
        for i, phrase in enumerate(query.phrases):
            parts.append(f"phraseto_tsquery('dutch', :phrase{i})")
            params[f"phrase{i}"] = " ".join(phrase)
        # Only fixed SQL fragments are joined here; the user's words are bound parameters.
        return " && ".join(parts), params

    def matches(self, query: ParsedQuery, ranked: bool = True) -> sa.Subquery:
        tsquery, params = self._tsquery(query)
        score = "ts_rank_cd(s.document, q.query)" if ranked else "0.0"
        sql = " ".join(["SELECT s.item_id AS item_id,", score, "AS score FROM knowledge_search s, (SELECT", tsquery,
                        "AS query) q WHERE s.document @@ q.query"])
        return (
            sa.text(sql)
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


@transactional
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

# The narrow facet table (migration archive_0002): one row per item with what the search filters,
# counts and sorts on; database triggers keep it equal to knowledge_items and knowledge_terms.
# Protective factors and target groups are held as their values joined by TERM_SEPARATOR.
TERM_SEPARATOR = "\x1f"
facet_rows = sa.table(
    FACETS_TABLE,
    sa.column("item_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("type", sa.String),
    sa.column("year", sa.Integer),
    sa.column("language", sa.String),
    sa.column("track_name", sa.String),
    sa.column("publication_date", sa.Date),
    sa.column("factors", sa.String),
    sa.column("target_groups", sa.String),
)
F = facet_rows.c
# On PostgreSQL the full-text rows carry a copy of the facet columns (migration archive_0003).
search_rows = sa.table(
    SEARCH_TABLE,
    sa.column("item_id", sa.Integer),
    sa.column("document", postgresql.TSVECTOR),
    *[sa.column(c.name, c.type) for c in facet_rows.c if c.name != "item_id"],
)

# Facet name to column name (the same names in the facet table and, on PostgreSQL, the search rows).
_FACET_COLUMNS = {"type": "type", "track": "track_name", "year": "year", "language": "language"}
_FACET_TERMS = {"factor": "factors", "target_group": "target_groups"}
_ACTIVE = {"type": "types", "track": "tracks", "year": "years", "language": "languages", "factor": "factors",
           "target_group": "target_groups"}


def _split(joined: str | None) -> list[str]:
    return [v for v in (joined or "").split(TERM_SEPARATOR) if v]


def _has_term(column: Any, values: Sequence[str]) -> Any:
    """The item has one of ``values`` in this multi-valued facet (exact, case-sensitive match)."""
    find = sa.func.strpos if db.engine.dialect.name == "postgresql" else sa.func.instr
    sep = sa.literal(TERM_SEPARATOR)
    return sa.or_(*[find(sep + column + sep, TERM_SEPARATOR + v + TERM_SEPARATOR) > 0 for v in values])


def _conditions(filters: SearchFilters, skip: str | None = None, *, text_match: bool = False,
                match: Any = None, columns: Any = F) -> list[Any]:
    """The filters as SQL conditions on ``columns`` (the facet table's, or the search rows')."""
    conditions: list[Any] = [] if match is None else [match]
    if filters.statuses:
        status = columns.status
        if text_match and db.engine.dialect.name == "sqlite":
            # SQLite has no statistics here and would walk the status index (nearly every item);
            # "+status" disqualifies that index, so the full-text matches drive the query.
            status = sa.literal_column(f"+{FACETS_TABLE}.status")
        conditions.append(status.in_(list(filters.statuses)))
    for name, column in _FACET_COLUMNS.items():
        values = getattr(filters, _ACTIVE[name])
        if values and skip != name:
            conditions.append(columns[column].in_(list(values)))
    for name, column in _FACET_TERMS.items():
        values = getattr(filters, _ACTIVE[name])
        if values and skip != name:
            conditions.append(_has_term(columns[column], list(values)))
    return conditions


def _sorted(counts: dict[Any, int]) -> list[tuple[Any, int]]:
    return sorted(((v, n) for v, n in counts.items() if v not in (None, "")), key=lambda vn: (-vn[1], str(vn[0])))


def facet_counts(filters: SearchFilters, source: Any, text_match: bool,
                 match: Any = None) -> tuple[dict[str, list[tuple[Any, int]]], int]:
    """Counts per facet value over the results without that facet's own filter (so the other
    values stay visible as alternatives), and the number of results. ``source`` is the facet
    table, joined to the full-text matches when there is a text query.

    Two GROUP BY queries, whatever filters are active: the item columns (type, track, year,
    language) grouped together with only the status and term filters in SQL, and the terms
    (protective factors and target groups, grouped by their joined values) with only the status
    and column filters in SQL; the remaining filters are applied per group (:func:`_counted`)."""
    def grouped(columns: list[Any], sql_filters: SearchFilters) -> Any:
        stmt = (sa.select(*columns, sa.func.count()).select_from(source)
                .where(*_conditions(sql_filters, text_match=text_match, match=match)).group_by(*columns))
        return db.session.execute(stmt).all()

    return _counted(filters, grouped([F[c] for c in _FACET_COLUMNS.values()], _terms_only(filters)),
                    grouped([F[c] for c in _FACET_TERMS.values()], _columns_only(filters)))


def _terms_only(filters: SearchFilters) -> SearchFilters:
    """The filters the groups of the item columns are counted with in SQL (see :func:`_counted`)."""
    return SearchFilters(statuses=filters.statuses, factors=filters.factors, target_groups=filters.target_groups)


def _columns_only(filters: SearchFilters) -> SearchFilters:
    """The filters the groups of the terms are counted with in SQL (see :func:`_counted`)."""
    return SearchFilters(**{**filters.__dict__, "factors": (), "target_groups": ()})


def _counted(filters: SearchFilters, column_groups: Sequence[Sequence[Any]],
             term_groups: Sequence[Sequence[Any]]) -> tuple[dict[str, list[tuple[Any, int]]], int]:
    """Facet counts and total from the two groupings: ``column_groups`` rows of (type, track, year,
    language, count) counted with the :func:`_terms_only` filters, ``term_groups`` rows of (joined
    factors, joined target groups, count) with the :func:`_columns_only` filters. The remaining
    filters are applied here per group, each facet leaving out its own."""
    wanted = {name: {str(v) for v in getattr(filters, attr)} for name, attr in _ACTIVE.items()
              if getattr(filters, attr)}
    result: dict[str, dict[Any, int]] = {name: {} for name in FACETS}

    def add(values: dict[str, set[Any]], count: int) -> bool:
        failing = [name for name in values if name in wanted and not {str(v) for v in values[name]} & wanted[name]]
        if len(failing) <= 1:
            for name in values:
                if not failing or failing[0] == name:
                    for value in values[name]:
                        result[name][value] = result[name].get(value, 0) + count
        return not failing

    total = 0
    names = list(_FACET_COLUMNS)
    for row in column_groups:
        values = {name: set() if value is None else {value} for name, value in zip(names, row[:-1], strict=True)}
        if add(values, row[-1]):
            total += row[-1]
    names = list(_FACET_TERMS)
    for row in term_groups:
        add({name: set(_split(joined)) for name, joined in zip(names, row[:-1], strict=True)}, row[-1])
    return {name: _sorted(counts) for name, counts in result.items()}, total


def _small_result(filters: SearchFilters, ids: list[int], scores: dict[int, float] | None, offset: int,
                  per_page: int, facets: bool) -> tuple[int, list[int], dict[str, list[tuple[Any, int]]]]:
    """Total, the page's ids and the facets of a small set of matches, computed here with the same
    rules as :func:`facet_counts` (each facet ignores its own filter)."""
    rows = db.session.execute(
        sa.select(F.item_id, F.type, F.track_name, F.year, F.language, F.publication_date, F.factors,
                  F.target_groups)
        .where(engine().id_condition(F.item_id, ids),
               F.status.in_(list(filters.statuses)) if filters.statuses else sa.true())
    ).all()
    wanted = {name: {str(v) for v in getattr(filters, attr)} for name, attr in _ACTIVE.items()}
    column = {"type": 1, "track": 2, "year": 3, "language": 4, "factor": 6, "target_group": 7}

    def values(row: Any, name: str) -> set[str]:
        value = row[column[name]]
        if name in _FACET_TERMS:
            return set(_split(value))
        return set() if value in (None, "") else {str(value)}

    def passes(row: Any, name: str) -> bool:
        if not wanted[name]:
            return True
        # As the SQL filters: an empty track is a value a filter can ask for (it is not counted).
        value = row[column[name]]
        found = set(_split(value)) if name in _FACET_TERMS else set() if value is None else {str(value)}
        return bool(found & wanted[name])

    counts: dict[str, dict[Any, int]] = {name: {} for name in FACETS}
    results = []
    for row in rows:
        failing = [name for name in FACETS if not passes(row, name)]
        if not failing:
            results.append(row)
        if facets and len(failing) <= 1:
            for name in FACETS:
                if failing and failing[0] != name:
                    continue
                for value in values(row, name):
                    key: Any = int(value) if name == "year" else value
                    counts[name][key] = counts[name].get(key, 0) + 1
    if scores is not None:
        results.sort(key=lambda r: (-scores.get(r[0], 0.0), -(r[5].toordinal() if r[5] else 0), -r[0]))
    else:
        results.sort(key=lambda r: (-(r[5].toordinal() if r[5] else 0), -r[0]))
    page_ids = [r[0] for r in results[offset:offset + per_page]]
    return len(results), page_ids, ({name: _sorted(c) for name, c in counts.items()} if facets else {})


def _ranked_page(filters: SearchFilters, scores: dict[int, float], offset: int, per_page: int) -> list[int]:
    """The page of the best-scored matches that pass ``filters``, by score, then date, then id.

    The facet rows are read for the best scores first, in growing chunks (ties at a chunk's edge
    stay together): every item after a chunk scores strictly lower than every item in it, so once
    enough items passed the filters, the rest cannot come before them. Exact, and for a broad
    query only a few hundred of its thousands of matches are read."""
    order = sorted(scores, key=scores.__getitem__, reverse=True)
    need = offset + per_page
    start, size = 0, max(need * 4, 200)
    passed: list[Any] = []
    while start < len(order) and len(passed) < need:
        end = min(start + size, len(order))
        while end < len(order) and scores[order[end]] == scores[order[end - 1]]:
            end += 1
        passed += db.session.execute(
            sa.select(F.item_id, F.publication_date)
            .where(engine().id_condition(F.item_id, order[start:end]), *_conditions(filters))
        ).all()
        start, size = end, size * 4
    passed.sort(key=lambda r: (-scores[r[0]], -(r[1].toordinal() if r[1] else 0), -r[0]))
    return [r[0] for r in passed[offset:offset + per_page]]


def search(
    raw_query: str | None = "",
    filters: SearchFilters | None = None,
    *,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = PER_PAGE,
    facets: bool = True,
    full: bool = False,
) -> SearchResult:
    """One page of items for ``raw_query`` and ``filters``, with facet counts. ``full`` also loads
    each item's terms and edition (for the API)."""
    filters = filters or SearchFilters()
    query = parse_query(raw_query)
    page = min(max(page, 1), MAX_PAGE)
    ranked = not query.empty and sort != "date"
    offset = (page - 1) * per_page
    source: Any = facet_rows
    match: Any = None
    scored: dict[int, float] | None = None  # the scores of many matches, when the engine gave them
    scores: dict[int, float] | None = None
    ranked_matches: sa.Subquery | None = None
    fts = engine()
    single = not query.empty and fts.one_statement
    if not query.empty and not single:
        plain = fts.matches(query, ranked=False)
        found = fts.fetch_matches(query, ranked and fts.scores_at_once, fts.max_ids + 1)
        found_ids = list(found)
        if not found_ids:
            return SearchResult(hits=[], total=0, page=page, per_page=per_page,
                                facets={name: [] for name in FACETS} if facets else {}, query=query)
        if len(found_ids) <= SMALL_MATCH:
            if ranked and fts.scores_at_once:
                scores = found
            elif ranked:
                candidates = fts.matches(query, ranked=True)
                scores = dict(db.session.execute(sa.select(candidates.c.item_id, candidates.c.score)).all())
            else:
                scores = dict.fromkeys(found_ids, 0.0)
        elif len(found_ids) <= fts.max_ids:
            # The ids of the matches drive the following queries (the match runs once).
            match = fts.id_condition(F.item_id, found_ids)
            if ranked and fts.scores_at_once:
                scored = found
        else:
            # Very many matches: each query joins the facet rows to the engine's matches.
            source = plain.join(facet_rows, F.item_id == plain.c.item_id)
        if scores is None and ranked and scored is None:
            ranked_matches = fts.matches(query, ranked=True)

    if single:
        # The engine's index rows carry the facet columns: one statement does it all.
        total, page_ids, facet_values = fts.search_once(query, filters, ranked, offset, per_page)
        if not facets:
            facet_values = {}
    elif scores is not None:
        # Few matches: one read of their facet rows; filter, count and rank here.
        total, page_ids, facet_values = _small_result(filters, list(scores), scores if ranked else None,
                                                      offset, per_page, facets)
    else:
        text_match = not query.empty
        total = None
        facet_values: dict[str, list[tuple[Any, int]]] = {}
        if facets:
            facet_values, total = facet_counts(filters, source, text_match, match)
        if total is None:
            total = db.session.scalar(
                sa.select(sa.func.count()).select_from(source)
                .where(*_conditions(filters, text_match=text_match, match=match))
            ) or 0
        by_date = (F.publication_date.desc().nulls_last(), F.item_id.desc())
        if scored is not None:
            stmt = None
        elif ranked_matches is not None:
            stmt = (sa.select(F.item_id).select_from(ranked_matches.join(facet_rows,
                                                                         F.item_id == ranked_matches.c.item_id))
                    .where(*_conditions(filters, text_match=True))
                    .order_by(ranked_matches.c.score.desc(), *by_date))
        else:
            stmt = sa.select(F.item_id).select_from(source).where(
                *_conditions(filters, text_match=text_match, match=match)).order_by(*by_date)
        if not total:
            page_ids = []
        elif stmt is None:
            page_ids = _ranked_page(filters, scored or {}, offset, per_page)
        else:
            page_ids = list(db.session.scalars(stmt.limit(per_page).offset(offset)))
    options = [selectinload(KnowledgeItem.files)]
    if full:
        options += [selectinload(KnowledgeItem.terms), selectinload(KnowledgeItem.congress)]
    loaded = {
        i.id: i
        for i in db.session.scalars(sa.select(KnowledgeItem).where(KnowledgeItem.id.in_(page_ids)).options(*options))
    } if page_ids else {}
    stems = query.stems
    hits = [Hit(loaded[i], snippet_for(loaded[i], stems)) for i in page_ids if i in loaded]

    return SearchResult(hits=hits, total=total or 0, page=page, per_page=per_page, facets=facet_values, query=query)


def snippet_for(item: KnowledgeItem, stems: set[str]) -> Markup | None:
    """The summary (or body, or file text) around the first matching word, escaped then marked."""
    def sources() -> Iterator[str]:
        yield item.summary
        yield textmod.markdown_to_text(item.body)
        for stored in item.files:
            yield stored.extracted_text

    if stems:
        for source in sources():
            marked = textmod.highlight(source, stems)
            if marked is not None:
                return marked
    summary = item.summary or textmod.markdown_to_text(item.body)
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
