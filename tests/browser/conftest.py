"""Browser tests: Playwright drives Debian's Chromium against a live server; axe-core checks pages.

``playwright install`` cannot download browsers here, so the system Chromium is used.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test` (it installs it)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# Every page runs under the app's real Content-Security-Policy. A violation (an inline script or style, a
# script or font from another host, eval …) is reported by the page and by Chromium's console; the
# fixtures collect both on every page a test visits and fail the test at the end.
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')
                + ' at ' + e.documentURI + ':' + e.lineNumber);
}, true);
"""

def _is_csp_violation(text: str) -> bool:
    return text.startswith("CSP violation: ") or "Content Security Policy" in text


def _watched_context(browser, **options):
    context = browser.new_context(locale="nl-NL", **options)
    context.add_init_script(CSP_LISTENER)  # runs through the DevTools protocol, not subject to the CSP
    violations: list[str] = []
    context.csp_violations = violations
    context.on("console", lambda msg: violations.append(f"{msg.page.url if msg.page else ''}: {msg.text}")
               if msg.type == "error" and _is_csp_violation(msg.text) else None)
    return context


def _fail_on_csp_violations(context) -> None:
    if context.csp_violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(dict.fromkeys(context.csp_violations)))


@pytest.fixture
def page(browser):
    context = _watched_context(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()
    _fail_on_csp_violations(context)


@pytest.fixture
def phone_page(browser):
    context = _watched_context(browser, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()
    _fail_on_csp_violations(context)


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8") + "\n;void 0;"


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (WCAG 2.1 A/AA rules) on the page; return violations of the given impacts."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (make test does)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, so the page's CSP (no inline, no eval) stays on.
        page.evaluate(_axe_source())
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def sign_in_staff(page, live_server: str, email: str, password: str | None = None) -> None:
    """Sign in through the login form as a member of staff; waits until the back office answers."""
    from tests.factories import PASSWORD  # noqa: PLC0415 - the factories load the app's models

    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", password or PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/manage/**")
