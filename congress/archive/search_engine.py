"""What a full-text engine offers the search (:mod:`congress.archive.search_sqlite`,
:mod:`congress.archive.search_postgres`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from congress.archive.search_query import SMALL_MATCH, ParsedQuery
from congress.extensions import db


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
