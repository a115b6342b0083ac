"""Every back-office screen is reachable from an edition's cockpit within two clicks (issue 14, item 3).

The crawl starts at /manage/<slug>/, follows the links of the back office breadth-first to depth 2 and
matches every link against the url_map. Every GET page guarded by ``roles_required`` must be among
them, but for the short list of exemptions below (each says why).
"""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from flask_login import login_user
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from congress.archive import services as archive
from congress.archive.models import KnowledgeItem
from congress.badges import services as badges
from congress.checkin import services as checkin
from congress.communications import mailings
from congress.core.models import Person
from congress.database import write_transaction
from congress.extensions import db
from congress.manage import navigation
from tests.cfp.factories import make_proposal, make_speaker, open_call
from tests.factories import make_user
from tests.registration.factories import add_round, open_congress, registered

# Pages that are not screens of the back office, or that need an object reached at depth 3.
EXEMPT = {
    # Downloads and machine-readable answers (linked from the screens, not screens themselves).
    "manage.registrations.chart_js": "the chart library, a script",
    "cfp.photo": "a speaker's photo (an image)",
    "cfp.slides": "an uploaded slide file",
    "archive_manage.file": "a file of a knowledge item",
    # The speakers' own portal (guarded by the speaker role): not the organisers' back office.
    "cfp.dashboard": "speaker portal", "cfp.edit_proposal": "speaker portal", "cfp.join": "speaker portal (a token)",
    "cfp.new_proposal": "speaker portal", "cfp.profile": "speaker portal", "cfp.proposal": "speaker portal",
    # Depth 3: pages of one object, linked from that object's page (itself two clicks away).
    "archive_manage.versions": "depth 3: knowledge base → item → its versions",
    "archive_manage.version_diff": "depth 4: … → its versions → one version's differences",
    "archive_manage.recordings.page": "depth 3: knowledge base → item → its recordings",
    "archive_manage.recordings.preview_video": "a file: a recording's video (… → its recordings → the video)",
    "archive_manage.recordings.preview_captions": "a file: a recording's captions (… → its recordings → a .vtt)",
    "registration_manage.edit": "depth 3: registrations → one registration → edit",
    "registration_manage.cancel": "depth 3: registrations → one registration → cancel (its confirmation step)",
    "questions.edit": "depth 3: form and settings → the questions editor → one question",
    "manage.revoke_token": "depth 2 by a POST form: API tokens → revoke (its confirmation step)",
    "manage.outbox_attachment": "a file: a message's attachment (outbox → message → download)",
    "communications.mailings.preview_html": "a frame's document: the HTML part shown inside a mailing's page",
    "communications.schedules.preview_html": "a frame's document: the HTML part shown inside a scheduled mail's page",
    "communications.schedules.detail": "one scheduled mail (scheduled mails → the rule): the crawled edition has none",
    "communications.schedules.edit": "depth 3: scheduled mails → one rule → edit",
    "communications.mail_texts.reset": "depth 3: mail texts → one edited mail → restore the default (its "
                                       "confirmation step)",
    "invitations.detail": "one invitation list (invitations → the list): the crawled edition has no list",
    "manage.site.edit_faq": "one question of the event site (event site → the question): the crawled edition has "
                            "none",
    "accounts.passkey_remove": "the confirmation step of removing one's own passkey (security → remove): the "
                               "crawling accounts have none",
}
DOWNLOAD_SUFFIXES = (".pdf", ".csv", ".json", ".xlsx", ".js", ".<fmt>", ".atom", ".ics", ".xml")


def back_office_pages(app) -> set[str]:
    """The GET endpoints guarded by roles_required that are pages (no download, no JSON)."""
    pages = set()
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if "GET" not in rule.methods or not hasattr(view, "required_roles"):
            continue
        if rule.rule.endswith(DOWNLOAD_SUFFIXES) or rule.endpoint in EXEMPT:
            continue
        pages.add(rule.endpoint)
    return pages


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.hrefs


def endpoint_of(app, adapter, href: str) -> str | None:
    parts = urlsplit(href)
    if parts.netloc or not parts.path.startswith("/"):
        return None
    try:
        endpoint, _args = adapter.match(parts.path, method="GET")
    except RequestRedirect as redirect:
        return endpoint_of(app, adapter, urlsplit(redirect.new_url).path)
    except HTTPException:
        return None
    return endpoint


def crawl(app, client, start: str, depth: int = 2) -> dict[str, str]:
    """{endpoint: the first URL linking it} for every link within ``depth`` clicks of ``start``. Pages
    of the back office are followed (and must answer 200); the last level is only read off its parent."""
    adapter = app.url_map.bind("localhost")
    pages = back_office_pages(app)
    found: dict[str, str] = {app.url_map.bind("localhost").match(start)[0]: start}
    seen = {start}
    queue = deque([(start, 0)])
    while queue:
        url, level = queue.popleft()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if level == depth or response.mimetype != "text/html":
            continue
        for href in links_of(response.get_data(as_text=True)):
            endpoint = endpoint_of(app, adapter, href)
            if endpoint is None:
                continue
            path = urlsplit(href).path + (f"?{urlsplit(href).query}" if urlsplit(href).query else "")
            found.setdefault(endpoint, path)
            if endpoint in pages and level + 1 < depth and path not in seen:
                seen.add(path)
                queue.append((path, level + 1))
    return found


@pytest.fixture
def busy_edition(app):
    return make_busy_edition()


def make_busy_edition():
    """An edition with one of everything the back office has pages for."""
    congress = open_congress("navigatie")
    _, (small, _big) = add_round(congress)
    person = registered(congress, [small.id], n=1, confirmed=True).registration
    open_call(congress)
    make_proposal(congress, make_speaker())
    small.speakers.append(Person(name="Navigatie Spreker"))  # a speaker of the edition: their profile page
    db.session.commit()
    badges.start_print_run(congress, "a6", "everyone")
    checkin.create_station(congress, "Ingang")
    with write_transaction():
        archive.create_item("nieuws", "Nieuws over de kennisbank")
    mailings.create_mailing(congress, mailings.Draft(mailings.Audience(), "Uitnodiging", "Beste {{ name }},"))
    db.session.commit()
    return congress, person


@pytest.mark.parametrize("who", ["organiser", "admin"])
def test_every_back_office_page_is_within_two_clicks_of_the_cockpit(app, busy_edition, organiser, admin, who):
    congress, _person = busy_edition
    user = organiser if who == "organiser" else admin
    found = crawl(app, app.test_client(user=user), f"/manage/{congress.slug}/")
    expected = back_office_pages(app)
    if who == "organiser":
        expected = {e for e in expected if user.has_role(*app.view_functions[e].required_roles)}
    assert expected - set(found) == set()
    assert "manage.tokens" in found  # organisers manage API tokens too (roles per edition, issue 14)


def test_the_exemptions_name_endpoints_that_exist(app):
    assert set(EXEMPT) <= set(app.view_functions)


def test_navigation_follows_the_roles(app, busy_edition):
    congress, _ = busy_edition
    with app.test_request_context():
        login_user(make_user("checkin"))
        groups = dict(navigation.links(congress.slug))
        endpoints = {link.endpoint for items in groups.values() for link in items}
        assert {"checkin.search", "checkin.scan", "manage.cockpit.headcount", "manage.cockpit.catering"} <= endpoints
        assert "manage.cockpit.index" not in endpoints and "manage.users" not in endpoints
        assert navigation.first_link(congress.slug).endpoint == "checkin.search"
        # An entry whose screen is not in this application (merged later) is left out, not an error.
        later = navigation.Entry("Later", "manage.not_merged_yet", ("checkin",), True, "edition")
        assert navigation.links(congress.slug, [later]) == []


def test_the_depth_three_exemptions_are_one_click_from_a_page_the_crawl_finds(app, busy_edition, organiser):
    congress, person = busy_edition
    item = db.session.scalars(db.select(KnowledgeItem)).first()
    client = app.test_client(user=organiser)
    detail = client.get(f"/manage/registrations/{congress.slug}/{person.id}").get_data(as_text=True)
    assert f"/manage/registrations/{congress.slug}/{person.id}/edit" in links_of(detail)
    page = client.get(f"/manage/kennisbank/{item.id}").get_data(as_text=True)
    assert f"/manage/kennisbank/{item.id}/versions" in links_of(page)
