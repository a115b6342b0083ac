"""The benchmark tooling measures what it says: the open-loop load client counts the wait for a free
connection (no coordinated omission), and bench-compare reads figures and flags only real regressions."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import _compare
from bench._support import host_reference_ms
from tests.support import post_json_concurrently

SERVICE_SECONDS = 0.05


class _Slow(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(SERVICE_SECONDS)
        body = json.dumps({"probe": self.headers.get("X-Probe-Id")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Server-Timing", f"app;dur={SERVICE_SECONDS * 1000:.2f}")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def slow_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_closed_loop_latency_is_the_service_time(slow_server):
    outcomes = post_json_concurrently(slow_server, "/x", [{}] * 5, {}, concurrency=1, probe=True)
    assert [o["status"] for o in outcomes] == [200] * 5
    assert [o["body"]["probe"] for o in outcomes] == [str(i) for i in range(5)]
    assert all(SERVICE_SECONDS * 1000 <= o["client_ms"] < SERVICE_SECONDS * 1000 * 4 for o in outcomes)
    assert all(o["sent_at"] <= o["connected_at"] <= o["first_byte_at"] <= o["done_at"] for o in outcomes)


def test_open_loop_counts_the_wait_for_a_free_connection(slow_server):
    # Due every 10 ms, served one at a time in 50 ms: the fifth was due at 40 ms and answered at
    # 250 ms or later, so its latency from when it was due is at least 200 ms.
    outcomes = post_json_concurrently(slow_server, "/x", [{}] * 5, {}, concurrency=1, rate=100.0)
    assert outcomes[-1]["client_ms"] >= 4 * (SERVICE_SECONDS * 1000 - 10)
    assert outcomes[-1]["client_ms"] > outcomes[0]["client_ms"] + 150


def test_figures_split_pairs_and_skip_runs_that_failed():
    rows = [
        {"benchmark": "b", "database": "SQLite", "metric": "registrations/s", "value": 150.5, "ok": True},
        {"benchmark": "b", "database": "SQLite", "metric": "p50 / p99 server time (ms)", "value": "9.0 / 20.5"},
        {"benchmark": "b", "database": "", "metric": "failed to run", "value": "RuntimeError: port 5000", "ok": False},
    ]
    assert _compare.figures(rows) == {
        ("b", "SQLite", "registrations/s"): 150.5,
        ("b", "SQLite", "p50 / p99 server time (ms) [1]"): 9.0,
        ("b", "SQLite", "p50 / p99 server time (ms) [2]"): 20.5,
    }


def test_compare_flags_only_what_got_worse_by_more_than_ten_percent():
    def run(rate: float, ms: float, errors: int) -> dict:
        return {"rows": [
            {"benchmark": "b", "database": "PostgreSQL", "metric": "registrations/s", "value": rate},
            {"benchmark": "b", "database": "PostgreSQL", "metric": "p99 latency (ms)", "value": ms},
            {"benchmark": "b", "database": "PostgreSQL", "metric": "errors (5xx or lost)", "value": errors},
        ]}

    base = [run(200, 100, 0), run(180, 120, 0)]  # medians 190 and 110
    worse = {line["key"][2]: line for line in _compare.compare(base, [run(160, 125, 3), run(170, 121, 3)])}
    assert worse["registrations/s"]["worse"] and round(worse["registrations/s"]["ratio"], 3) == round(165 / 190, 3)
    assert worse["p99 latency (ms)"]["worse"]
    assert not worse["errors (5xx or lost)"]["worse"]  # a count, shown but never flagged
    same = {line["key"][2]: line for line in _compare.compare(base, [run(175, 118, 0), run(180, 119, 0)])}
    assert not any(line["worse"] for line in same.values())


def test_a_difference_inside_the_runs_own_spread_is_marked_not_flagged():
    def run(ms: float) -> dict:
        return {"rows": [{"benchmark": "b", "database": "SQLite", "metric": "p99 latency (ms)", "value": ms}]}

    # Medians 200 → 260 (1.30), but one base run was as slow as the head's: noise, not the code.
    noisy = _compare.compare([run(180), run(200), run(270)], [run(250), run(260), run(265)])[0]
    assert (noisy["worse"], noisy["spread"]) == (False, True)
    # Every head run slower than every base run: flagged.
    apart = _compare.compare([run(180), run(200), run(210)], [run(250), run(260), run(265)])[0]
    assert (apart["worse"], apart["spread"]) == (True, False)
    # One run a side has no spread to judge by: flagged on the medians alone.
    single = _compare.compare([run(200)], [run(260)])[0]
    assert single["worse"]


def test_the_report_shows_each_sides_runs_and_the_reference_loop(tmp_path):
    def run(rate: float, host_ms: float) -> dict:
        return {"rows": [{"benchmark": "b", "database": "SQLite", "metric": "registrations/s", "value": rate}],
                "seconds": 10.0, "returncode": 0, "machine_busy": 0.5, "host_ms": host_ms}

    out = tmp_path / "compare.md"
    flagged = _compare.write(out, "a" * 40, "head", ["b"], 2, ["base", "head"],
                             {"b": {"base": [run(200, 30.0), run(150, 31.0)],
                                    "head": [run(160, 29.5), run(170, 30.5)]}},
                             "08:00", {})
    text = out.read_text()
    assert flagged == 0  # 165 / 175 = 0.94: within 10 %
    assert "| b | SQLite | registrations/s | 175 | 165 | 0.94 | 150–200 | 160–170 |  |" in text
    assert "reference loop 30 ms" in text and "reference loop 29.5 ms" in text


def test_the_reference_loop_measures_something():
    assert host_reference_ms(repeat=1) > 0
