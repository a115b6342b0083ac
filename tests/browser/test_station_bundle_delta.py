"""A station keeps its bundle up to date through deltas: after a new registration and a
cancellation it downloads only what changed (``?since=`` with its version as ETag), an unchanged poll
gets 304, and offline it then admits the new badge and refuses the cancelled one.

The minute between two polls passes on Playwright's clock; what the station holds in IndexedDB is
compared with the full bundle the server builds."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import expect

from congress.badges import services as badges
from congress.checkin import services
from congress.checkin.models import CheckIn
from congress.extensions import db
from congress.registration import services as registration
from tests.browser.test_checkin_station import _result, _scan
from tests.checkin.factories import checkin_edition
from tests.registration.factories import registered

_HELD_BUNDLE = """() => new Promise((resolve, reject) => {
    const open = indexedDB.open('congres-station');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
        const request = open.result.transaction('meta').objectStore('meta').get('bundle');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
    };
})"""


def _comparable(bundle: dict) -> dict:
    return {key: value for key, value in bundle.items() if key != "generated_at"}


def test_station_picks_up_a_registration_and_a_revocation_through_a_delta(page, app, live_server):
    congress, sessions, people, codes = checkin_edition("delta-congres", people=3)
    _, secret = services.create_station(congress, "Ingang Delta")
    db.session.commit()
    answers: list[dict] = []
    page.on("response", lambda r: answers.append(
        {"url": r.url, "status": r.status, "etag": r.request.headers.get("if-none-match")})
        if "/checkin-bundle" in r.url else None)

    page.clock.install()
    page.goto(f"{live_server}/station/#setup={secret}")
    station = page.locator(".station[data-ready='true']")
    expect(station).to_be_visible(timeout=15000)
    status = page.locator("[data-status]")
    expect(status).to_contain_text("3")
    expect(page.locator(".station[data-bundle-answer='full']")).to_be_visible()
    assert "since=" not in answers[0]["url"] and answers[0]["etag"] is None and answers[0]["status"] == 200

    with app.test_request_context():
        newcomers = [registered(congress, [sessions[0].id], name=name, email=email, confirmed=True).registration
                     for name, email in (("Noor Bakker", "noor@example.org"), ("Daan Visser", "daan@example.org"))]
        new_codes = [badges.issue_code(r) for r in newcomers]
        db.session.commit()
        registration.cancel(people[1], notify=False)  # its badge goes on the revocation list

    page.clock.fast_forward(61_000)  # the next poll
    expect(page.locator(".station[data-bundle-answer='delta']")).to_be_visible(timeout=15000)
    expect(status).to_contain_text("4")
    delta = answers[-1]
    assert "since=" in delta["url"] and delta["etag"] and delta["status"] == 200, answers
    db.session.rollback()
    assert _comparable(page.evaluate(_HELD_BUNDLE)) == _comparable(services.bundle(congress))

    polls = len(answers)
    page.clock.fast_forward(61_000)  # nothing changed: 304, the bundle is kept
    expect(page.locator(".station[data-bundle-answer='unchanged']")).to_be_visible(timeout=15000)
    assert answers[polls]["status"] == 304, answers
    expect(status).to_contain_text("4")

    page.context.set_offline(True)
    _scan(page, new_codes[0])
    admitted = _result(page)
    assert admitted["result"] == "ok" and "Noor Bakker" in admitted["text"] and "Offline" in admitted["text"]
    _scan(page, codes[1])
    refused = _result(page, admitted)
    assert refused["result"] == "revoked" and "Bezoeker 1" not in refused["text"], refused
    _scan(page, codes[0])  # an untouched badge from the first download
    assert _result(page, refused)["result"] == "ok"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 0  # all of it offline
