"""robots.txt and the sitemap, read as crawlers read them: the standard library's robots.txt parser
and ultimate-sitemap-parser (which follows robots.txt to the sitemap and an index to its parts),
served by the app itself."""

from __future__ import annotations

from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import pytest
from usp.tree import sitemap_tree_for_homepage
from usp.web_client.abstract_client import (
    AbstractWebClient,
    AbstractWebClientResponse,
    AbstractWebClientSuccessResponse,
    WebClientErrorResponse,
)

from congress.archive import services as archive
from congress.archive.models import ItemStatus
from congress.extensions import db
from congress.public import sitemap as maps
from congress.urls import external_url
from tests.archive.factories import make_item
from tests.factories import make_congress, make_session
from tests.programme.factories import make_speaker, publish
from tests.urls_support import BASE


class _Answer(AbstractWebClientSuccessResponse):
    def __init__(self, url: str, response) -> None:
        self._url, self._response = url, response

    def status_code(self) -> int:
        return self._response.status_code

    def status_message(self) -> str:
        return self._response.status

    def header(self, case_insensitive_name: str) -> str | None:
        return self._response.headers.get(case_insensitive_name)

    def raw_data(self) -> bytes:
        return self._response.data

    def url(self) -> str:
        return self._url


class _Refused(WebClientErrorResponse):
    pass


class AppClient(AbstractWebClient):
    """The crawler's HTTP client, answered by the app (URLs on PUBLIC_BASE_URL only)."""

    def __init__(self, client) -> None:
        self.client, self.fetched = client, []

    def set_max_response_data_length(self, max_response_data_length: int | None) -> None:
        pass

    def get(self, url: str) -> AbstractWebClientResponse:
        self.fetched.append(url)
        if not url.startswith(BASE):
            return _Refused(f"{url} is not on this site", retryable=False)
        parts = urlsplit(url)
        response = self.client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        if response.status_code != 200:
            return _Refused(f"{response.status_code} for {url}", retryable=False)
        return _Answer(url, response)


@pytest.fixture
def site(app):
    edition = make_congress("sitemap-2027")
    speaker = make_speaker("Samira Spreker", "samira@example.org")
    sessions = [make_session(edition, title=f"Workshop {i}", start=f"1{i}:00", end=f"1{i}:45", speakers=[speaker])
                for i in range(3)]
    publish(edition)
    draft = make_congress("concept-2028", status="draft")
    make_session(draft, title="Nog geheim")
    items = [make_item(f"Interventie {i}", item_type="interventie") for i in range(4)]
    hidden = [make_item("Concept", status=ItemStatus.DRAFT.value),
              make_item("Ingetrokken", status=ItemStatus.WITHDRAWN.value)]
    db.session.commit()
    return edition, sessions, speaker, items, hidden


def pages(client) -> dict[str, object]:
    tree = sitemap_tree_for_homepage(BASE + "/", web_client=AppClient(client), use_known_paths=False)
    return {page.url: page.last_modified for page in tree.all_pages()}


def test_robots_txt_keeps_crawlers_out_of_staff_and_personal_pages_and_names_the_sitemap(client, site):
    response = client.get("/robots.txt")
    assert response.mimetype == "text/plain" and response.cache_control.public
    robots = RobotFileParser()
    robots.parse(response.get_data(as_text=True).splitlines())
    for path in ("/", "/kennisbank/", "/sitemap-2027/programme", "/kennisbank/item/abc"):
        assert robots.can_fetch("Googlebot", BASE + path), path
    for path in ("/manage/", "/manage/registrations/x/", "/my/geheim", "/login", "/api/v1/knowledge", "/station/"):
        assert not robots.can_fetch("Googlebot", BASE + path), path
    assert robots.site_maps() == [f"{BASE}/sitemap.xml"]


def test_the_sitemap_lists_every_public_page_with_its_last_change_and_nothing_else(client, site):
    edition, sessions, speaker, items, hidden = site
    found = pages(client)
    expected = {f"{BASE}/", f"{BASE}/kennisbank/", f"{BASE}/{edition.slug}/", f"{BASE}/{edition.slug}/programme",
                f"{BASE}/{edition.slug}/programme/speakers",
                f"{BASE}/{edition.slug}/programme/speakers/{speaker.id}",
                *(f"{BASE}/{edition.slug}/programme/sessions/{s.id}" for s in sessions),
                *(f"{BASE}/kennisbank/item/{item.key}" for item in items)}
    assert set(found) == expected
    assert found[f"{BASE}/kennisbank/item/{items[0].key}"].replace(microsecond=0) == \
        items[0].updated_at.replace(microsecond=0)
    assert found[f"{BASE}/{edition.slug}/programme"] is not None
    assert not any("concept-2028" in url or any(h.key in url for h in hidden) for url in found)
    # Every URL answers, and the fast way items are written gives the URLs the app builds.
    for url in expected:
        assert client.get(url.removeprefix(BASE)).status_code == 200, url
    with client.application.test_request_context():
        assert maps.item_url_template().replace("__KEY__", items[1].key) == external_url("archive.item",
                                                                                           key=items[1].key)


def test_above_the_limit_the_sitemap_is_an_index_of_parts(client, site, monkeypatch):
    edition, sessions, speaker, items, _hidden = site
    whole = pages(client)
    assert len(whole) == 13
    monkeypatch.setattr(maps, "LIMIT", 5)  # 13 URLs: parts of five, five and three
    body = client.get("/sitemap.xml").get_data(as_text=True)
    assert "<sitemapindex" in body and body.count("<sitemap>") == 3
    crawler = AppClient(client)
    tree = sitemap_tree_for_homepage(BASE + "/", web_client=crawler, use_known_paths=False)
    split = [page.url for page in tree.all_pages()]
    assert sorted(split) == sorted(whole) and len(split) == len(set(split)) == 13
    assert {f"{BASE}/sitemap-{n}.xml" for n in (1, 2, 3)} <= set(crawler.fetched)
    assert client.get("/sitemap-4.xml").status_code == 404
    assert client.get("/sitemap-0.xml").status_code == 404
    assert client.get(f"/sitemap-{2**70}.xml").status_code == 404


def test_the_cached_items_lines_are_the_plain_sitemap_and_follow_every_change(client, site, monkeypatch):
    _edition, _sessions, _speaker, items, _hidden = site
    maps.item_lines.clear()
    with client.application.test_request_context():
        plain = maps.plain_part(1)
    first = client.get("/sitemap.xml").get_data(as_text=True)
    assert first == plain
    assert client.get("/sitemap.xml").get_data(as_text=True) == first and len(maps.item_lines.entries) == 1
    # Withdrawn, edited, newly published: each change is in the next answer, as the plain way writes it.
    archive.set_status(items[0], ItemStatus.WITHDRAWN.value, reason="Verouderd.")
    db.session.commit()
    archive.update_item(items[1], summary="Bijgewerkt")
    db.session.commit()
    fresh = make_item("Nieuw verslag")
    after = client.get("/sitemap.xml").get_data(as_text=True)
    with client.application.test_request_context():
        assert after == maps.plain_part(1)
    assert items[0].key not in after and fresh.key in after
    # The same for the parts of a split sitemap.
    monkeypatch.setattr(maps, "LIMIT", 5)
    for number in (1, 2, 3):
        with client.application.test_request_context():
            assert client.get(f"/sitemap-{number}.xml").get_data(as_text=True) == maps.plain_part(number)
