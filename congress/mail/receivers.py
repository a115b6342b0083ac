"""The mail capability's connections, made by ``create_app`` (never at import time): a commit
hands the messages queued in it to the worker; a rollback forgets them."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from congress.mail.services import forget_rolled_back_mail
from congress.mail.tasks import enqueue_committed_mail

LISTENERS = (("after_commit", enqueue_committed_mail), ("after_rollback", forget_rolled_back_mail))


def connect() -> None:
    """Connecting again (a second app in one process) changes nothing."""
    for name, listener in LISTENERS:
        if not event.contains(OrmSession, name, listener):
            event.listen(OrmSession, name, listener)
