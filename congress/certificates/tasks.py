"""Periodic job: once a night, delete the verification records past the certificate retention period
(``CERTIFICATE_RETENTION_YEARS``, default 7 years after issue)."""

from __future__ import annotations

from huey import crontab

from congress.certificates import services
from congress.jobs import periodic_task


@periodic_task(crontab(hour="3", minute="41"), once="day")
def remove_expired_certificate_records() -> int:
    return services.remove_expired_records()
