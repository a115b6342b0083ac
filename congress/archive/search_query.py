"""What a search asks and gets: the user's text parsed into words and phrases (never query
syntax), the filters, and a page of results."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from congress.archive import text as textmod
from congress.archive.models import ItemStatus, KnowledgeItem

MAX_QUERY_CHARS = 500
MAX_TERMS = 16
MAX_PHRASES = 4
PER_PAGE = 20
MAX_PAGE = 500
# Up to this many full-text matches, their ids drive the queries; beyond, the match runs inside them.
SMALL_MATCH = 2000
PHRASE = re.compile(r'"([^"]*)"')

FACETS = ("type", "level", "track", "year", "factor", "target_group", "language")


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
    levels: Sequence[str] = ()
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
