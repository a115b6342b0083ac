"""The real worker: a Huey consumer on the SQLite queue, run by the CLI, delivers over SMTP."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from congress.extensions import db
from congress.mail.models import OutboxMessage

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_worker_process_delivers_queued_mail(app, mailbox, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "CONGRESS_INSTANCE_DIR": str(tmp_path),
        "HUEY_SQLITE_PATH": str(tmp_path / "queue.db"),
        "MAIL_PORT": str(app.config["MAIL_PORT"]),
        "MAIL_SERVER": "127.0.0.1",
    }
    # Queue a message through the app configured like the worker (not immediate).
    code = (
        "from wsgi import app\n"
        "from congress.extensions import db\n"
        "from congress.mail.services import queue_mail\n"
        "from congress.accounts.services import create_user\n"
        "with app.test_request_context():\n"
        "    u = create_user('w@example.org', name='Wim', password='long enough pw')\n"
        "    queue_mail('w@example.org', 'password_reset', locale='nl', user=u, link='http://x', hours=1)\n"
        "    db.session.commit()\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, timeout=60)
    assert mailbox == []  # queued, not sent: the web process does not send mail itself
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
    assert len(mailbox) == 1
    db.session.expire_all()
    assert db.session.query(OutboxMessage).one().status == "sent"
