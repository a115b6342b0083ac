"""One search service, two engines: SQLite FTS5 and PostgreSQL full-text search (a GIN index),
both holding the same Python-side Dutch stems (:func:`congress.archive.text.stem`), so both find
the same items.

User text never reaches the engine as query syntax: :func:`parse_query` turns it into clauses of
words and phrases (``OR``, ``-word``, ``AND`` and quotes read forgivingly), the editors' synonym
list widens them, and each engine builds its query from the stems with fixed operators (quoted
FTS5 strings, or a tsquery of quoted lexemes as one bound value). Any input yields results or none.

Filters, facet counts, totals and the date order read the narrow ``knowledge_search_facets`` table
(kept by database triggers, migration archive_0002), never the wide item rows.

The search is split along its parts: :mod:`~congress.archive.search_query` (parsing, filters,
results), :mod:`~congress.archive.search_facets` (filters and facet counts in SQL),
:mod:`~congress.archive.search_sqlite` and :mod:`~congress.archive.search_postgres` (the engines),
:mod:`~congress.archive.search_index` (keeping the index); this module runs a search and is the face.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from congress.archive import text as textmod
from congress.archive.models import ItemStatus, KnowledgeItem, KnowledgeTerm, SearchSynonym, SearchWord
from congress.archive.search_engine import Engine
from congress.archive.search_facets import (
    _ACTIVE,
    _FACET_TERMS,
    TERM_SEPARATOR,
    F,
    _columns_only,
    _conditions,
    _counted,
    _has_term,
    _sorted,
    _split,
    _terms_only,
    facet_counts,
    facet_rows,
    search_rows,
)
from congress.archive.search_index import (
    MAX_WORD,
    add_words,
    document_for,
    engine,
    index_item,
    index_items,
    reindex_all,
)
from congress.archive.search_postgres import PostgresEngine
from congress.archive.search_query import (
    FACETS,
    MAX_PAGE,
    MAX_PHRASES,
    MAX_QUERY_CHARS,
    MAX_TERMS,
    PER_PAGE,
    PHRASE,
    SMALL_MATCH,
    Hit,
    ParsedQuery,
    SearchFilters,
    SearchResult,
    parse_query,
)
from congress.archive.search_sqlite import SqliteEngine
from congress.extensions import db

# The face: callers and tests use these through ``search`` (``search.SMALL_MATCH`` is read here,
# so a test may lower it on this module).
__all__ = [
    "FACETS", "MAX_PAGE", "MAX_PHRASES", "MAX_QUERY_CHARS", "MAX_TERMS", "PER_PAGE", "PHRASE", "SMALL_MATCH",
    "TERM_SEPARATOR", "Engine", "F", "Hit", "ParsedQuery", "PostgresEngine", "SearchFilters", "SearchResult",
    "SqliteEngine", "_ACTIVE", "_FACET_TERMS", "_columns_only", "_conditions", "_counted", "_has_term", "_sorted",
    "_split", "_terms_only", "add_words", "document_for", "engine", "facet_counts", "facet_rows", "index_item",
    "index_items",
    "parse_query", "reindex_all", "related_items", "search", "search_rows", "snippet_for", "suggestion",
    "synonym_groups",
]


def _small_result(filters: SearchFilters, ids: list[int], scores: dict[int, float] | None, offset: int,
                  per_page: int, facets: bool) -> tuple[int, list[int], dict[str, list[tuple[Any, int]]]]:
    """Total, the page's ids and the facets of a small set of matches, computed here with the same
    rules as :func:`facet_counts` (each facet ignores its own filter)."""
    rows = db.session.execute(
        sa.select(F.item_id, F.type, F.track_name, F.year, F.language, F.publication_date, F.factors,
                  F.target_groups, F.evidence_status)
        .where(engine().id_condition(F.item_id, ids),
               F.status.in_(list(filters.statuses)) if filters.statuses else sa.true())
    ).all()
    wanted = {name: {str(v) for v in getattr(filters, attr)} for name, attr in _ACTIVE.items()}
    column = {"type": 1, "track": 2, "year": 3, "language": 4, "factor": 6, "target_group": 7, "level": 8}

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
    query = parse_query(raw_query).expanded(synonym_groups())
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


def synonym_groups() -> list[list[tuple[str, ...]]]:
    """The editors' synonym list as groups of folded words (each member a word or a phrase)."""
    groups = []
    for (words,) in db.session.execute(sa.select(SearchSynonym.words)):
        group = [tuple(textmod.words(member)) for member in words.split(",")]
        group = [m for m in group if m]
        if len(group) > 1:
            groups.append(group)
    return groups


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of two words, or ``limit + 1`` once it is certain to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _closest_word(word: str) -> str | None:
    """The indexed word nearest to ``word`` (at most 1 edit for words up to 5 letters, 2 beyond),
    from the words starting with the same letter; None when ``word`` is itself indexed."""
    limit = 1 if len(word) <= 5 else 2
    lower, upper = word[0], chr(ord(word[0]) + 1)
    candidates = db.session.scalars(
        sa.select(SearchWord.word).where(
            SearchWord.word >= lower, SearchWord.word < upper,
            sa.func.length(SearchWord.word).between(len(word) - limit, len(word) + limit))
    ).all()
    if word in candidates:
        return None
    scored = sorted((_distance(word, c, limit), abs(len(c) - len(word)), c) for c in candidates)
    return scored[0][2] if scored and scored[0][0] <= limit else None


def suggestion(raw_query: str | None, filters: SearchFilters | None = None) -> str | None:
    """A "did you mean" query for a search that found nothing: each word of the query not in the
    index's vocabulary replaced by the nearest word that is, offered only if it finds items."""
    raw = (raw_query or "")[:MAX_QUERY_CHARS]
    changed = False
    looked_up = 0

    def replace(token: re.Match[str]) -> str:
        nonlocal changed, looked_up
        word = textmod.fold(token.group())
        if (len(word) < 3 or len(word) > MAX_WORD or word.isdigit() or token.group() in ("OR", "OF", "AND", "EN")
                or looked_up >= MAX_TERMS):
            return token.group()
        looked_up += 1  # at most as many look-ups as a query has words
        better = _closest_word(word)
        if better is None:
            return token.group()
        changed = True
        return better

    suggested = textmod.WORD.sub(replace, raw)
    if not changed or parse_query(suggested).empty:
        return None
    return suggested if search(suggested, filters, facets=False, per_page=1).total else None


def snippet_for(item: KnowledgeItem, stems: set[str]) -> Markup | None:
    """The summary (or body, or file text) around the first matching word, escaped then marked."""
    def sources() -> Iterator[str]:
        # The summary in the reader's language first, then the other one (both are indexed).
        shown = item.summary_for()
        yield shown
        yield item.summary_en if shown == item.summary else item.summary
        yield textmod.markdown_to_text(item.body)
        for stored in item.public_files:
            yield stored.extracted_text

    if stems:
        for source in sources():
            marked = textmod.highlight(source, stems)
            if marked is not None:
                return marked
    summary = item.summary_for() or textmod.markdown_to_text(item.body)
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
