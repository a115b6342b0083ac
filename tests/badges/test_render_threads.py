"""Two threads of one process render PDFs at the same moment (the mail worker runs its jobs in
threads: two e-tickets at once). Pango's font map is not safe to share between threads: with one
font configuration for the whole process, about one process in four died (SIGSEGV or SIGABRT) or
deadlocked when its first two tickets were rendered together, and the worker's claimed mails stayed
``sending`` (seen in a fresh-clone CI run of tests/test_write_concurrency.py). Each thread now has
its own font configuration and stylesheets."""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from congress.badges import render

ROOT = Path(__file__).resolve().parents[2]

# A fresh process each time: the race is in the first renders of a process.
SCRIPT = """
import threading
from weasyprint import HTML
from congress.badges import render
from congress.badges.ticket import STYLESHEET
barrier = threading.Barrier(2)
failures = []
def work(k):
    barrier.wait()
    try:
        for i in range(3):
            html = f"<h1>E-ticket {k}.{i}</h1><p>Thomas van der Berg · Şükrü Öztürk · Zoë Ĳsselmeer</p>"
            document = HTML(string=html, base_url=str(render.TEMPLATES)).render(
                stylesheets=[render.stylesheet_file(str(STYLESHEET))], font_config=render.font_config())
            assert document.write_pdf().startswith(b"%PDF")
    except Exception as exc:
        failures.append(repr(exc))
threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("failures", failures)
raise SystemExit(1 if failures else 0)
"""

RUNS = 20


def _run(_: int) -> str:
    """"ok", or how the process ended: its exit code and the end of its output, or "hung"."""
    try:
        done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return "hung (deadlocked) for 60 s"
    return "ok" if done.returncode == 0 else f"exit {done.returncode}: {done.stderr[-300:]!r}"


def test_two_threads_rendering_their_first_pdfs_together_never_crash_the_process():
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_run, range(RUNS)))
    assert results == ["ok"] * RUNS, [r for r in results if r != "ok"]


def test_each_thread_has_its_own_font_configuration_and_keeps_it():
    seen: dict[str, tuple[int, int, int]] = {}

    def look(name: str) -> None:
        fonts = render.font_config()
        sheet = render.stylesheet_file(str(render.TEMPLATES / "ticket.css"))
        assert render.font_config() is fonts and render.stylesheet_file(str(render.TEMPLATES / "ticket.css")) is sheet
        seen[name] = (id(fonts), id(sheet), threading.get_ident())

    # Both alive at once, so that neither can inherit the other's (a finished thread's may be reused).
    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=lambda n=name: (look(n), barrier.wait())) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen["a"][0] != seen["b"][0] and seen["a"][1] != seen["b"][1]
    render.release_fonts()
