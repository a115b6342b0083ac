"""Keeping the full-text index: the engine of the database in use, and the document of an item."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from congress.archive import text as textmod
from congress.archive.models import KnowledgeItem, SearchWord
from congress.archive.search_engine import Engine
from congress.archive.search_postgres import PostgresEngine
from congress.archive.search_sqlite import SqliteEngine
from congress.database import transactional
from congress.extensions import db


def engine() -> Engine:
    return PostgresEngine() if db.engine.dialect.name == "postgresql" else SqliteEngine()


def document_for(item: KnowledgeItem) -> dict[str, Any]:
    summary = " ".join([item.summary, item.summary_en, " ".join(item.authors or []), " ".join(item.organisations or []),
                        " ".join(t.value for t in item.terms), item.track_name or "", item.setting or "",
                        item.aim or "", " ".join(item.implementers or [])])
    # An intervention's descriptions (the databanks' fields) are found like its text.
    body = " ".join([textmod.markdown_to_text(item.body), item.approach or "", item.active_ingredients or "",
                     item.tested_at or "", item.manual or "", *(f.extracted_text for f in item.public_files)])
    # Both languages' titles and summaries are found (a Dutch reader may search in English and back).
    title = f"{item.title} {item.title_en}" if item.title_en else item.title
    return {"id": item.id, "title": title, "summary": summary, "body": body}


# Longer runs of letters are not words anyone misspells (codes, URLs): not in the vocabulary.
MAX_WORD = 40


def index_items(items: Sequence[KnowledgeItem]) -> None:
    """(Re)write the index rows of ``items`` in the current transaction, and add their words to
    the vocabulary of "did you mean"."""
    rows = [document_for(item) for item in items]
    engine().index(rows)
    add_words(rows)


def add_words(rows: Sequence[dict[str, Any]]) -> None:
    """Add the words of index rows to ``knowledge_search_words`` (those not there yet)."""
    found = {w for r in rows for field in ("title", "summary", "body") for w in textmod.words(r[field] or "")
             if 2 < len(w) <= MAX_WORD and not w.isdigit()}
    if not found:
        return
    wanted = sorted(found)
    known: set[str] = set()
    for start in range(0, len(wanted), 900):
        chunk = wanted[start:start + 900]
        known.update(db.session.scalars(sa.select(SearchWord.word).where(SearchWord.word.in_(chunk))))
    new = [{"word": w} for w in wanted if w not in known]
    if new:
        # Another transaction may add the same word at the same time: the key keeps one.
        db.session.execute(sa.text("INSERT INTO knowledge_search_words (word) VALUES (:word) "
                                   "ON CONFLICT (word) DO NOTHING"), new)


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
