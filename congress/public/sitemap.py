"""``/sitemap.xml`` and ``robots.txt``: what search engines may read and where it is.

The sitemap lists the public pages (home, knowledge base), every public edition with its programme,
sessions and speakers, and every published knowledge item, each with its last change. Above 50,000
URLs (the protocol's limit per file) ``/sitemap.xml`` is an index of ``/sitemap-<n>.xml`` parts of
at most 50,000 each; items fill the parts after the editions' pages, in id order, so a part's
contents only grow at the end. Drafts, withdrawn items and staff pages are never listed; URLs
come from ``PUBLIC_BASE_URL``, never from the request.

The items' lines (50,000 of them take a few hundred milliseconds to read and write) are kept in
memory under ``archive.queries.items_stamp()`` (how many items, the latest change), the base URL and
the part: any change of an item makes new lines, written from one escaped URL template and the
moments as the database formats them (``archive.queries.published_lastmods``). :func:`plain_part`
writes a part without any of that (no cache, every URL through the URL map, each moment formatted in
Python); tests/public/test_sitemap.py compares the two.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from cachetools import LRUCache

from congress.archive import queries as archive
from congress.core import queries as core
from congress.programme import queries as programme
from congress.urls import external_url

LIMIT = 50_000  # URLs per sitemap file (sitemaps.org)
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
# Every page exists in both languages (``?lang=``, as the pages' own ``hreflang`` links name them):
# each URL lists them as alternates (Google's sitemap extension, ``xhtml:link``).
LANGUAGES = ("nl", "en")
_KEY = "__KEY__"  # placeholder built once, so 50,000 item URLs are string joins, not URL builds

Url = tuple[str, datetime | None]


def _stamp(moment: datetime | None) -> str:
    return f"<lastmod>{moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}</lastmod>" if moment else ""


def edition_urls() -> list[Url]:
    """The site's own pages and every public edition's pages, programme and people."""
    urls: list[Url] = [(external_url("public.index"), None), (external_url("archive.index"), None)]
    for congress in core.public_congresses():
        version = programme.latest_version(congress)
        changed = version.published_at if version is not None else None
        urls.append((external_url("public.edition", slug=congress.slug), changed))
        if version is None:
            continue
        urls.append((external_url("programme.programme_page", slug=congress.slug), changed))
        urls.append((external_url("programme.speakers_page", slug=congress.slug), changed))
        urls += [(external_url("programme.session_page", slug=congress.slug, session_id=s.id), changed)
                 for s in programme.public_sessions(congress)]
        urls += [(external_url("programme.speaker_page", slug=congress.slug, person_id=p.id), changed)
                 for p in programme.speakers_of(congress)]
    return urls


def item_url_template() -> str:
    return external_url("archive.item", key=_KEY)


def part_count(editions: int | None = None) -> int:
    total = (len(edition_urls()) if editions is None else editions) + archive.published_count()
    return max(1, -(-total // LIMIT))


def _item_range(number: int, editions: list[Url]) -> tuple[int, int]:
    """How many published items come before part ``number``, and how many it holds."""
    start = (number - 1) * LIMIT
    end = start + LIMIT
    return max(0, start - len(editions)), max(0, end - max(start, len(editions)))


def _lines(urls: Iterator[Url]) -> list[str]:
    return [f"<url><loc>{(safe := escape(loc))}</loc>{_stamp(changed)}{_alternates(safe)}</url>"
            for loc, changed in urls]


def _alternates(loc: str) -> str:
    """The page in each language: the same URL with ``?lang=`` (``&`` already escaped in ``loc``)."""
    joiner = "&amp;" if "?" in loc else "?"
    return "".join(f'<xhtml:link rel="alternate" hreflang="{code}" href="{loc}{joiner}lang={code}"/>'
                   for code in LANGUAGES)


def urlset(urls: Iterator[Url]) -> str:
    lines = [f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{NAMESPACE}" xmlns:xhtml="{XHTML}">',
             *_lines(urls), "</urlset>\n"]
    return "\n".join(lines)


class _ItemLines:
    """The items' lines of the recent parts, behind a lock (threaded workers)."""

    def __init__(self) -> None:
        self.entries: LRUCache[tuple, str] = LRUCache(maxsize=8)
        self.lock = threading.Lock()

    def get(self, key: tuple) -> str | None:
        with self.lock:
            return self.entries.get(key)

    def put(self, key: tuple, value: str) -> None:
        with self.lock:
            self.entries[key] = value

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


item_lines = _ItemLines()


def _part(number: int, editions: list[Url]) -> str:
    """Part ``number``: the editions' lines written now, the items' from the cache while no item changed."""
    skip, wanted = _item_range(number, editions)
    start = (number - 1) * LIMIT
    head = [f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{NAMESPACE}" xmlns:xhtml="{XHTML}">',
            *_lines(iter(editions[start:start + LIMIT]))]
    items = ""
    if wanted > 0:
        key = (archive.items_stamp(), item_url_template(), skip, wanted)
        cached = item_lines.get(key)
        if cached is None:
            before, after = escape(item_url_template()).split(_KEY)
            cached = "\n".join(
                f"<url><loc>{(loc := before + escape(k) + after)}</loc><lastmod>{lastmod}</lastmod>"
                f"{_alternates(loc)}</url>" for k, lastmod in archive.published_lastmods(limit=skip + wanted)[skip:])
            item_lines.put(key, cached)
        items = cached
    return "\n".join([*head, *([items] if items else []), "</urlset>\n"])


def plain_part(number: int) -> str | None:
    """Part ``number`` written from scratch, every URL built through the URL map (no cache, no
    template): the reference the cached :func:`part` is compared with."""
    editions = edition_urls()
    if not 1 <= number <= part_count(len(editions)):
        return None
    skip, wanted = _item_range(number, editions)
    start = (number - 1) * LIMIT
    urls = editions[start:start + LIMIT]
    if wanted > 0:
        urls += [(external_url("archive.item", key=key), changed)
                 for _id, key, changed in archive.published_stamps(limit=skip + wanted)[skip:]]
    return urlset(iter(urls))


def index(parts: int) -> str:
    lines = [f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{NAMESPACE}">']
    lines += [f"<sitemap><loc>{escape(external_url('public.sitemap_part', number=n))}</loc></sitemap>"
              for n in range(1, parts + 1)]
    lines.append("</sitemapindex>\n")
    return "\n".join(lines)


def sitemap() -> str:
    """``/sitemap.xml``: every URL in one file, or the index of the parts above 50,000."""
    editions = edition_urls()
    parts = part_count(len(editions))
    return _part(1, editions) if parts == 1 else index(parts)


def part(number: int) -> str | None:
    """Part ``number`` of a split sitemap; None when there is no such part."""
    editions = edition_urls()
    if not 1 <= number <= part_count(len(editions)):
        return None
    return _part(number, editions)


# Staff and personal pages: nothing for a search engine (and they need a sign-in anyway).
DISALLOWED = ("/manage/", "/api/", "/login", "/logout", "/password/", "/my/", "/invitation/", "/speaker/",
              "/station/", "/unsubscribe/", "/account/")


def robots() -> str:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), "Allow: /", "",
             f"Sitemap: {external_url('public.sitemap')}", ""]
    return "\n".join(lines)
