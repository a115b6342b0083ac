"""Text from outside stops at the edge when a database cannot store it.

NUL characters (PostgreSQL refuses them in text; SQLite stores them and exports break) and unpaired
surrogates (no database can encode them; JSON's ``"\\ud800"`` makes one) are:

- refused in JSON bodies of the API, with a 422 naming the field (``congress.schemas``);
- stripped from every form post and query string, for every form at once, by a request hook
  (``init_app``): what is left is what the person typed, and the form validates it as usual.

The same rule holds on SQLite and PostgreSQL, because it runs before either sees the text.
"""

from __future__ import annotations

import re
import unicodedata

import nh3
from flask import Flask, Request, request
from markdown_it import MarkdownIt
from markupsafe import Markup
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter, Map

_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")


def has_forbidden_characters(text: str) -> bool:
    """NUL or a surrogate code point (in a Python str every surrogate is unpaired)."""
    return _FORBIDDEN.search(text) is not None


# Letters that Unicode does not decompose into a base letter and a mark.
_LETTERS = str.maketrans({"ı": "i", "ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
                          "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "ð": "d"})


def fold(text: str) -> str:
    """Lower case without diacritics: "Geïnteresseerd" → "geinteresseerd", "Yılmaz" → "yilmaz" (the
    knowledge archive's index and the check-in station's name search)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def clean(text: str) -> str:
    return _FORBIDDEN.sub("", text)


def _cleaned(values: MultiDict) -> ImmutableMultiDict | None:
    if not any(has_forbidden_characters(k) or has_forbidden_characters(v)
               for k, v in values.items(multi=True) if isinstance(v, str)):
        return None
    return ImmutableMultiDict([(clean(k), clean(v) if isinstance(v, str) else v)
                               for k, v in values.items(multi=True)])


def sanitise_request(req: Request) -> None:
    """Strip NUL and surrogates from the query string and a posted form (urlencoded or multipart)."""
    args = _cleaned(req.args)
    if args is not None:
        req.args = args  # type: ignore[misc]
    if req.method in ("POST", "PUT", "PATCH", "DELETE") and req.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        form = _cleaned(req.form)
        if form is not None:
            req.form = form  # type: ignore[misc]


MAX_ID = 2**31 - 1


def query_int(args: MultiDict, name: str, default: int | None = None, *, low: int = 1,
              high: int = MAX_ID) -> int | None:
    """A whole number from the query string within what the database holds (ids, page numbers):
    anything else (text, 2**63, -5) is ``default``."""
    text = args.get(name, "")
    if not isinstance(text, str) or not text.isdigit() or len(text) > 10:
        return default
    value = int(text)
    return value if low <= value <= high else default


# --- Markdown written by staff (knowledge archive, privacy statements) --------------------------

MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
MARKDOWN_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "hr",
}


def render_markdown(source: str) -> Markup:
    """Markdown to HTML, sanitised with nh3 (raw HTML in the source is escaped, then cleaned)."""
    rendered = MARKDOWN.render(source or "")
    cleaned = nh3.clean(
        rendered,
        tags=MARKDOWN_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)  # noqa: S704 - sanitised by nh3 just above


class BoundedInteger(IntegerConverter):
    """``<int:…>`` in every route: a number beyond :data:`MAX_ID`, which no id column holds, matches no
    route (404) instead of overflowing the database driver (SQLite's and PostgreSQL's integers)."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    # Before any blueprint adds its routes: the converter is chosen when a rule is added.
    app.url_map.converters["int"] = BoundedInteger

    @app.before_request
    def _sanitise() -> None:
        sanitise_request(request._get_current_object())  # type: ignore[attr-defined]
