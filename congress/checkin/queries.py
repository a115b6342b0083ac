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


def sessions_checked_in(registration_id: int) -> set[int]:
    """The ids of the sessions one registration is checked in at (the evaluations' "who was there")."""
    return set(db.session.scalars(sa.select(CheckIn.session_id).where(
        CheckIn.registration_id == registration_id, CheckIn.session_id.is_not(None), CheckIn.undone_at.is_(None))))


def is_checked_in(registration_id: int, key: str) -> bool:
    """Whether the registration has an active check-in on the list (the venue, a session)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn).where(
        CheckIn.registration_id == registration_id, CheckIn.list_key == key, CheckIn.undone_at.is_(None))) > 0


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
    return checkins_on_list(congress, VENUE, registration_ids)


def checkins_on_list(congress: Congress, key: str, registration_ids: Iterable[int]) -> dict[int, CheckIn]:
    """The active check-ins of these registrations on one list (the venue, a session), by registration id."""
    return {
        c.registration_id: c for c in db.session.scalars(
            sa.select(CheckIn).where(CheckIn.congress_id == congress.id, CheckIn.list_key == key,
                                     CheckIn.undone_at.is_(None),
                                     CheckIn.registration_id.in_(list(registration_ids) or [0])))
    }


def stations_of(congress: Congress) -> list[Station]:
    """The edition's stations, oldest first."""
    return list(db.session.scalars(sa.select(Station).where(Station.congress_id == congress.id).order_by(Station.id)))


# --- the cockpit and the lists for the day (a14-cockpit) -----------------------------------------

def checked_in_per_session(congress: Congress) -> dict[int, int]:
    """{session id: people checked in at the session} for the edition's sessions, in one query."""
    return dict(db.session.execute(
        sa.select(CheckIn.session_id, sa.func.count(sa.distinct(CheckIn.registration_id)))
        .where(CheckIn.congress_id == congress.id, CheckIn.session_id.is_not(None), CheckIn.undone_at.is_(None))
        .group_by(CheckIn.session_id)).all())


def venue_presence(congress: Congress) -> tuple[int, int]:
    """(arrived, still here): people checked in at the venue, and those of them not checked out."""
    arrived, left = db.session.execute(
        sa.select(sa.func.count(sa.distinct(CheckIn.registration_id)),
                  sa.func.count(sa.distinct(sa.case((CheckIn.checked_out_at.is_not(None), CheckIn.registration_id)))))
        .where(CheckIn.congress_id == congress.id, CheckIn.list_key == VENUE, CheckIn.undone_at.is_(None))).one()
    return arrived or 0, (arrived or 0) - (left or 0)


def venue_scan_times(congress: Congress) -> sa.Select:
    """A query of the scan times of the edition's venue check-ins (not undone), to aggregate."""
    return sa.select(CheckIn.scanned_at).where(CheckIn.congress_id == congress.id, CheckIn.list_key == VENUE,
                                               CheckIn.undone_at.is_(None))


# --- attendance for certificates (hours from check-in to check-out) -------------------------------

def registration_checkins(registration_id: int) -> list[CheckIn]:
    """One registration's check-ins that were not undone (the entrance's and each session's), with
    their check-out times."""
    return list(db.session.scalars(
        sa.select(CheckIn).where(CheckIn.registration_id == registration_id, CheckIn.undone_at.is_(None))
        .order_by(CheckIn.id)))


def sessions_with_station(congress: Congress) -> set[int]:
    """The sessions that have a station of their own (scanned at their door), revoked ones included:
    who was there was scanned there."""
    return {s.session_id for s in stations_of(congress) if s.session_id is not None}


# --- for the reach report (congress.reports) --------------------------------------------------------

def venue_checked_in(congress: Congress) -> set[int]:
    """The ids of the registrations checked in at the edition's door (not undone)."""
    return set(db.session.scalars(sa.select(CheckIn.registration_id).where(
        CheckIn.congress_id == congress.id, CheckIn.list_key == VENUE, CheckIn.undone_at.is_(None))))


def session_checkins(congress: Congress) -> set[tuple[int, int]]:
    """(registration id, session id) of every check-in at one of the edition's sessions (not undone)."""
    return {(r, s) for r, s in db.session.execute(sa.select(CheckIn.registration_id, CheckIn.session_id).where(
        CheckIn.congress_id == congress.id, CheckIn.session_id.is_not(None), CheckIn.undone_at.is_(None)))}
