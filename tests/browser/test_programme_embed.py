"""The embeddable programme in a real <iframe> on another site (another origin on 127.0.0.1): Chromium
shows it when that site is in EMBED_ORIGINS and refuses it otherwise; axe finds nothing serious."""

from __future__ import annotations

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from congress.core.models import Congress
from congress.extensions import db
from congress.security import embed_origins
from tests.browser.conftest import axe_violations

SHOTS = os.environ.get("EMBED_SCREENSHOTS")  # a folder: save what the partner's page looks like, to look at


@pytest.fixture
def other_site(live_server):
    """A partner's page on another origin that frames the programme."""
    slug_holder: dict[str, str] = {}

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            body = (f'<!doctype html><html lang="nl"><head><title>Partner</title></head><body><h1>Agenda</h1>'
                    f'<iframe id="programma" title="Programma" width="800" height="600" '
                    f'src="{live_server}/{slug_holder["slug"]}/programme/embed"></iframe></body></html>').encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", slug_holder
    server.shutdown()


def test_a_configured_site_shows_the_programme_in_its_frame_and_another_cannot(app, runner, browser, live_server,
                                                                               other_site):
    assert runner.invoke(args=["congress", "demo"]).exit_code == 0
    origin, slug_holder = other_site
    slug_holder["slug"] = db.session.scalar(sa.select(Congress.slug).where(Congress.status == "published")
                                            .order_by(Congress.starts_on.desc()).limit(1))
    saved = app.config["EMBED_ORIGIN_LIST"]
    # Not the watched page fixture: the refusal below is a CSP report by design.
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(msg.text))
    try:
        app.config["EMBED_ORIGIN_LIST"] = embed_origins(origin)
        page.goto(origin)
        frame = page.frame_locator("#programma")
        frame.locator("h1").wait_for()
        assert "Programma" in frame.locator("h1").inner_text()
        assert frame.locator(".session").count() > 5
        assert not [m for m in messages if "Content Security Policy" in m]
        embedded = next(f for f in page.frames if "/programme/embed" in f.url)
        assert not axe_violations(embedded)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/programme-embed.png", full_page=True)

        app.config["EMBED_ORIGIN_LIST"] = []  # the same partner page, its site no longer configured
        page.goto(origin + "/?opnieuw")
        page.wait_for_function("() => true")
        page.wait_for_timeout(300)
        assert any("frame-ancestors" in m for m in messages), messages
        embedded = next(f for f in page.frames if f != page.main_frame)
        assert page.frame_locator("#programma").locator(".session").count() == 0, embedded.url
    finally:
        app.config["EMBED_ORIGIN_LIST"] = saved
        context.close()
