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
    """Deliver this message and, over the same SMTP connection, further due ones (up to
    ``MAIL_BATCH_SIZE``): the backlog is shared by every worker that takes a job. A job whose message
    another worker took already still takes a batch of what is due, if anything is."""
    wanted = services.is_due(message_id) or services.any_due()
    results = services.deliver_batch(message_id) if wanted else {}
    status = results.get(message_id) or services.status_of(message_id)
    counts: dict[str, int] = {}
    for claimed_id, claimed_status in results.items():
        counts[claimed_status] = counts.get(claimed_status, 0) + 1
        if claimed_status == "queued":
            _schedule_retry(claimed_id)
    if status == "queued" and message_id not in results:
        _schedule_retry(message_id)
    jobs.note(" ".join(f"{k}={v}" for k, v in sorted(counts.items())) or f"nothing to send ({status})")
    return status


def _schedule_retry(message_id: int) -> None:
    """Not sent this time: try again when the service said (never sooner than a short pause, so that
    a database that refuses us now is not asked again at once). Should even this read fail, the
    periodic job below picks the message up."""
    try:
        when = services.next_attempt_at(message_id)
    except Exception as exc:
        if not services.is_transient_database_error(exc):
            raise
        current_app.logger.warning("mail %s: retry left to the periodic job: %s", message_id, exc)
        return
    if when is not None:
        soonest = utcnow() + timedelta(seconds=float(current_app.config["MAIL_DB_RETRY_SECONDS"]))
        deliver_mail.schedule(args=(message_id,), eta=max(when, soonest))


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
