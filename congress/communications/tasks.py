"""Communications' background jobs: the job that queues a mailing's messages in batches, what takes up
a mailing whose job died (the worker that starts next, and a periodic sweep), and the sweep that fires
scheduled mails."""

from __future__ import annotations

from flask import current_app
from huey import crontab

from congress import jobs
from congress.communications import mailings, schedules
from congress.extensions import huey


@jobs.task()
def send_mailing(mailing_id: int) -> dict[str, int | bool]:
    """Queue the mailing's messages for everyone who has none yet; safe to run again or twice."""
    report = mailings.send_pending(mailing_id)
    return {"queued": report.queued, "skipped": report.skipped, "finished": report.finished}


@jobs.periodic_task(crontab(minute="*"), once="minute")
def resume_stalled_mailings() -> list[int]:
    """A mailing still sending whose last batch is older than ``MAILING_STALL_SECONDS``: its job died
    (or was never handed over); run it again (it skips whoever has a message already)."""
    stalled = mailings.stalled_mailings(float(current_app.config.get("MAILING_STALL_SECONDS", 120)))
    for mailing_id in stalled:
        send_mailing(mailing_id)
    return stalled


@jobs.periodic_task(crontab(minute="*/5"), once="minute")
def fire_scheduled_mails() -> list[int]:
    """Scheduled mails whose moment has come start their mailing (each rule once, whatever the number
    of workers: the rule's row lock and its ``fired_at``); the mailings started are handed over."""
    return schedules.fire_due()


@jobs.task()
def resume_mailings_after_restart() -> list[int]:
    """Every mailing still sending, when a worker starts: the one before it may have died mid-batch."""
    stalled = mailings.stalled_mailings()
    for mailing_id in stalled:
        send_mailing(mailing_id)
    return stalled


@huey.on_startup("communications.resume_mailings")
def _on_worker_start() -> None:
    # Only enqueues (no application context here); a worker thread runs it.
    resume_mailings_after_restart()


def hand_over_started_mailings(session) -> None:  # type: ignore[no-untyped-def]
    """After a commit: hand the mailings started in it to the worker (connected by receivers)."""
    for mailing_id in mailings.take_pending(session):
        try:
            send_mailing(mailing_id)
        except Exception:
            # The click is stored; the periodic sweep takes the mailing up when its hand-over was lost.
            current_app.logger.warning("could not hand mailing %s to the worker", mailing_id, exc_info=True)
