"""A station in Chromium: keyboard-wedge scans of real badge codes, and scanning offline."""

from __future__ import annotations

import base64
import io
import threading
import time

import pypdfium2
import pytest
import qrcode
import sqlalchemy as sa
import zxingcpp
from werkzeug.serving import make_server

from congress.badges import services as badges
from congress.badges import tokens
from congress.checkin import services
from congress.checkin.models import CheckIn
from congress.extensions import db
from tests.browser.conftest import axe_violations
from tests.checkin.factories import checkin_edition


@pytest.fixture
def station(app, live_server):
    congress, sessions, people, _ = checkin_edition("station-congres")
    # Codes as a scanner reads them: from the printed badges.
    pdf = badges.render_registrations(badges.select_registrations(congress), "a6", processes=1)
    codes = {}
    for page in pypdfium2.PdfDocument(io.BytesIO(pdf)):
        for result in zxingcpp.read_barcodes(page.render(scale=100 / 72).to_pil()):
            codes[badges.verify_code(result.text).registration_id] = result.text
    _, secret = services.create_station(congress, "Ingang A")
    return congress, people, [codes[p.id] for p in people], f"{live_server}/station/#setup={secret}"


def _open(page, link):
    page.goto(link)
    page.wait_for_selector(".station[data-ready='true']", timeout=15000)
    page.wait_for_function("document.querySelector('[data-status]').textContent.includes('3')", timeout=15000)


def _scan(page, code):
    field = page.locator("#station-code")
    assert page.evaluate("() => document.activeElement.id") == "station-code"  # focus stays for the scanner
    field.type(code, delay=0)
    field.press("Enter")


def _result(page, previous=None):
    """Wait for the next answer on the screen (the station numbers them in data-seq)."""
    seen = previous["seq"] if previous else 0
    page.wait_for_function(
        "seen => Number(document.querySelector('[data-result]').dataset.seq || 0) > seen", arg=seen, timeout=10000)
    return page.evaluate("() => { const r = document.querySelector('[data-result]'); return {result: r.dataset.result, "
                         "cls: r.className, text: r.innerText, seq: Number(r.dataset.seq)}; }")


def test_keyboard_wedge_green_orange_red(page, station):
    congress, people, codes, link = station
    _open(page, link)
    _scan(page, codes[0])
    first = _result(page)
    assert first["result"] == "ok" and "scan-result--ok" in first["cls"]
    assert "Welkom" in first["text"] and "Bezoeker 0" in first["text"] and "rolstoel" in first["text"]
    _scan(page, codes[0])
    second = _result(page, first)
    assert second["result"] == "already_checked_in" and "scan-result--warn" in second["cls"]
    assert "Ingang A" in second["text"]
    forged = codes[1][:50] + ("A" if codes[1][50] != "A" else "B") + codes[1][51:]
    _scan(page, forged)
    third = _result(page, second)
    assert third["result"] == "invalid" and "scan-result--bad" in third["cls"]
    assert axe_violations(page) == []
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 1


def test_offline_scans_are_verified_locally_and_uploaded_later(page, station):
    congress, people, codes, link = station
    _open(page, link)
    page.context.set_offline(True)
    _scan(page, codes[1])
    offline = _result(page)
    assert offline["result"] == "ok" and "Offline" in offline["text"]
    _scan(page, codes[1])
    repeat = _result(page, offline)
    assert repeat["result"] == "already_checked_in"
    forged = codes[2][:60] + ("A" if codes[2][60] != "A" else "B") + codes[2][61:]
    _scan(page, forged)
    assert _result(page, repeat)["result"] == "invalid"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 0  # nothing reached the server
    assert "2" in page.locator("[data-queue]").inner_text()

    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    deadline = time.monotonic() + 20
    count = 0
    while time.monotonic() < deadline:
        db.session.rollback()
        count = db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn))
        if count and not page.locator("[data-queue]").inner_text():
            break
        time.sleep(0.3)
    checkin = db.session.scalars(sa.select(CheckIn)).one()  # two queued scans of one person: one check-in
    assert checkin.registration_id == people[1].id and checkin.offline is True
    assert page.locator("[data-queue]").inner_text() == ""


def test_unset_station_and_axe(page, live_server):
    page.goto(f"{live_server}/station/")
    page.wait_for_selector(".station[data-ready='true']", timeout=15000)
    assert "niet ingesteld" in page.locator("[data-status]").inner_text()
    assert axe_violations(page) == []


def test_camera_decoder_works_from_local_files(page, live_server):
    """Chromium on Linux has no BarcodeDetector: the ZXing WebAssembly polyfill from node_modules
    decodes a real badge code, without any request to another host."""


    code = tokens.sign(tokens.generate_key_pair().private_key, 1, 42)
    image = qrcode.make(code, border=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    data_url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    hosts = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(f"{live_server}/station/")
    page.wait_for_selector(".station[data-ready='true']", timeout=15000)
    decoded = page.evaluate("""async (src) => {
        const detector = await window.congresBarcodeDetector();
        const img = new Image(); img.src = src; await img.decode();
        const found = await detector.detect(img);
        return found.map(f => f.rawValue);
    }""", data_url)
    assert decoded == [code]
    assert hosts == {live_server.split("/")[2]}


def test_workshop_station_offers_to_admit_when_seats_are_free(page, app, live_server):
    congress, sessions, people, codes = checkin_edition("room-congres")
    _, secret = services.create_station(congress, "Zaal 2", session_id=sessions[1].id)  # nobody enrolled there
    _open(page, f"{live_server}/station/#setup={secret}")
    _scan(page, codes[0])
    refused = _result(page)
    assert refused["result"] == "not_enrolled" and "Vrije plaatsen: 2" in refused["text"]
    page.click("[data-admit]")
    admitted = _result(page, refused)
    assert admitted["result"] == "ok"
    db.session.rollback()
    assert db.session.scalars(sa.select(CheckIn)).one().admitted_without_enrolment is True


def test_a_reload_without_network_still_opens_the_station(page, app):
    """The venue's network is gone (here: the server itself is stopped) and someone reloads the
    tablet: the service worker serves the page, and badges are still checked against the list."""

    congress, _, people, _ = checkin_edition("sw-congres")
    pdf = badges.render_registrations(badges.select_registrations(congress), "a6", processes=1)
    code = next(result.text for page_ in pypdfium2.PdfDocument(io.BytesIO(pdf))
                for result in zxingcpp.read_barcodes(page_.render(scale=100 / 72).to_pil())
                if badges.verify_code(result.text).registration_id == people[2].id)
    _, secret = services.create_station(congress, "Ingang B")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _open(page, f"http://127.0.0.1:{server.server_port}/station/#setup={secret}")
        page.wait_for_selector(".station[data-offline-ready='true']", timeout=15000)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
        # Every file the page loaded is in the worker's cache before the network goes.
        page.wait_for_function("""async () => {
            const cache = await caches.open('congres-station-v1');
            const kept = new Set((await cache.keys()).map((r) => r.url));
            return performance.getEntriesByType('resource').map((e) => e.name)
                .filter((u) => !u.includes('/api/')).every((u) => kept.has(u));
        }""", timeout=15000)
    finally:
        server.shutdown()
        server.server_close()
    response = page.reload()
    assert response is not None and response.from_service_worker
    page.wait_for_selector(".station[data-ready='true']", timeout=15000)
    _scan(page, code)
    answer = _result(page)
    assert answer["result"] == "ok" and "Bezoeker 2" in answer["text"] and "Offline" in answer["text"]
    assert "1" in page.locator("[data-queue]").inner_text()  # queued for upload when the network is back
