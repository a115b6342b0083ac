"""A session's recording on its public knowledge-base page, at 375 px and 1280 px, in Dutch and English:
the video element carries its captions tracks (the page's language by default), the transcript is a
<details> list that opens without script, axe finds no serious or critical violation, nothing scrolls
sideways; and the editor's recordings page passes axe too."""

from __future__ import annotations

import io
import os

import pytest
from playwright.sync_api import expect

from congress.archive import recordings
from congress.extensions import db
from tests.archive.factories import captions_vtt, make_item, minimal_mp4
from tests.browser.conftest import _fail_on_csp_violations, _watched_context, axe_violations, sign_in_staff
from tests.factories import PASSWORD, make_user

SHOTS = os.environ.get("SCREENSHOTS_DIR")
TEXT = {"nl": ("Opname", "Transcriptie (Nederlands)", "Welkom bij de sessie over veerkracht."),
        "en": ("Recording", "Transcript (English)", "Welcome to the session on resilience.")}


def _recorded_item():
    item = make_item("Verslag: veerkracht in de wijk", title_en="Report: resilience in the neighbourhood")
    recordings.add_recording(item, video=(io.BytesIO(minimal_mp4()), "opname.mp4"), publish=True,
                             title="Plenaire opening", title_en="Opening plenary",
                             captions={"nl": captions_vtt("nl"), "en": captions_vtt("en")})
    db.session.commit()
    return item


@pytest.mark.parametrize(("width", "lang"), [(375, "nl"), (1280, "en"), (375, "en"), (1280, "nl")])
def test_the_recording_with_captions_and_transcript(app, browser, live_server, width, lang):
    item = _recorded_item()
    heading, summary, first_line = TEXT[lang]
    for script in (True, False):
        context = _watched_context(browser, viewport={"width": width, "height": 900}, is_mobile=width < 400,
                                   java_script_enabled=script)
        page = context.new_page()
        try:
            page.goto(f"{live_server}/kennisbank/item/{item.key}?lang={lang}")
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
            video = page.locator("video")
            expect(video).to_have_count(1)
            assert video.get_attribute("controls") is not None
            tracks = page.locator("video track[kind=captions]")
            expect(tracks).to_have_count(2)
            assert page.locator(f"video track[srclang={lang}]").get_attribute("default") is not None
            assert page.locator("video track[default]").count() == 1
            transcript = page.locator("details.archive-transcript").first
            expect(transcript.get_by_text(first_line)).to_be_hidden()
            transcript.locator("summary", has_text=summary).click()  # no script: the browser opens <details>
            expect(transcript.get_by_text(first_line)).to_be_visible()
            if script:
                assert axe_violations(page) == []
            assert page.evaluate("() => document.documentElement.scrollWidth") <= width
            box = video.bounding_box()
            assert box["width"] <= width and box["x"] >= 0
            if SHOTS:
                page.screenshot(path=f"{SHOTS}/recording-{width}-{lang}-{'js' if script else 'nojs'}.png",
                                full_page=True)
            _fail_on_csp_violations(context)
        finally:
            context.close()


def test_the_editors_recordings_page_passes_axe(app, page, live_server):
    item = _recorded_item()
    organiser = make_user("organiser", email="redactie-opname@example.org")
    sign_in_staff(page, live_server, organiser.email, PASSWORD)
    page.goto(f"{live_server}/manage/kennisbank/{item.id}/recordings")
    expect(page.get_by_role("heading", name="Opname toevoegen")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Of: adres op het videoplatform van de organisatie").fill("http://video.congres.example/v")
    page.get_by_role("button", name="Opname toevoegen").click()
    expect(page.get_by_text("Vul een https-adres in")).to_be_visible()
    assert axe_violations(page) == []
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/recordings-editor.png", full_page=True)
