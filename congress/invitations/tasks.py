"""Periodic job: on the day after a list's reserved places expire, give the freed places to the
edition's waiting list (each edition once per run; promoting twice changes nothing)."""

from __future__ import annotations

from huey import crontab

from congress.invitations.services import release_expired_holds
from congress.jobs import periodic_task


@periodic_task(crontab(minute="15"), once="hour")
def release_expired_reservations() -> int:
    return release_expired_holds()
