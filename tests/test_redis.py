"""The queue and the rate limits on a real Redis server, as in production (REDIS_URL).

The rest of the suite runs them on the embedded defaults (Huey on an SQLite file or immediate,
Flask-Limiter in memory); these tests run the same parts on the throw-away Redis of the
``redis_server`` fixture: tasks enqueued, dequeued and scheduled through a real Huey consumer, the
mail worker process delivering over a Redis queue, and one login limit shared by two application
processes (which memory storage cannot do).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
import requests
from flask import current_app
from huey.storage import RedisStorage

from congress import jobs
from congress.extensions import db, huey
from congress.mail.models import OutboxMessage

ROOT = Path(__file__).resolve().parent.parent


@jobs.task()
def _add(a: int, b: int) -> dict:
    return {"sum": a + b, "app": current_app.name, "at": time.time()}


@contextmanager
def _queue_on(app, redis_url: str) -> Iterator[None]:
    """The test app's queue on Redis and not immediate (as the worker runs it), restored after."""
    saved = {key: app.config.get(key) for key in ("REDIS_URL", "HUEY_IMMEDIATE")}
    app.config.update(REDIS_URL=redis_url, HUEY_IMMEDIATE=False)
    try:
        jobs.init_app(app)
        yield
    finally:
        app.config.update(saved)
        jobs.init_app(app)


@contextmanager
def _consumer(workers: int = 2) -> Iterator[None]:
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=False,
                                    check_worker_health=False)
    consumer.start()
    try:
        yield
    finally:
        consumer.stop(graceful=True)


def test_tasks_go_through_redis_and_a_real_consumer(app, redis_url):
    with _queue_on(app, redis_url):
        assert isinstance(huey.storage, RedisStorage)
        results = [_add(i, 10) for i in range(5)]
        # Enqueued in Redis, not run: nothing consumes yet.
        assert huey.pending_count() == 5
        assert redis.Redis.from_url(redis_url).llen(huey.storage.queue_key) == 5
        with _consumer():
            values = [r.get(blocking=True, timeout=20) for r in results]
        assert [v["sum"] for v in values] == [10, 11, 12, 13, 14]
        assert {v["app"] for v in values} == {app.name}  # ran inside the application's context
        assert huey.pending_count() == 0


def test_a_scheduled_task_waits_in_redis_until_it_is_due(app, redis_url):
    with _queue_on(app, redis_url):
        scheduled_at = time.time()
        result = _add.schedule(args=(2, 3), delay=2)
        with _consumer():
            value = result.get(blocking=True, timeout=30)
        assert value["sum"] == 5
        # The consumer held it in Redis's schedule and ran it only once it was due.
        assert value["at"] - scheduled_at >= 2
        assert huey.scheduled_count() == 0


@pytest.mark.slow
def test_worker_process_delivers_queued_mail_over_redis(app, mailbox, redis_url, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "CONGRESS_INSTANCE_DIR": str(tmp_path),
        "HUEY_SQLITE_PATH": str(tmp_path / "not-used.db"),
        "REDIS_URL": redis_url,
        "MAIL_PORT": str(app.config["MAIL_PORT"]),
        "MAIL_SERVER": "127.0.0.1",
    }
    code = (
        "from wsgi import app\n"
        "from congress.extensions import db\n"
        "from congress.mail.services import queue_mail\n"
        "from congress.accounts.services import create_user\n"
        "with app.test_request_context():\n"
        "    u = create_user('r@example.org', name='Roos', password='long enough pw')\n"
        "    queue_mail('r@example.org', 'password_reset', locale='nl', user=u, link='http://x', hours=1)\n"
        "    db.session.commit()\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, timeout=60)
    assert mailbox == []
    # The delivery task waits in Redis (and not in the SQLite file).
    assert RedisStorage(name="congress", url=redis_url).queue_size() == 1
    assert not (tmp_path / "not-used.db").exists()
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "congress", "worker", "--workers", "1"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while not mailbox and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    assert len(mailbox) == 1 and mailbox[0]["To"] == "r@example.org"
    db.session.expire_all()
    assert db.session.query(OutboxMessage).one().status == "sent"
    assert RedisStorage(name="congress", url=redis_url).queue_size() == 0


_SERVE = """
import json, os
from config import TestConfig
from congress import create_app
from werkzeug.serving import make_server

settings = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
settings.update(json.loads(os.environ["CONGRESS_TEST_SETTINGS"]))
server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
print(server.port, flush=True)
server.serve_forever()
"""


@contextmanager
def _app_processes(settings: dict, tmp_path: Path, count: int = 2) -> Iterator[list[str]]:
    """Application instances, each in its own process (as gunicorn workers), on free ports."""
    env = {**os.environ, "CONGRESS_INSTANCE_DIR": str(tmp_path), "CONGRESS_TEST_SETTINGS": json.dumps(settings)}
    processes = [
        subprocess.Popen([sys.executable, "-c", _SERVE], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
        for _ in range(count)
    ]
    try:
        ports = [process.stdout.readline().strip() for process in processes]
        assert all(port.isdigit() for port in ports), "an application process did not start"
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


def _login_attempts(base: str, count: int) -> list[int]:
    return [
        requests.post(f"{base}/login", data={"email": "nobody@example.org", "password": "wrong password"},
                      timeout=20, allow_redirects=False).status_code
        for _ in range(count)
    ]


@pytest.mark.slow
@pytest.mark.parametrize("storage", ["redis", "memory"])
def test_a_rate_limit_is_shared_by_two_app_instances_only_on_redis(app, redis_url, tmp_path, storage):
    settings = {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "HUEY_SQLITE_PATH": str(tmp_path / "huey.db"),
        "RATELIMIT_STORAGE_URI": redis_url if storage == "redis" else "memory://",
        "LOGIN_RATE_LIMIT": "3 per minute",
    }
    with _app_processes(settings, tmp_path) as (first, second):
        from_first = _login_attempts(first, 3)
        from_second = _login_attempts(second, 3)
    assert 429 not in from_first, from_first
    if storage == "redis":
        # The second instance sees the three attempts the first counted: the address is over its limit.
        assert from_second == [429, 429, 429]
        assert list(redis.Redis.from_url(redis_url).scan_iter("LIMITS*"))
    else:
        # In memory each process counts alone: behind two workers an address gets twice its limit.
        assert 429 not in from_second, from_second
