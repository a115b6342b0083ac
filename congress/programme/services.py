"""Reading the programme (the programme capability adds editing and publishing)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from congress.core.models import Congress
from congress.extensions import db
from congress.programme.models import ProgrammeSession


def public_sessions(congress: Congress) -> list[ProgrammeSession]:
    return list(
        db.session.scalars(
            sa.select(ProgrammeSession)
            .where(ProgrammeSession.congress_id == congress.id, ProgrammeSession.starts_at.is_not(None))
            .options(
                selectinload(ProgrammeSession.speakers),
                selectinload(ProgrammeSession.track),
                selectinload(ProgrammeSession.room),
            )
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.room_id)
        )
    )


def local_day(session: ProgrammeSession, congress: Congress) -> date | None:
    if session.starts_at is None:
        return None
    return session.starts_at.astimezone(ZoneInfo(congress.timezone)).date()
