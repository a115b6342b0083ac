"""The pages a professional opens from an e-mail on a phone stay light: the edition page and the
registration page under 150 KB on a first visit (compressed, nothing cached yet), no script that blocks
rendering; a second visit asks only for the page (assets cached as immutable)."""

from __future__ import annotations

import pytest

from tests.support.phone import first_visit

BUDGET = 150 * 1024


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["congress", "demo"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("path", ["/congres-2025/", "/congres-2025/register"])
def test_a_first_visit_stays_under_150_kb(browser, live_server, demo, path):
    visit = first_visit(browser, live_server + path)
    assert visit.blocking_scripts == []
    print(f"{path}: {visit.transferred / 1024:.1f} KB in {visit.requests} requests")
    assert 0 < visit.transferred < BUDGET, f"{visit.transferred / 1024:.0f} KB in {visit.requests} requests"


def test_a_second_visit_takes_the_assets_from_the_cache(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(f"{live_server}/congres-2025/register")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    asked: dict[str, str] = {}
    cached: set[str] = set()
    cdp.on("Network.requestWillBeSent", lambda e: asked.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))
    cdp.on("Network.responseReceived", lambda e: cached.add(e["requestId"]) if e["response"].get("fromDiskCache")
           or e["response"].get("fromMemoryCache") else None)
    page.goto(f"{live_server}/congres-2025/")
    page.wait_for_timeout(300)
    context.close()
    assets = {rid: url for rid, url in asked.items() if "/static/" in url or "/vendor/" in url}
    assert assets and set(assets) <= cached, [asked[r] for r in set(assets) - cached]
