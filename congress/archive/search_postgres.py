"""PostgreSQL full-text search: documents of the application's Dutch stems, a GIN index, and (the search rows
carrying the facet columns) a text search with its facets in one statement."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from congress.archive import text as textmod
from congress.archive.search_engine import Engine
from congress.archive.search_facets import (
    _ACTIVE,
    _FACET_COLUMNS,
    _FACET_TERMS,
    _columns_only,
    _conditions,
    _counted,
    _terms_only,
    search_rows,
)
from congress.archive.search_query import ParsedQuery, SearchFilters
from congress.extensions import db

MAX_POSITION = 16_383
MAX_POSITIONS = 256


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
                      S.target_groups, S.evidence_status, score.label("score"))
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
                "INSERT INTO knowledge_search (item_id, document) VALUES (:id, CAST(:document AS tsvector)) "
                "ON CONFLICT (item_id) DO UPDATE SET document = excluded.document"
            ),
            [{"id": r["id"], "document": self.document(r)} for r in rows],
        )

    @staticmethod
    def document(row: dict[str, Any]) -> str:
        """The tsvector of an item, written here from the stems the SQLite index stores (the same
        Python analysis on both databases, so both find the same items): title weighted A, summary
        B, body C, positions counted on across the fields with a gap, so that a phrase never spans
        two fields (as FTS5's columns). Stems hold letters and digits only: quoted, they are
        literal lexemes. PostgreSQL keeps positions up to 16,383 and 256 of them a lexeme."""
        positions: dict[str, list[str]] = {}
        at = 0
        for field, weight in (("title", "A"), ("summary", "B"), ("body", "C")):
            for word in textmod.words(row[field] or ""):
                at += 1
                found = positions.setdefault(textmod.stem(word), [])
                if len(found) < MAX_POSITIONS:
                    found.append(f"{min(at, MAX_POSITION)}{weight}")
            at += 1
        return " ".join(f"'{lexeme}':{','.join(p)}" for lexeme, p in positions.items())

    @staticmethod
    def _tsquery(query: ParsedQuery) -> tuple[str, dict[str, str]]:
        """The tsquery of ``query`` as one bound text cast to tsquery: its lexemes are stems
        (letters and digits, quoted) and its operators fixed here, so the user's text is never
        tsquery syntax and the stems are taken as they are (no second analysis)."""
        def alternative(match: tuple[str, ...]) -> str:
            return "(" + " <-> ".join(f"'{textmod.stem(w)}'" for w in match) + ")"

        def clause(alternatives: Sequence[tuple[str, ...]]) -> str:
            return "(" + " | ".join(alternative(m) for m in alternatives) + ")"

        expression = " & ".join(clause(c) for c in query.include)
        if query.exclude:
            expression = f"({expression}) & !" + clause([m for c in query.exclude for m in c])
        return "CAST(:tsquery AS tsquery)", {"tsquery": expression}

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
