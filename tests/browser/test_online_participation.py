"""Online participation in a browser, at 375 px in Dutch and 1280 px in English: someone registers to
take part online on the form, finds the streamed session on their personal page and joins it (sent on
to the stream, counted once); axe finds no serious or critical violation; nothing scrolls sideways."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from congress.checkin.models import CheckIn
from congress.database import utcnow
from congress.extensions import db
from congress.registration import services
from congress.registration.models import Registration
from tests.browser.conftest import _fail_on_csp_violations, _watched_context, axe_violations
from tests.factories import make_session
from tests.registration.factories import open_congress


def _look(page, width: int) -> None:
    assert axe_violations(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(("width", "lang"), [(375, "nl"), (1280, "en")])
def test_register_online_and_join_the_stream(app, browser, live_server, width, lang):
    slug = f"online-{width}"
    congress = open_congress(slug)
    services.save_window(congress, opens_at=congress.registration_opens_at,
                         closes_at=congress.registration_closes_at, capacity=100, online_places=True,
                         online_capacity=50)
    session = make_session(congress, title="Plenair: testen wat werkt")
    session.starts_at = utcnow() - timedelta(minutes=5)
    session.ends_at = session.starts_at + timedelta(hours=1)
    stream = f"{live_server}/healthz?stream={width}"  # a page of our own stands in for the stream's host
    session.stream_url = "https://stream.example.org/live"
    db.session.commit()
    context = _watched_context(browser, viewport={"width": width, "height": 900}, is_mobile=width < 400)
    page = context.new_page()
    text = {"nl": ("Hoe neemt u deel?", "Online, via de stream", "Online meedoen"),
            "en": ("How will you take part?", "Online, through the stream", "Join online")}[lang]
    try:
        page.goto(f"{live_server}/{slug}/register?lang={lang}")
        expect(page.get_by_role("group", name=text[0])).to_be_visible()
        _look(page, width)
        page.fill("#name", "Noor Online")
        page.fill("#email", f"noor{width}@example.org")
        page.select_option("#sector", index=1)
        page.get_by_label(text[1]).check()
        page.check("#consent_privacy")
        page.click("main button[type=submit]")
        page.wait_for_url("**/thanks**")
        registration = db.session.scalar(sa.select(Registration).where(Registration.congress_id == congress.id))
        assert registration.attendance_mode == "online"
        services.confirm(registration)
        secret = services.new_link(registration)
        # The stream is another host in real life; here the join must send the browser on to the link.
        db.session.get(type(session), session.id).stream_url = stream.replace("http://", "https://", 1)
        db.session.commit()
        page.goto(f"{live_server}/my/{secret}?lang={lang}")
        link = page.get_by_role("link", name=re.compile(rf"^{text[2]}\s*: Plenair: testen wat werkt$"))
        expect(link).to_be_visible()
        _look(page, width)
        with page.expect_request(lambda r: r.url.startswith("https://127.0.0.1")) as sent:
            link.click()
        assert sent.value.url.startswith(stream.replace("http://", "https://", 1))
    finally:
        context.close()
    _fail_on_csp_violations(context)
    db.session.expire_all()
    [checkin] = db.session.scalars(sa.select(CheckIn).where(CheckIn.session_id == session.id))
    assert checkin.mode == "online" and checkin.registration_id == registration.id
