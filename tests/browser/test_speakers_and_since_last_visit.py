"""Speakers' photos and "new since your last visit" in Chromium, at 375 and 1280 px, in Dutch and
English: the photo shows (loaded, with the speaker's name as alt text), initials stand in without
one, a second visit after a new version marks the new and moved sessions, nothing scrolls sideways
on a phone, and axe finds nothing serious or critical. ``SPEAKER_SCREENSHOTS=<folder>`` keeps the
pages as images, to look at."""

from __future__ import annotations

import io
import os
from datetime import timedelta

import pytest
from PIL import Image, ImageDraw

from congress.core import services as core
from congress.extensions import db
from congress.programme import caching
from tests.browser.conftest import _fail_on_csp_violations, _watched_context, axe_violations
from tests.factories import make_congress, make_session
from tests.programme.factories import make_speaker, publish

SHOTS = os.environ.get("SPEAKER_SCREENSHOTS")
TEXTS = {
    "nl": {"summary": "Sinds uw vorige bezoek: 1 nieuw, 1 verplaatst", "new": "Nieuw", "moved": "Verplaatst"},
    "en": {"summary": "Since your last visit: 1 new, 1 moved", "new": "New", "moved": "Moved"},
}


def _portrait() -> bytes:
    image = Image.new("RGB", (600, 800), (21, 66, 115))
    draw = ImageDraw.Draw(image)
    draw.ellipse((200, 150, 400, 370), fill=(214, 228, 242))
    draw.ellipse((90, 420, 510, 900), fill=(214, 228, 242))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def edition(app):
    caching.cache.clear()
    congress = make_congress("congres-sprekers")
    fatima = make_speaker("Fatima el Amrani", "fatima@example.org")
    fatima.function, fatima.organisation = "wijkcoach", "Gemeente Utrecht"
    fatima.bio, fatima.bio_en = "Fatima werkt met jongeren in de wijk.", "Fatima works with young people locally."
    bram = make_speaker("Bram de Vries", "bram@example.org")
    db.session.commit()
    core.set_photo(fatima, _portrait())
    opening = make_session(congress, title="Opening: weerbaar in de wijk", start="09:30", end="10:30",
                           speakers=[fatima, bram])
    moving = make_session(congress, title="Workshop mediawijsheid", start="11:00", end="12:00", room_index=1,
                          speakers=[bram])
    opening.title_en, moving.title_en = "Opening: resilient neighbourhoods", "Media literacy workshop"
    db.session.commit()
    publish(congress, "Eerste versie")
    yield congress, fatima, moving
    caching.cache.clear()


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("width", [375, 1280])
def test_speaker_photo_and_the_new_badge_on_a_second_visit(browser, live_server, edition, lang, width):
    congress, fatima, moving = edition
    texts = TEXTS[lang]
    context = _watched_context(browser, viewport={"width": width, "height": 900},
                               **({"is_mobile": True, "has_touch": True} if width < 600 else {}))
    page = context.new_page()
    try:
        base = f"{live_server}/{congress.slug}"
        page.goto(f"{base}/programme?lang={lang}")
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator(".since-visit").count() == 0  # a first visit tells nothing
        photo = page.locator(f'.session img.avatar[alt="{fatima.name}"]').first
        photo.wait_for()
        handle = photo.element_handle()
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=handle, timeout=10_000)
        assert page.evaluate("(img) => img.naturalWidth", handle) == 256  # loaded: the served square
        assert page.locator(".session .avatar--initials", has_text="BV").count() == 2
        cookies = {c["name"]: c for c in context.cookies()}
        assert cookies["programme_seen"]["sameSite"] == "Lax" and cookies["programme_seen"]["httpOnly"]

        # A new version: one session added, one moved.
        make_session(congress, title=f"Lunchlezing ({lang}, {width})", start="12:30", end="13:15",
                     speakers=[fatima])
        moving.starts_at += timedelta(hours=3)
        moving.ends_at += timedelta(hours=3)
        db.session.commit()
        publish(congress, "Nieuwe versie")

        page.goto(f"{base}/programme")
        summary = page.locator(".since-visit")
        summary.wait_for()
        assert texts["summary"] in summary.inner_text()
        assert page.locator(".session .tag--new", has_text=texts["new"]).count() == 1
        assert page.locator(".session .tag--moved", has_text=texts["moved"]).count() == 1
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        assert axe_violations(page) == []
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/programme-since-{lang}-{width}.png", full_page=True)

        page.goto(f"{base}/programme")  # seen now: the marks are gone
        assert page.locator(".since-visit").count() == 0 and page.locator(".tag--new").count() == 0

        page.goto(f"{base}/programme/speakers")
        card = page.locator(".speaker-card", has_text=fatima.name)
        assert card.locator(f'img[alt="{fatima.name}"]').count() == 1
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        assert axe_violations(page) == []
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/speakers-{lang}-{width}.png", full_page=True)

        page.goto(f"{base}/programme/speakers/{fatima.id}")
        bio = fatima.bio if lang == "nl" else fatima.bio_en
        assert bio in page.locator(".speaker-bio").inner_text()
        assert page.locator(f'.speaker-profile img[alt="{fatima.name}"]').count() == 1
        assert axe_violations(page) == []
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/speaker-{lang}-{width}.png", full_page=True)

        page.click(".session__title a >> nth=0")
        page.locator(".speaker-cards").wait_for()
        assert axe_violations(page) == []
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/session-{lang}-{width}.png", full_page=True)
    finally:
        context.close()
    _fail_on_csp_violations(context)
