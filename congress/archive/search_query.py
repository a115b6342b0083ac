"""What a search asks and gets: the user's text parsed into clauses of words and phrases (never
query syntax), the filters, and a page of results."""

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


# One alternative: the folded words of a word (one) or a phrase (several, in order).
Match = tuple[str, ...]
# Alternatives of which one must match ("a OR b", or a word and its synonyms).
Clause = tuple[Match, ...]

OR_WORDS = frozenset({"OR", "OF"})  # as typed, in capitals; "of" in lower case is a word
AND_WORDS = frozenset({"AND", "EN"})
# A quoted phrase (a minus before it excludes it), a run of other characters, or a lone quote.
TOKEN = re.compile(r'(-?)"([^"]*)"|([^\s"]+)|"')


@dataclass(frozen=True)
class ParsedQuery:
    """What the user asked, as data: every clause of ``include`` must match (one of its
    alternatives), no clause of ``exclude`` may. Never query syntax: each engine builds its own
    query from these words (see :meth:`SqliteEngine.fts_query`, :meth:`PostgresEngine._tsquery`)."""

    include: tuple[Clause, ...] = ()
    exclude: tuple[Clause, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.include

    @property
    def terms(self) -> tuple[str, ...]:
        """The single words asked for (not excluded), in order."""
        return tuple(m[0] for clause in self.include for m in clause if len(m) == 1)

    @property
    def phrases(self) -> tuple[Match, ...]:
        return tuple(m for clause in self.include for m in clause if len(m) > 1)

    @property
    def stems(self) -> set[str]:
        """The stems to mark in snippets: of every word asked for (excluded words are not)."""
        return {textmod.stem(w) for clause in self.include for m in clause for w in m}

    def expanded(self, groups: Sequence[Sequence[Match]]) -> ParsedQuery:
        """The query with each alternative's equivalents of ``groups`` (the editors' word list)
        added to its clause: "jongeren" also finds "jeugd" when both are in one group."""
        if not groups:
            return self
        keyed = [{tuple(textmod.stem(w) for w in m) for m in group} for group in groups]

        def widen(clause: Clause) -> Clause:
            out = list(clause)
            for match in clause:
                key = tuple(textmod.stem(w) for w in match)
                for group, keys in zip(groups, keyed, strict=True):
                    if key in keys:
                        out += [m for m in group if m not in out]
            return tuple(out)

        return ParsedQuery(tuple(widen(c) for c in self.include), tuple(widen(c) for c in self.exclude))


def _matches(text: str, quoted: bool) -> list[Match]:
    words = textmod.words(text)
    if not words:
        return []
    if quoted or len(words) > 1:
        # "quoted words" and words joined by a hyphen or other marks (ouder-netwerken) are a phrase.
        if len(words) == 1:
            return [] if words[0] in textmod.STOP_WORDS and not quoted else [(words[0],)]
        return [tuple(words[:MAX_TERMS])]
    return [] if words[0] in textmod.STOP_WORDS else [(words[0],)]


def parse_query(raw: str | None) -> ParsedQuery:
    """The query syntax people type, parsed forgivingly: words (all must match), "quoted
    phrases", ``OR`` between alternatives, ``-word`` or ``-"a phrase"`` to exclude, ``AND`` as a
    plain conjunction. Whatever is not syntax is text: a lone quote, a lone ``-``, ``OR OR``, a
    leading ``OR``, stars, brackets and ``NEAR`` are left out or read as words. A query of only
    exclusions lists everything (nothing to exclude from)."""
    raw = (raw or "")[:MAX_QUERY_CHARS]
    include: list[list[Match]] = []
    exclude: list[list[Match]] = []
    joining = False  # an OR came after the last clause
    words_used = phrases_used = 0
    for token in TOKEN.finditer(raw):
        negated, quoted, bare = token.group(1), token.group(2), token.group(3)
        if quoted is None and bare is None:
            continue  # an unbalanced quote
        if bare is not None:
            if bare in OR_WORDS:
                joining = bool(include)
                continue
            if bare in AND_WORDS:
                joining = False
                continue
            negated = "-" if bare.startswith("-") else ""
            text, is_quoted = bare.lstrip("-"), False
        else:
            text, is_quoted = quoted, True
        for match in _matches(text, is_quoted):
            if len(match) > 1:
                if phrases_used >= MAX_PHRASES:
                    continue
                phrases_used += 1
            if words_used >= MAX_TERMS:
                break
            words_used += 1
            if negated:
                if [match] not in exclude:
                    exclude.append([match])
                joining = False
            elif joining and include:
                if match not in include[-1]:
                    include[-1].append(match)
                joining = False
            else:
                if [match] not in include:
                    include.append([match])
    if not include:
        return ParsedQuery()
    return ParsedQuery(tuple(tuple(c) for c in include), tuple(tuple(c) for c in exclude))


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
