from lxml import html as lxml_html

from congress.core.models import CongressStatus
from congress.extensions import db
from tests.factories import make_congress, make_session
from tests.programme.factories import publish
from tests.urls_support import BASE


def test_landing_page_names_the_current_edition(client, congress):
    html = client.get("/").get_data(as_text=True)
    assert congress.title_nl in html
    assert congress.title_en in client.get("/?lang=en").get_data(as_text=True)


def test_landing_page_without_editions(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Er is nog geen editie gepubliceerd." in response.get_data(as_text=True)


def test_edition_page_lists_tracks_rooms_and_sessions(client, congress):
    make_session(congress, title="Weerbaar online", start="10:00", end="11:00")
    publish(congress)  # the public sees the published programme
    html = client.get(f"/{congress.slug}/").get_data(as_text=True)
    for text in ("Weerbaar online", "Spoor 1", "Zaal 1", "10:00"):
        assert text in html


def test_draft_and_unknown_editions_are_404_in_the_users_language(client):
    draft = make_congress("concept", status=CongressStatus.DRAFT.value)
    for url in (f"/{draft.slug}/", "/bestaat-niet/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Pagina niet gevonden" in response.get_data(as_text=True)
    assert "Page not found" in client.get("/bestaat-niet/?lang=en").get_data(as_text=True)


def test_several_editions_live_side_by_side(client):
    make_congress("congres-a")
    make_congress("congres-b")
    assert client.get("/congres-a/").status_code == 200
    assert client.get("/congres-b/").status_code == 200


def test_texts_are_escaped(client, congress):
    make_session(congress, title="<script>alert(1)</script>")
    publish(congress)
    html = client.get(f"/{congress.slug}/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_pages_name_their_canonical_url_their_languages_and_their_feeds_on_the_configured_host(app, client):
    congress = make_congress("links-2027")
    congress.tagline_nl, congress.tagline_en = "Samen weerbaar", "Resilient together"
    db.session.commit()
    response = client.get(f"/{congress.slug}/?lang=en&utm=x")
    page = lxml_html.fromstring(response.data)
    head = page.find("head")
    canonical = head.find("link[@rel='canonical']").get("href")
    assert canonical == f"{BASE}/{congress.slug}/?utm=x"
    alternates = {link.get("hreflang"): link.get("href") for link in head.findall("link[@rel='alternate']")
                  if link.get("hreflang")}
    assert alternates == {"nl": f"{BASE}/{congress.slug}/?lang=nl&utm=x",
                          "en": f"{BASE}/{congress.slug}/?lang=en&utm=x", "x-default": canonical}
    meta = {m.get("property") or m.get("name"): m.get("content") for m in head.findall("meta")}
    assert meta["og:title"] == congress.title_en and meta["og:description"] == "Resilient together"
    assert meta["og:url"] == canonical and meta["og:locale"] == "en_GB" and meta["og:locale:alternate"] == "nl_NL"
    assert meta["og:site_name"] == app.config["PUBLISHER_NAME"] and meta["description"] == "Resilient together"
    feeds = [link.get("type") for link in head.findall("link[@rel='alternate']") if link.get("type")]
    assert feeds == ["text/calendar"]
    # A page that is not a plain GET of a known page names no canonical URL.
    missing = lxml_html.fromstring(client.get("/bestaat-niet/").data)
    assert missing.find("head/link[@rel='canonical']") is None
