"""The filters, facet counts and totals, read from the narrow ``knowledge_search_facets`` table
(kept by database triggers, migration archive_0002), never from the wide item rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from congress.archive.models import FACETS_TABLE, SEARCH_TABLE
from congress.archive.search_query import FACETS, SearchFilters
from congress.extensions import db

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
    sa.column("evidence_status", sa.String),  # the recognition level (migration archive_0006)
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
_FACET_COLUMNS = {"type": "type", "track": "track_name", "year": "year", "language": "language",
                  "level": "evidence_status"}
_FACET_TERMS = {"factor": "factors", "target_group": "target_groups"}
_ACTIVE = {"type": "types", "track": "tracks", "year": "years", "language": "languages", "level": "levels",
           "factor": "factors", "target_group": "target_groups"}


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
    language, level) grouped together with only the status and term filters in SQL, and the terms
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
    language, level, count) counted with the :func:`_terms_only` filters, ``term_groups`` rows of (joined
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
