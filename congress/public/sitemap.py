"""``/sitemap.xml`` and ``robots.txt``: what search engines may read and where it is.

The sitemap lists the public pages (home, knowledge base), every public edition with its programme,
sessions and speakers, and every published knowledge item, each with its last change. Above 50,000
URLs (the protocol's limit per file) ``/sitemap.xml`` is an index of ``/sitemap-<n>.xml`` parts of
at most 50,000 each; items fill the parts after the editions' pages, in id order, so a part's
contents only grow at the end. Drafts, withdrawn items and staff pages are never listed; URLs
come from ``PUBLIC_BASE_URL``, never from the request.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from xml.sax.saxutils import escape

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


def part_urls(number: int, editions: list[Url]) -> Iterator[Url]:
    """The URLs of part ``number`` (1-based): the editions' pages first, then items in id order."""
    start = (number - 1) * LIMIT
    end = start + LIMIT
    yield from editions[start:end]
    skip = max(0, start - len(editions))
    wanted = end - max(start, len(editions))
    if wanted <= 0:
        return
    template = item_url_template()
    stamps = archive.published_stamps(limit=skip + wanted)[skip:]
    for _id, key, changed in stamps:
        yield template.replace(_KEY, key), changed


def _alternates(loc: str) -> str:
    """The page in each language: the same URL with ``?lang=`` (``&`` already escaped in ``loc``)."""
    joiner = "&amp;" if "?" in loc else "?"
    return "".join(f'<xhtml:link rel="alternate" hreflang="{code}" href="{loc}{joiner}lang={code}"/>'
                   for code in LANGUAGES)


def urlset(urls: Iterator[Url]) -> str:
    lines = [f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{NAMESPACE}" xmlns:xhtml="{XHTML}">']
    for loc, changed in urls:
        safe = escape(loc)
        lines.append(f"<url><loc>{safe}</loc>{_stamp(changed)}{_alternates(safe)}</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines)


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
    return urlset(part_urls(1, editions)) if parts == 1 else index(parts)


def part(number: int) -> str | None:
    """Part ``number`` of a split sitemap; None when there is no such part."""
    editions = edition_urls()
    if not 1 <= number <= part_count(len(editions)):
        return None
    return urlset(part_urls(number, editions))


# Staff and personal pages: nothing for a search engine (and they need a sign-in anyway).
DISALLOWED = ("/manage/", "/api/", "/login", "/logout", "/password/", "/my/", "/invitation/", "/speaker/",
              "/station/", "/unsubscribe/", "/account/")


def robots() -> str:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), "Allow: /", "",
             f"Sitemap: {external_url('public.sitemap')}", ""]
    return "\n".join(lines)
