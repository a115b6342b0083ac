from __future__ import annotations

from huey import crontab

from congress import jobs
from congress.mail import services


@jobs.task()
def deliver_mail(message_id: int) -> str:
    status = services.deliver(message_id)
    if status == "queued":
        # Failed this time: try again after the backoff the service set.
        from congress.extensions import db
        from congress.mail.models import OutboxMessage

        message = db.session.get(OutboxMessage, message_id)
        if message is not None and message.next_attempt_at is not None:
            deliver_mail.schedule(args=(message_id,), eta=message.next_attempt_at)
    return status


@jobs.periodic_task(crontab(minute="*"))
def send_due_mail() -> dict[str, int]:
    """Safety net: picks up messages whose enqueue was lost (worker down, restart)."""
    return services.send_due_mail()
