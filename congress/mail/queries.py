"""Reads of the mail capability that the back office uses: the outbox's health per edition."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from congress.extensions import db
from congress.mail.models import MailStatus, OutboxMessage


@dataclass(frozen=True)
class OutboxHealth:
    """Messages of one edition by status, and the oldest one still waiting to go out."""

    by_status: dict[str, int]
    oldest_waiting: datetime | None

    @property
    def waiting(self) -> int:
        return self.by_status.get(MailStatus.QUEUED.value, 0) + self.by_status.get(MailStatus.SENDING.value, 0)

    @property
    def failed(self) -> int:
        return self.by_status.get(MailStatus.FAILED.value, 0)

    @property
    def sent(self) -> int:
        return self.by_status.get(MailStatus.SENT.value, 0)


def outbox_health(congress_id: int) -> OutboxHealth:
    """The edition's outbox in one query: the number per status and the oldest queued or sending message."""
    waiting = (MailStatus.QUEUED.value, MailStatus.SENDING.value)
    rows = db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count(), sa.func.min(OutboxMessage.created_at))
        .where(OutboxMessage.congress_id == congress_id).group_by(OutboxMessage.status)).all()
    oldest = [first for status, _n, first in rows if status in waiting and first is not None]
    return OutboxHealth(by_status={status: n for status, n, _first in rows},
                        oldest_waiting=min(oldest) if oldest else None)

