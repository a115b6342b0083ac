"""The embeddable programme: framed by the configured sites only, every other page still refuses
framing, with the programme page's filters and links that open on this site."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from congress import create_app
from congress.security import embed_origins
from tests.factories import make_congress, make_session
from tests.programme.factories import publish


def frame_ancestors(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    return next(d.strip() for d in policy.split(";") if d.strip().startswith("frame-ancestors"))


@pytest.fixture
def embedded(app):
    saved = app.config["EMBED_ORIGIN_LIST"]
    app.config["EMBED_ORIGIN_LIST"] = embed_origins("https://www.weerbaresamenleving.nl, https://agenda.example.nl:8443")
    congress = make_congress("embed-2027")
    make_session(congress, title="Digitale weerbaarheid op school", start="10:00", end="11:00", track_index=0)
    make_session(congress, title="Jongeren en criminaliteit", start="13:00", end="14:00", track_index=1)
    publish(congress)
    yield congress
    app.config["EMBED_ORIGIN_LIST"] = saved


def test_the_configured_sites_may_frame_the_embed_and_nothing_else(client, embedded):
    for _ in range(2):  # also when the page comes from the programme cache
        response = client.get(f"/{embedded.slug}/programme/embed")
        assert response.status_code == 200
        assert frame_ancestors(response) == (
            "frame-ancestors 'self' https://www.weerbaresamenleving.nl https://agenda.example.nl:8443")
        assert "X-Frame-Options" not in response.headers
    for url in (f"/{embedded.slug}/programme", f"/{embedded.slug}/", "/kennisbank/"):
        response = client.get(url)
        assert frame_ancestors(response) == "frame-ancestors 'none'" and response.headers["X-Frame-Options"] == "DENY"


def test_the_embed_filters_like_the_programme_and_opens_links_on_this_site(client, embedded):
    track = embedded.tracks[1]
    page = lxml_html.fromstring(client.get(f"/{embedded.slug}/programme/embed?track={track.id}&lang=en").data)
    titles = [a.text_content() for a in page.findall(".//h4/a")]
    assert titles == ["Jongeren en criminaliteit"]
    assert page.find(".//base").get("target") == "_top"
    assert page.find(".//form").get("target") == "_self"  # filtering stays inside the frame
    assert page.find(".//html") is None and page.get("lang") == "en"
    for element in page.iter("script", "iframe", "img"):
        assert not (element.get("src") or "").startswith(("http:", "https:", "//"))
    assert client.get(f"/{embedded.slug}/programme/embed?day=gisteren").status_code == 400
    assert client.get("/bestaat-niet/programme/embed").status_code == 404


@pytest.mark.parametrize("bad", ["www.example.nl", "https://example.nl/pad", "*", "https://*.example.nl",
                                 "javascript:alert(1)", "https://example.nl; script-src *"])
def test_an_origin_that_is_not_one_stops_the_app_at_start(app, bad):
    with pytest.raises(ValueError, match="EMBED_ORIGINS"):
        create_app({**app.config, "EMBED_ORIGINS": bad})
