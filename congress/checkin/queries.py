"""Reads of the check-in capability that the capabilities above it use: who is checked in at the
venue (the back-office "checked in" filter, in ``congress.manage``) and attendance per session
(the evaluations and certificates to come), plus the check-in screens' own reads.

An undone check-in does not count anywhere; a check-out keeps the check-in (the person came)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from congress.checkin.models import VENUE, CheckIn, Station, list_key
from congress.core.models import Congress
from congress.extensions import db


def venue_checked_in_ids() -> sa.Select:
    """A query of the registration ids checked in at the venue (to use as a subquery: ``in_(…)``)."""
    return sa.select(CheckIn.registration_id).where(CheckIn.list_key == VENUE, CheckIn.undone_at.is_(None))


def session_checked_in_ids(session_id: int) -> sa.Select:
    """A query of the registration ids checked in at one session (its room's list)."""
    return sa.select(CheckIn.registration_id).where(CheckIn.list_key == list_key(session_id),
                                                    CheckIn.undone_at.is_(None))


def present_in_session(session_id: int) -> int:
    """How many are checked in at the session now."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(CheckIn).where(
            CheckIn.list_key == list_key(session_id), CheckIn.undone_at.is_(None)
        )
    )


def active_checkins(congress: Congress) -> list[CheckIn]:
    """Every check-in of the edition that was not undone, at the venue and in sessions."""
    return list(db.session.scalars(
        sa.select(CheckIn).where(CheckIn.congress_id == congress.id, CheckIn.undone_at.is_(None))
    ))


def venue_checkins(congress: Congress, registration_ids: Iterable[int]) -> dict[int, CheckIn]:
    """The active venue check-ins of these registrations, by registration id."""
    return {
        c.registration_id: c for c in db.session.scalars(
            sa.select(CheckIn).where(CheckIn.congress_id == congress.id, CheckIn.list_key == VENUE,
                                     CheckIn.undone_at.is_(None),
                                     CheckIn.registration_id.in_(list(registration_ids) or [0])))
    }


def stations_of(congress: Congress) -> list[Station]:
    """The edition's stations, oldest first."""
    return list(db.session.scalars(sa.select(Station).where(Station.congress_id == congress.id).order_by(Station.id)))
