"""The rate limit holds when one sender's messages arrive at once: eight threads (each its own
application context, session and connection) send together with a limit of three per hour; exactly three
are stored and mailed, five refused. The database decides (the sender's row lock on PostgreSQL, SQLite's
one writer)."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from congress.extensions import db
from congress.mail.models import OutboxMessage
from congress.network import services
from congress.network.models import NetworkMessage
from congress.registration.models import Registration
from tests.network.factories import network_edition

THREADS = 8
LIMIT = 3


def test_messages_sent_at_once_never_exceed_the_limit(app):
    _, _, people = network_edition("netwerk-gelijktijdig", people=THREADS + 1)
    sender_id, recipient_ids = people[0].id, [p.id for p in people[1:]]
    db.session.commit()
    app.config["NETWORK_MESSAGES_PER_HOUR"] = LIMIT
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def send(recipient_id: int) -> None:
        with app.app_context():
            sender = db.session.get(Registration, sender_id)
            barrier.wait(timeout=30)
            try:
                services.send_message(sender, recipient_id, "Tegelijk verstuurd")
                outcome = "sent"
            except services.RateLimited:
                outcome = "limited"
            except BaseException as exc:  # anything else fails the test below
                outcome = repr(exc)
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=send, args=(r,)) for r in recipient_ids]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        app.config.pop("NETWORK_MESSAGES_PER_HOUR")
    assert not any(t.is_alive() for t in threads)
    assert sorted(outcomes) == ["limited"] * (THREADS - LIMIT) + ["sent"] * LIMIT, outcomes
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NetworkMessage)) == LIMIT
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.template == "network/message")) == LIMIT
