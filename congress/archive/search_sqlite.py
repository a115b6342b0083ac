"""SQLite FTS5 with Python-side Dutch stemming: the query is built from quoted FTS5 strings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from congress.archive import text as textmod
from congress.archive.search_engine import Engine
from congress.archive.search_query import ParsedQuery
from congress.extensions import db


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
        """The FTS5 expression of ``query``: each alternative a double-quoted string of stems
        (letters and digits only, so never FTS5 syntax), joined by fixed operators."""
        def clause(alternatives: Sequence[tuple[str, ...]]) -> str:
            return "(" + " OR ".join('"' + " ".join(textmod.stem(w) for w in m) + '"' for m in alternatives) + ")"

        expression = " AND ".join(clause(c) for c in query.include)
        if query.exclude:
            # FTS5's NOT is binary: (what must match) NOT (any excluded alternative).
            expression = f"({expression}) NOT " + clause([m for c in query.exclude for m in c])
        return expression

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
