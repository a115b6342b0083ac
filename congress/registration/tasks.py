"""Periodic job: release the seats of registrations that were not confirmed in time."""

from __future__ import annotations

from huey import crontab

from congress.jobs import periodic_task
from congress.registration.services import expire_unconfirmed


@periodic_task(crontab(minute="*/5"), once="minute")
def expire_unconfirmed_registrations() -> int:
    return expire_unconfirmed()
