"""The real worker (``flask congress worker``, a Huey consumer on the SQLite queue) killed with SIGKILL
in the middle of a mailing, and started again: every address receives the mailing exactly once."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from congress.communications import mailings
from congress.communications.mailings import Audience, Draft, Mailing, MailingRecipient
from congress.extensions import db
from tests.registration.factories import open_congress, registered

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 150


def _worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "congress", "worker", "--workers", "1"],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _rows(mailing_id: int) -> int:
    db.session.rollback()  # read what the worker committed
    return db.session.scalar(sa.select(sa.func.count()).select_from(MailingRecipient).where(
        MailingRecipient.mailing_id == mailing_id))


@pytest.mark.slow
def test_a_worker_killed_halfway_and_started_again_sends_every_message_exactly_once(app, mailbox, tmp_path):
    edition = open_congress("mailing-worker")
    for i in range(PEOPLE):
        registered(edition, name=f"Bezoeker {i}", email=f"b{i}@gemeente.nl")  # pending: a plain confirm mail
    mailing = mailings.create_mailing(edition, Draft(Audience(status="pending"), "Herinnering",
                                                     "Beste {{ name }}, bevestig uw aanmelding: {{ manage_url }}"))
    mailing_id = mailing.id
    mailings.start_sending(mailing_id, hand_over=False)  # "send" clicked; the worker takes it up when it starts
    db.session.commit()
    mailbox.clear()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "CONGRESS_INSTANCE_DIR": str(tmp_path),
           "HUEY_SQLITE_PATH": str(tmp_path / "queue.db"), "MAIL_PORT": str(app.config["MAIL_PORT"]),
           "MAIL_SERVER": "127.0.0.1", "MAILING_BATCH_SIZE": "2"}
    env.pop("HUEY_IMMEDIATE", None)

    first = _worker(env)
    try:
        deadline = time.monotonic() + 60
        while _rows(mailing_id) < 6 and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.01)
        halfway = _rows(mailing_id)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert 0 < halfway < PEOPLE, f"the worker was not stopped halfway ({halfway} of {PEOPLE})"
    assert _rows(mailing_id) < PEOPLE

    second = _worker(env)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            db.session.rollback()
            done = db.session.get(Mailing, mailing_id).status == "sent"
            if done and len([m for m in mailbox if m["List-Unsubscribe"]]) >= PEOPLE:
                time.sleep(1)  # anything sent twice would arrive now
                break
            time.sleep(0.2)
    finally:
        second.terminate()
        output, _ = second.communicate(timeout=20)
    received = Counter(m["To"] for m in mailbox if m["List-Unsubscribe"])
    assert received == Counter({f"b{i}@gemeente.nl": 1 for i in range(PEOPLE)}), output.decode()[-3000:]
    assert _rows(mailing_id) == PEOPLE
    counts = mailings.counts(mailing_id)
    assert (counts.sent, counts.failed, counts.percent) == (PEOPLE, 0, 100)


JOB = """
import sys
from wsgi import app
from congress.communications import mailings
with app.app_context():
    print(mailings.send_pending(int(sys.argv[1]), batch_size=3))
"""


@pytest.mark.slow
def test_two_jobs_racing_on_one_mailing_in_two_processes_send_every_message_once(app, mailbox, tmp_path):
    """The periodic sweep and a restarted worker may run the job beside a copy of itself: the row
    lock and UNIQUE(mailing_id, email) make them share the work, never double it."""
    edition = open_congress("mailing-race")
    for i in range(60):
        registered(edition, name=f"Bezoeker {i}", email=f"r{i}@gemeente.nl")
    mailing = mailings.create_mailing(edition, Draft(Audience(status="pending"), "Herinnering", "Beste {{ name }},"))
    mailing_id = mailing.id
    mailings.start_sending(mailing_id, hand_over=False)
    db.session.commit()
    mailbox.clear()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "CONGRESS_INSTANCE_DIR": str(tmp_path),
           "HUEY_SQLITE_PATH": str(tmp_path / "queue.db"), "MAIL_PORT": str(app.config["MAIL_PORT"]),
           "MAIL_SERVER": "127.0.0.1", "HUEY_IMMEDIATE": "1"}  # each process delivers what it queued
    jobs = [subprocess.Popen([sys.executable, "-c", JOB, str(mailing_id)], env=env, cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    outputs = [job.communicate(timeout=180)[0].decode() for job in jobs]
    assert all(job.returncode == 0 for job in jobs), outputs
    queued = [int(re.search(r"queued=(\d+)", out).group(1)) for out in outputs]
    assert sum(queued) == 60, outputs  # each address queued by one of them
    received = Counter(m["To"] for m in mailbox if m["List-Unsubscribe"])
    assert received == Counter({f"r{i}@gemeente.nl": 1 for i in range(60)}), outputs
    assert _rows(mailing_id) == 60
    assert db.session.get(Mailing, mailing_id).status == "sent"
