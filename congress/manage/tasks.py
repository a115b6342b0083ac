"""Periodic job: anonymise, once a night, the editions whose retention period has passed."""

from __future__ import annotations

from huey import crontab

from congress.jobs import periodic_task
from congress.manage import retention


@periodic_task(crontab(hour="3", minute="17"), once="day")
def anonymise_due_editions() -> int:
    """What was anonymised in total (0 on most nights)."""
    return sum(r.total for r in retention.run())
