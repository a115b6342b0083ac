"""The offline station refuses a replaced badge and a cancelled registration from its own list.

The station downloads its bundle (public key, revocations, attendees) while the server runs and keeps
it in IndexedDB; then the server is stopped and the tablet reloaded, so the page's memory is gone and
every answer comes from what IndexedDB holds. The signature of an old badge still verifies: only the
revocation list tells the station to refuse it.
"""

from __future__ import annotations

import threading

import sqlalchemy as sa
from werkzeug.serving import make_server

from congress.badges import services as badges
from congress.checkin import services
from congress.checkin.models import CheckIn
from congress.extensions import db
from congress.registration import services as registration
from tests.browser.test_checkin_station import _result, _scan
from tests.checkin.factories import checkin_edition


def _station_offline_from_indexeddb(page, app, secret: str, attendees: int) -> None:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{server.server_port}/station/#setup={secret}")
        page.wait_for_selector(".station[data-ready='true']", timeout=15000)
        page.wait_for_function("n => document.querySelector('[data-status]').textContent.includes(String(n))",
                               arg=attendees, timeout=15000)
        page.wait_for_selector(".station[data-offline-ready='true']", timeout=15000)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
        page.wait_for_function("""async () => {
            const cache = await caches.open('congres-station-v1');
            const kept = new Set((await cache.keys()).map((r) => r.url));
            return performance.getEntriesByType('resource').map((e) => e.name)
                .filter((u) => !u.includes('/api/')).every((u) => kept.has(u));
        }""", timeout=15000)
    finally:
        server.shutdown()
        server.server_close()
    response = page.reload()  # the server is gone: the service worker serves the page
    assert response is not None and response.from_service_worker
    page.wait_for_selector(".station[data-ready='true']", timeout=15000)
    # What the page works from now was read back from IndexedDB, not fetched.
    held = page.evaluate("""() => new Promise((resolve, reject) => {
        const open = indexedDB.open('congres-station');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
            const request = open.result.transaction('meta').objectStore('meta').get('bundle');
            request.onsuccess = () => resolve(request.result ? request.result.revocations.length : -1);
            request.onerror = () => reject(request.error);
        };
    })""")
    assert held >= 2, f"the station's IndexedDB holds {held} revocations"


def test_offline_station_refuses_replaced_badge_and_cancelled_registration(page, app):
    congress, _, people, codes = checkin_edition("revoke-congres", people=3)
    with app.test_request_context():
        replacement = badges.reissue_code(people[0])  # a lost badge: the old code is replaced
        db.session.commit()
        registration.cancel(people[1], notify=False)
    _, secret = services.create_station(congress, "Ingang C")
    db.session.commit()

    _station_offline_from_indexeddb(page, app, secret, attendees=2)

    _scan(page, codes[0])  # the replaced badge: its signature is still valid
    old = _result(page)
    assert old["result"] == "revoked" and "scan-result--bad" in old["cls"], old
    assert "Badge ingetrokken" in old["text"] and "Offline" in old["text"]
    assert "Bezoeker 0" not in old["text"]

    _scan(page, codes[1])  # the cancelled registration
    cancelled = _result(page, old)
    assert cancelled["result"] == "revoked" and "scan-result--bad" in cancelled["cls"], cancelled
    assert "Bezoeker 1" not in cancelled["text"]

    _scan(page, replacement)  # the new badge of the same person gets in
    new = _result(page, cancelled)
    assert new["result"] == "ok" and "Bezoeker 0" in new["text"] and "Offline" in new["text"], new

    _scan(page, codes[2])  # and so does an untouched badge
    assert _result(page, new)["result"] == "ok"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 0  # nothing reached the server
