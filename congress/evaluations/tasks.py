"""Periodic job: once a day, each edition whose evaluation has just closed has its sessions'
aggregated evaluations made into draft knowledge items — once per edition, however many consumers
run (the edition's own ``job_periods`` row decides, see :func:`services.run_to_archive_once`)."""

from __future__ import annotations

from huey import crontab

from congress.evaluations import services
from congress.jobs import note, periodic_task


@periodic_task(crontab(hour="4", minute="17"), once="day")
def evaluations_to_archive() -> int:
    made = 0
    done = []
    for congress in services.editions_to_archive():
        outcome = services.run_to_archive_once(congress)
        if outcome is not None:
            made += len(outcome.made)
            done.append(f"{congress.slug}: {outcome.summary()}")
    note("; ".join(done) or "nothing to do")
    return made
