"""Online attendance: a registrant who opens a session's stream or meeting link during the session
(through ``/my/<secret>/join/<session_id>``) is checked in to that session's list with ``mode =
"online"`` — the same check-in row as a scan at the room's door, so exactly once per person and
session (the partial unique index decides), counted apart in the statistics, and counted by the
certificates like any check-in at the session (from the join until the session's end)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from congress.audit.services import Ref, record
from congress.checkin.models import CheckIn, list_key
from congress.database import insert_unless_exists, utcnow, write_transaction
from congress.extensions import db
from congress.programme.models import ProgrammeSession

ONLINE = "online"
# The link opens a little before the session starts, for people who test their sound first.
EARLY = timedelta(minutes=15)


@dataclass(frozen=True)
class JoinWindow:
    opens_at: datetime | None
    closes_at: datetime | None

    def state(self, now: datetime) -> str:
        """``before``, ``open`` or ``after`` the session (``open`` too when the session has no times)."""
        if self.opens_at is not None and now < self.opens_at:
            return "before"
        if self.closes_at is not None and now > self.closes_at:
            return "after"
        return "open"


def join_window(session: ProgrammeSession) -> JoinWindow:
    return JoinWindow(session.starts_at - EARLY if session.starts_at else None, session.ends_at)


def _new_online_checkin() -> Any:
    # The partial unique index (one active check-in per registration and list) decides, as for a scan.
    return insert_unless_exists(CheckIn, index_elements=["registration_id", "list_key"],
                                index_where=CheckIn.undone_at.is_(None)).returning(CheckIn.id)


def record_online_join(registration_id: int, congress_id: int, session: ProgrammeSession,
                       now: datetime | None = None) -> bool:
    """Record that the registrant joined ``session`` online now; True when this is their first
    check-in on the session's list (a second join, or a scan at the room before, records nothing)."""
    now = now or utcnow()
    with write_transaction():
        created = db.session.execute(_new_online_checkin(), {
            "congress_id": congress_id, "registration_id": registration_id, "list_key": list_key(session.id),
            "session_id": session.id, "station_name": "online", "scanned_at": now, "received_at": now,
            "offline": False, "admitted_without_enrolment": False, "mode": ONLINE,
        }).scalar()
        if created is not None:
            record("checkin.online_join", Ref("Registration", registration_id, congress_id), session_id=session.id)
    return created is not None
