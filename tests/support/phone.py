"""A first visit as a phone makes it, measured by Chromium itself: what went over the wire (each
response's encoded length from the DevTools protocol, headers included), the Largest Contentful Paint
(PerformanceObserver), and the scripts that would block rendering (a classic script in the head without
``defer`` or ``async``). Used by tests/browser/test_phone_speed.py (the size budget) and by
bench/phone_speed.py (the same on a throttled slow-4G profile, for LCP)."""

from __future__ import annotations

from dataclasses import dataclass

# Chrome DevTools' "Slow 4G" preset, and its CPU slowdown for a mid-range phone.
SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1.6 * 1024 * 1024 / 8 * 0.9,
           "uploadThroughput": 750 * 1024 / 8 * 0.9}
CPU_SLOWDOWN = 4

LCP_SCRIPT = """
window.__lcp = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__lcp = entry.startTime;
}).observe({type: 'largest-contentful-paint', buffered: true});
"""

BLOCKING_SCRIPTS = """() => [...document.head.querySelectorAll('script[src]')]
  .filter((s) => !s.defer && !s.async && s.type !== 'module').map((s) => s.src)"""


@dataclass(frozen=True)
class FirstVisit:
    url: str
    transferred: int  # bytes on the wire, every response of the page load
    requests: int
    lcp_ms: float
    blocking_scripts: list[str]


def first_visit(browser, url: str, *, throttled: bool = False) -> FirstVisit:
    """Open ``url`` in a fresh context (empty cache) at 375 px and measure it."""
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True,
                                  locale="nl-NL")
    try:
        page = context.new_page()
        page.add_init_script(LCP_SCRIPT)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        if throttled:
            cdp.send("Network.emulateNetworkConditions", SLOW_4G)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        sizes: dict[str, float] = {}
        cdp.on("Network.loadingFinished", lambda event: sizes.__setitem__(event["requestId"],
                                                                           event["encodedDataLength"]))
        page.goto(url, wait_until="load")
        page.wait_for_timeout(300)  # the last loadingFinished events and the LCP entry
        lcp = page.evaluate("() => window.__lcp")
        blocking = page.evaluate(BLOCKING_SCRIPTS)
        return FirstVisit(url, int(sum(sizes.values())), len(sizes), float(lcp), blocking)
    finally:
        context.close()
