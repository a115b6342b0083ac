"""The search's synonym list, kept by editors (re-exported by :mod:`congress.archive.services`):
groups of words or phrases a search treats as one (:func:`congress.archive.search.synonym_groups`)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from congress.archive import text as textmod
from congress.archive.errors import ArchiveError
from congress.archive.models import SearchSynonym
from congress.audit.services import record
from congress.database import transactional
from congress.extensions import db

# The editors' synonym list: one group a line, its members separated by commas.
MAX_SYNONYM_WORDS = 500


def _synonym_members(words: str) -> list[str]:
    members: list[str] = []
    for member in words.split(","):
        member = " ".join(member.split())
        if member and member.casefold() not in {m.casefold() for m in members}:
            members.append(member)
    if len(members) < 2 or any(not textmod.words(m) for m in members):
        raise ArchiveError(_("Give two or more words or phrases, separated by commas."), code="synonyms", field="words")
    joined = ", ".join(members)
    if len(joined) > MAX_SYNONYM_WORDS:
        raise ArchiveError(_("At most %(n)s characters.", n=MAX_SYNONYM_WORDS), code="synonyms", field="words")
    return members


def synonyms() -> list[SearchSynonym]:
    return list(db.session.scalars(sa.select(SearchSynonym).order_by(SearchSynonym.words, SearchSynonym.id)))


@transactional
def save_synonym(words: str, synonym: SearchSynonym | None = None) -> SearchSynonym:
    """Add a group of equivalent search words, or change one: the search uses it at once (no
    reindex: queries are widened, the index stays as it is)."""
    joined = ", ".join(_synonym_members(words))
    if synonym is None:
        synonym = SearchSynonym(words=joined)
        db.session.add(synonym)
    else:
        synonym.words = joined
    db.session.flush()
    record("archive.synonym.save", synonym, words=joined)
    return synonym


@transactional
def delete_synonym(synonym: SearchSynonym) -> None:
    record("archive.synonym.delete", synonym, words=synonym.words)
    db.session.delete(synonym)
