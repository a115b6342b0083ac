from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from huey import crontab
from sqlalchemy.orm import Session as OrmSession

from congress import jobs
from congress.database import utcnow
from congress.mail import services


@jobs.task()
def deliver_mail(message_id: int) -> str:
    status = services.deliver(message_id)
    if status == "queued":
        # Not sent this time: try again when the service said (never sooner than a short pause, so
        # that a database that refuses us now is not asked again at once). Should even this read
        # fail, the periodic job below picks the message up.
        try:
            when = services.next_attempt_at(message_id)
        except Exception as exc:
            if not services.is_transient_database_error(exc):
                raise
            current_app.logger.warning("mail %s: retry left to the periodic job: %s", message_id, exc)
            return status
        if when is not None:
            soonest = utcnow() + timedelta(seconds=float(current_app.config["MAIL_DB_RETRY_SECONDS"]))
            deliver_mail.schedule(args=(message_id,), eta=max(when, soonest))
    return status


@jobs.periodic_task(crontab(minute="*"), once="minute")
def send_due_mail() -> dict[str, int]:
    """Safety net: picks up messages whose enqueue was lost (worker down, restart) and claims that
    went stale (their worker died)."""
    return services.send_due_mail()


def enqueue_committed_mail(session: OrmSession) -> None:
    """After a commit: hand the messages queued in it to the worker (connected by mail.receivers)."""
    pending = session.info.pop(services.PENDING_KEY, None)
    if not pending:
        return
    for message in pending:
        identity = (message,) if isinstance(message, int) else sa.inspect(message).identity
        if identity:
            try:
                deliver_mail(identity[0])
            except Exception:
                # After the commit: what was stored stays acknowledged (a full queue disk must not
                # turn a stored registration into an error); the worker's sweep sends it later.
                current_app.logger.warning("could not hand message %s to the worker", identity[0], exc_info=True)
