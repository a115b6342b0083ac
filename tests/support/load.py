"""Load clients for a server on loopback: ``fire`` (plain http.client in threads, one connection per
request, optionally all starting at once) and ``post_json_concurrently`` (one asyncio loop, a lean
generator that takes little CPU from the server on a shared machine)."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Outcome:
    status: int
    latency: float
    body: dict = field(default_factory=dict)
    started: float = 0.0


def fire(base_url: str, slug: str, token: str, payloads: list[dict], *, concurrency: int,
         timeout: float = 30.0, together: bool = False) -> list[Outcome]:
    """POST every payload with ``concurrency`` concurrent clients (threads, each its own connection).
    ``together``: all clients wait at a barrier and start at the same moment. The client is plain
    http.client, so that the load generator takes little of the machine's CPU from the server."""
    parts = urlsplit(base_url)
    path = f"/api/v1/congresses/{slug}/registrations"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Connection": "close"}
    barrier = threading.Barrier(min(concurrency, len(payloads))) if together else None

    def one(payload: dict) -> Outcome:
        if barrier is not None:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=timeout)
        body = json.dumps(payload).encode()
        start = time.perf_counter()
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            return Outcome(599, time.perf_counter() - start, {"error": str(exc)}, start)
        finally:
            connection.close()
        latency = time.perf_counter() - start
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = {}
        return Outcome(status, latency, parsed if isinstance(parsed, dict) else {}, start)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(one, payloads))


def post_json_concurrently(base_url: str, path: str, bodies: list[dict], headers: dict[str, str],
                           concurrency: int, timeout: float = 30.0, probe: bool = False,
                           rate: float | None = None) -> list[dict]:
    """POST each body with ``concurrency`` connections from one asyncio loop: a lean load generator,
    so that the client's own CPU takes as little as possible from the server on a shared machine.
    Returns, in order, ``status``, ``body`` (parsed JSON or {}), ``client_ms`` and ``server_ms``
    (the app's Server-Timing), and ``sent_at`` / ``connected_at`` / ``first_byte_at`` / ``done_at``
    (``time.monotonic()``, the clock every process on the machine shares). ``probe``: each request
    carries ``X-Probe-Id: <index>`` (see bench/_probe_gunicorn.py).

    Without ``rate`` the loop is closed: each connection sends its next body as soon as the last is
    answered, so there are always ``concurrency`` requests in flight and the latency is mostly the wait
    for a free server worker (``concurrency`` / throughput, Little's law). With ``rate`` the arrivals
    are open: body i is due at ``i / rate`` seconds after the start, at most ``concurrency`` are in flight,
    and ``sent_at`` (and so ``client_ms``) is the time it was due, so that a request that had to wait for
    a free connection counts that wait too (no coordinated omission)."""
    parts = urlsplit(base_url)
    host, port = parts.hostname, parts.port
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    results: list[dict] = [{} for _ in bodies]

    async def one(index: int, due: float | None) -> None:
        payload = json.dumps(bodies[index]).encode()
        probe_header = f"X-Probe-Id: {index}\r\n" if probe else ""
        request = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(payload)}\r\nConnection: close\r\n{extra}{probe_header}\r\n"
                   ).encode() + payload
        sent_at = connected_at = first_byte_at = time.monotonic() if due is None else due
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
            connected_at = time.monotonic()
            writer.write(request)
            await writer.drain()
            first = await asyncio.wait_for(reader.read(1), timeout)
            first_byte_at = time.monotonic()
            raw = first + await asyncio.wait_for(reader.read(), timeout)
            writer.close()
        except (OSError, TimeoutError):
            results[index] = {"status": 599, "body": {}, "client_ms": (time.monotonic() - sent_at) * 1000,
                              "server_ms": None, "sent_at": sent_at, "connected_at": connected_at,
                              "first_byte_at": first_byte_at, "done_at": time.monotonic()}
            return
        done_at = time.monotonic()
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        server_ms = None
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "server-timing" and "dur=" in value:
                server_ms = float(value.split("dur=")[1])
        try:
            parsed = json.loads(body) if body else {}
        except ValueError:
            parsed = {}
        results[index] = {"status": status, "body": parsed, "client_ms": (done_at - sent_at) * 1000,
                          "server_ms": server_ms, "sent_at": sent_at, "connected_at": connected_at,
                          "first_byte_at": first_byte_at, "done_at": done_at}

    async def main() -> None:
        queue = iter(range(len(bodies)))
        start = time.monotonic()

        async def worker() -> None:
            for index in queue:
                due = None if rate is None else start + index / rate
                if due is not None and due > time.monotonic():
                    await asyncio.sleep(due - time.monotonic())
                await one(index, due)

        await asyncio.gather(*(worker() for _ in range(concurrency)))

    run_coroutine(main())
    return results


def run_coroutine(coroutine: Any) -> Any:
    """``asyncio.run``, also where this thread already runs an event loop (Playwright's sync API
    leaves one behind in the test process): then the coroutine runs in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # handed to the caller's thread below
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="load-client")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
