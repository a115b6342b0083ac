"""Text analysis shared by indexing, querying and highlighting: accent folding, words, Dutch stems,
and Markdown rendered to sanitised HTML."""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
import snowballstemmer
from markupsafe import Markup

# fold: the one accent folding (the check-in station's name search folds with it too).
from congress.sanitize import MARKDOWN, MARKDOWN_TAGS, fold, render_markdown  # noqa: F401 - re-exported for the archive

WORD = re.compile(r"[^\W_]+", re.UNICODE)
# The Porter variant of Snowball's Dutch stemmer: the one PostgreSQL's `dutch` configuration uses.
_stemmer = snowballstemmer.stemmer("dutch_porter")

# Snowball's Dutch stop words (as PostgreSQL's `dutch` dictionary): left out of loose query terms.
STOP_WORDS = frozenset(
    ["aan", "al", "alles", "als", "altijd", "andere", "ben", "bij", "daar", "dan", "dat", "de", "der", "deze",
        "die", "dit", "doch", "doen", "door", "dus", "een", "eens", "en", "er", "ge", "geen", "geweest", "haar",
        "had", "heb", "hebben", "heeft", "hem", "het", "hier", "hij", "hoe", "hun", "iemand", "iets", "ik", "in",
        "is", "ja", "je", "kan", "kon", "kunnen", "maar", "me", "meer", "men", "met", "mij", "mijn", "moet", "na",
        "naar", "niet", "niets", "nog", "nu", "of", "om", "omdat", "onder", "ons", "ook", "op", "over", "reeds", "te",
        "tegen", "toch", "toen", "tot", "u", "uit", "uw", "van", "veel", "voor", "want", "waren", "was", "wat",
        "werd", "wezen", "wie", "wil", "worden", "wordt", "zal", "ze", "zelf", "zich", "zij", "zijn", "zo", "zonder",
        "zou"]
)

# The one Markdown renderer lives in the foundation (the privacy statements use it too).
_markdown = MARKDOWN
ALLOWED_TAGS = MARKDOWN_TAGS


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


# Derivations the stemmer leaves apart: a noun in -atie (-aties) and its verb in -eren (also
# -ering, -eringen) share the root: polarisatie, polariseren, polarisering -> "polaris"; evaluatie,
# evalueren -> "evalu". Applied to Snowball's stem, only to long stems (jongeren stays "jonger").
_VERB = re.compile(r"(?:eren|ering|eringen)$")
_NOUN = re.compile(r"(?:atie|aties)$")
_ROOT_MIN = 5


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The index key of a folded word: Snowball's Dutch stem, then the -atie/-eren derivation
    folded onto one root. The same function indexes and queries on both databases."""
    base = _stemmer.stemWord(word)
    if _VERB.search(word) and base.endswith("er") and len(base) - 2 >= _ROOT_MIN:
        return base[:-2]
    if _NOUN.search(word) and base.endswith("atie") and len(base) - 4 >= _ROOT_MIN - 1:
        return base[:-4]
    return base


def analyse(text: str) -> str:
    """The text as the index stores it on SQLite: folded, stemmed words in their order."""
    return " ".join(stem(w) for w in words(text))


def markdown_to_text(source: str) -> str:
    """The words of a Markdown text without markup (for the index and snippets)."""
    rendered = _markdown.render(source or "")
    return html.unescape(nh3.clean(rendered, tags=set())).strip()


@lru_cache(maxsize=200_000)
def word_key(word: str) -> str:
    """The stem of a word as written (folded first)."""
    return stem(fold(word))


def highlight(text: str, stems: set[str], *, width: int = 28) -> Markup | None:
    """A window of ``text`` around the first word whose stem is asked for: escaped, then marked.

    Returns None when no word matches.
    """
    if not text or not stems:
        return None
    found: list[tuple[int, int]] = []
    first_hit = None
    for match in WORD.finditer(text):
        found.append(match.span())
        if first_hit is None and word_key(match.group()) in stems:
            first_hit = len(found) - 1
        if first_hit is not None and len(found) > first_hit + width:
            break
    if first_hit is None:
        return None
    first = max(first_hit - width // 3, 0)
    last = min(first + width, len(found)) - 1
    more = last < len(found) - 1 or found[last][1] < len(text.rstrip())
    start = found[first][0] if first > 0 else 0
    pieces: list[str] = ["… " if first > 0 else ""]
    cursor = start
    for i in range(first, last + 1):
        s, e = found[i]
        pieces.append(html.escape(text[cursor:s]))
        word = text[s:e]
        escaped = html.escape(word)
        pieces.append(f"<mark>{escaped}</mark>" if word_key(word) in stems else escaped)
        cursor = e
    tail = text[cursor:]
    pieces.append(" …" if more and WORD.search(tail) else html.escape(tail))
    return Markup("".join(pieces))  # noqa: S704 - every piece escaped above
