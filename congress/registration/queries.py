"""Reads of the registration capability that other capabilities may use (commands are in :mod:`.services`).

Kept in sections by who reads them; a section may re-export reads that live in the capability's
other modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from congress.core.models import Congress
from congress.extensions import db
from congress.programme.models import ProgrammeSession
from congress.registration.forms import ENROLMENT_LABELS, ROLE_LABELS, STATUS_LABELS
from congress.registration.links import by_secret_or_404, find_by_secret, manage_url
from congress.registration.models import Enrolment, EnrolmentStatus, Registration, RegistrationStatus, Sector
from congress.registration.registering import mail_context
from congress.registration.seats import edition_places_left, offers_waiting_list, seats_left_for_session
from congress.registration.state import (
    ACTIVE,
    SessionSeats,
    active_count,
    enrolled_counts,
    online_places_left,
    registration_state,
    rounds_with_seats,
    seat_overview,
    sectors,
    signup_sessions,
    waiting_rank,
    window_state,
)
from congress.sanitize import fold, query_int

__all__ = [
    "ACTIVE", "ENROLMENT_LABELS", "EnrolmentStatus", "RegistrationStatus", "confirmed_for_dashboard",
    "find_for_checkin", "is_enrolled", "people_at_the_door", "person_at_the_door", "station_attendees",
    "ROLE_LABELS", "SORTS", "STATUS_LABELS", "ReachRow", "confirmed_enrolments", "confirmed_for_report",
    "municipality_uses", "organisation_key", "organisations_of_editions_before",
    "RegistrationFilters", "SessionSeats",
    "active_count", "active_counts_by_edition", "attendance", "by_secret_or_404", "counts_by_sector",
    "counts_by_status", "edition_places_left", "offers_waiting_list", "online_places_left",
    "enrolled_counts", "find_by_secret", "mail_context", "manage_url", "registration_state", "rounds_with_seats",
    "search", "seat_overview", "seats_left_for_session", "sectors", "signup_sessions", "waiting_rank",
    "window_state",
]


# --- the edition's state, seats and labels (re-exported) ---------------------------------------------
# ACTIVE, active_count, registration_state, window_state, sectors, signup_sessions, enrolled_counts,
# seat_overview, rounds_with_seats, waiting_rank, SessionSeats; STATUS_LABELS, ROLE_LABELS,
# ENROLMENT_LABELS; find_by_secret, by_secret_or_404 and manage_url (the personal link).


# --- for the mail worker and the programme (answered through .receivers) -----------------------------
# mail_context(argument): the confirmation mail's context; seats_left_for_session(session).


# --- for the back office (manage): the registrations list, statistics, attendance lists --------------

SORTS = {
    "name": Registration.name,
    "organisation": Registration.organisation,
    "created": Registration.created_at,
    "status": Registration.status,
}


@dataclass(frozen=True)
class RegistrationFilters:
    """The organisers' search and filters of the registrations list (values outside the known ones are
    ignored, as the list's query string may hold anything)."""

    q: str = ""
    status: str | None = None
    role: str | None = None
    sector_id: int | None = None
    session_id: int | None = None
    place: str | None = None  # enrolled / waitlisted, with session_id
    confirmed: str | None = None  # yes / no
    sort: str = "created"  # a key of SORTS, "-" in front for descending

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> RegistrationFilters:
        return cls(q=args.get("q", "").strip(), status=args.get("status"), role=args.get("role"),
                   sector_id=query_int(args, "sector"), session_id=query_int(args, "session"),
                   place=args.get("place"), confirmed=args.get("confirmed"), sort=args.get("sort", "created"))


def search(congress: Congress, filters: RegistrationFilters, *, only_ids: sa.Select | None = None,
           except_ids: sa.Select | None = None) -> sa.Select:
    """The edition's registrations matching ``filters``, sorted, with sector and sessions loaded.
    ``only_ids`` / ``except_ids``: a query of registration ids to keep / leave out (the back office
    passes check-in's, for instance)."""
    query = sa.select(Registration).where(Registration.congress_id == congress.id)
    if filters.q:
        like = f"%{filters.q.lower()}%"
        query = query.where(sa.or_(sa.func.lower(Registration.name).like(like),
                                   sa.func.lower(Registration.email).like(like),
                                   sa.func.lower(Registration.organisation).like(like)))
    if filters.status in STATUS_LABELS:
        query = query.where(Registration.status == filters.status)
    if filters.role in ROLE_LABELS:
        query = query.where(Registration.role == filters.role)
    if filters.sector_id is not None:
        query = query.where(Registration.sector_id == filters.sector_id)
    if filters.session_id is not None:
        sub = sa.select(Enrolment.registration_id).where(Enrolment.session_id == filters.session_id)
        if filters.place in ("enrolled", "waitlisted"):
            sub = sub.where(Enrolment.status == filters.place)
        query = query.where(Registration.id.in_(sub))
    if filters.confirmed == "yes":
        query = query.where(Registration.status == "confirmed")
    elif filters.confirmed == "no":
        query = query.where(Registration.status == "pending")
    if only_ids is not None:
        query = query.where(Registration.id.in_(only_ids))
    if except_ids is not None:
        query = query.where(Registration.id.not_in(except_ids))
    sort = filters.sort
    column = SORTS.get(sort.lstrip("-"), Registration.created_at)
    query = query.order_by(column.desc() if sort.startswith("-") else column.asc(), Registration.id)
    return query.options(selectinload(Registration.sector),
                         selectinload(Registration.enrolments).selectinload(Enrolment.session))


def active_counts_by_edition() -> dict[int, int]:
    """{edition id: number of active (pending or confirmed) registrations}."""
    return dict(db.session.execute(
        sa.select(Registration.congress_id, sa.func.count()).where(Registration.status.in_(ACTIVE))
        .group_by(Registration.congress_id)).all())


def counts_by_status(congress: Congress) -> dict[str, int]:
    """{status: number of the edition's registrations}, statuses without registrations left out."""
    return dict(db.session.execute(
        sa.select(Registration.status, sa.func.count()).where(Registration.congress_id == congress.id)
        .group_by(Registration.status)).all())


def counts_by_sector(congress: Congress) -> list[tuple[str | None, str | None, int]]:
    """(Dutch name, English name, number) of the active registrations per sector, in the sectors' order;
    registrations without a sector count under (None, None)."""
    rows = db.session.execute(
        sa.select(Sector.name_nl, Sector.name_en, sa.func.count(Registration.id))
        .select_from(Registration).outerjoin(Sector, Registration.sector_id == Sector.id)
        .where(Registration.congress_id == congress.id, Registration.status.in_(ACTIVE))
        .group_by(Sector.id, Sector.name_nl, Sector.name_en, Sector.position).order_by(Sector.position)).all()
    return [(nl, en, n) for nl, en, n in rows]


def attendance(session: ProgrammeSession) -> list[Enrolment]:
    """Everyone enrolled in or waiting for a session: enrolled first, then the waiting list in its order."""
    return list(db.session.scalars(
        sa.select(Enrolment).join(Registration).where(Enrolment.session_id == session.id)
        .options(selectinload(Enrolment.registration).selectinload(Registration.sector))
        .order_by(Enrolment.status, Enrolment.position, Registration.name)
    ))


# === section: check-in and badges (a13-checkin) ==================================================
# What check-in (stations, the door, the dashboard) and badges (the role printed on a badge) read of
# registrations. The statements are the ones check-in ran on these tables itself before. Re-exported
# above: ROLE_LABELS, EnrolmentStatus, RegistrationStatus.

def is_enrolled(registration_id: int, session_id: int) -> bool:
    """Whether the registration holds a seat (status enrolled) in the session."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Enrolment).where(
            Enrolment.registration_id == registration_id, Enrolment.session_id == session_id,
            Enrolment.status == EnrolmentStatus.ENROLLED.value,
        )
    ) > 0


def station_attendees(congress: Congress, *, only: sa.Select | None = None) -> list[Registration]:
    """Who a check-in station must know offline: confirmed and pending registrations, by id, with
    their enrolments loaded. ``only``: a select of registration ids to read among (the station
    bundle's delta)."""
    query = (
        sa.select(Registration)
        .where(Registration.congress_id == congress.id,
               Registration.status.in_([RegistrationStatus.CONFIRMED.value, RegistrationStatus.PENDING.value]))
        .options(selectinload(Registration.enrolments))
        .order_by(Registration.id)
    )
    if only is not None:
        query = query.where(Registration.id.in_(only))
    return list(db.session.scalars(query))


def confirmed_for_dashboard(congress: Congress) -> list[Registration]:
    """The confirmed registrations with their enrolments and sector loaded (the check-in dashboard)."""
    return list(db.session.scalars(
        sa.select(Registration).where(Registration.congress_id == congress.id,
                                      Registration.status == RegistrationStatus.CONFIRMED.value)
        .options(selectinload(Registration.enrolments), selectinload(Registration.sector))
    ))


def find_for_checkin(congress: Congress, text: str, limit: int = 50) -> list[Registration]:
    """Registrations of the edition whose name, e-mail address or organisation contains ``text``
    (case-insensitive), by name: the door's search for those who forgot their badge."""
    like = f"%{text.strip().lower()}%"
    return list(db.session.scalars(
        sa.select(Registration).where(
            Registration.congress_id == congress.id,
            sa.or_(sa.func.lower(Registration.name).like(like), sa.func.lower(Registration.email).like(like),
                   sa.func.lower(Registration.organisation).like(like)),
        ).order_by(Registration.name).limit(limit)
    ))



def person_at_the_door(registration_id: int) -> sa.Row | None:
    """One registration as a check-in by name needs it (the columns a badge scan reads of its holder):
    id, edition, name, organisation, accessibility, dietary and status; None when there is none."""
    return db.session.execute(
        sa.select(Registration.id, Registration.congress_id, Registration.name, Registration.organisation,
                  Registration.accessibility, Registration.dietary, Registration.status)
        .where(Registration.id == registration_id)
    ).first()


def people_at_the_door(congress: Congress, text: str, limit: int = 20) -> tuple[list[sa.Row], bool]:
    """The station's name search: registrations of the edition whose name or organisation holds every
    word of ``text``, accents and case folded ("ozturk" finds "Öztürk", "jose" finds "José"), by name;
    at most ``limit``, and whether there were more. Rows of id, name, organisation and status only.

    Folded in Python (neither database folds accents the same way without an extension): one narrow
    read of the edition's registrations, a few thousand rows at most."""
    words = fold(text).split()
    if not words:
        return [], False
    rows = db.session.execute(
        sa.select(Registration.id, Registration.name, Registration.organisation, Registration.status)
        .where(Registration.congress_id == congress.id, Registration.erased_at.is_(None))
        .order_by(Registration.name, Registration.id)
    ).all()
    found = []
    for row in rows:
        haystack = fold(f"{row.name} {row.organisation or ''}")
        if all(word in haystack for word in words):
            found.append(row)
            if len(found) > limit:
                return found[:limit], True
    return found, False

# === end of section: check-in and badges =========================================================


# === section: the cockpit and the lists for the day (a14-cockpit) ================================
# One read of seats for the statistics, the check-in dashboard and the cockpit (they disagreed before:
# the dashboard counted only confirmed registrations, the statistics every seat holder).

__all__ += ["created_times", "registrations_in", "edition_enrolment_counts", "needs_summary", "waiting_people"]

def waiting_people(congress: Congress) -> int:
    """How many registrations wait for at least one of the edition's workshops (a person on two
    waiting lists counts once)."""
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Enrolment.registration_id))).join(Registration)
        .where(Registration.congress_id == congress.id, Enrolment.status == EnrolmentStatus.WAITLISTED.value)
    ) or 0


def edition_enrolment_counts(congress: Congress) -> dict[int, dict[str, int]]:
    """{session id: {"enrolled": n, "waitlisted": m}} for every session of the edition with enrolments,
    in one grouped query (a cancelled registration holds no enrolments)."""
    counts: dict[int, dict[str, int]] = {}
    rows = db.session.execute(
        sa.select(Enrolment.session_id, Enrolment.status, sa.func.count())
        .join(ProgrammeSession, Enrolment.session_id == ProgrammeSession.id)
        .where(ProgrammeSession.congress_id == congress.id)
        .group_by(Enrolment.session_id, Enrolment.status))
    for session_id, status, n in rows:
        counts.setdefault(session_id, {"enrolled": 0, "waitlisted": 0})[status] = n
    return counts


def needs_summary(congress: Congress, field: str) -> list[tuple[str, int]]:
    """The active registrations' dietary wishes (``field="dietary"``) or accessibility needs
    (``"accessibility"``), grouped case- and space-insensitively, most frequent first: (text, number)."""
    column = {"dietary": Registration.dietary, "accessibility": Registration.accessibility}[field]
    key = sa.func.lower(sa.func.trim(column))
    rows = db.session.execute(
        sa.select(sa.func.min(sa.func.trim(column)), sa.func.count())
        .where(Registration.congress_id == congress.id, Registration.status.in_(ACTIVE),
               sa.func.length(sa.func.trim(column)) > 0)
        .group_by(key).order_by(sa.func.count().desc(), key)).all()
    return [(text, n) for text, n in rows]

def created_times(congress: Congress) -> sa.Select:
    """A query of when each of the edition's registrations was made (any status), to aggregate."""
    return sa.select(Registration.created_at).where(Registration.congress_id == congress.id)

def registrations_in(congress: Congress, ids: sa.Select) -> list[Registration]:
    """The edition's registrations whose id the query ``ids`` selects, by name, with their sector."""
    return list(db.session.scalars(
        sa.select(Registration).where(Registration.congress_id == congress.id, Registration.id.in_(ids))
        .options(selectinload(Registration.sector)).order_by(Registration.name, Registration.id)))

# === end of section: the cockpit and the lists for the day =======================================


# --- for the reach report (congress.reports) ----------------------------------------------------------

@dataclass(frozen=True)
class ReachRow:
    """One confirmed registration as the reach report counts it."""

    id: int
    organisation: str
    sector_id: int | None
    municipality_id: int | None


def confirmed_for_report(congress: Congress) -> list[ReachRow]:
    """The edition's confirmed registrations (pending, waiting and cancelled ones do not count)."""
    return [ReachRow(*row) for row in db.session.execute(
        sa.select(Registration.id, Registration.organisation, Registration.sector_id, Registration.municipality_id)
        .where(Registration.congress_id == congress.id,
               Registration.status == RegistrationStatus.CONFIRMED.value)
        .order_by(Registration.id))]


def confirmed_enrolments(congress: Congress) -> list[tuple[int, int]]:
    """(registration id, session id) of the seats (not the waiting lists) of confirmed registrations."""
    return [(r, s) for r, s in db.session.execute(
        sa.select(Enrolment.registration_id, Enrolment.session_id).join(Registration)
        .where(Registration.congress_id == congress.id,
               Registration.status == RegistrationStatus.CONFIRMED.value,
               Enrolment.status == EnrolmentStatus.ENROLLED.value))]


def organisations_of_editions_before(congress: Congress) -> set[str]:
    """The organisations (folded: case, accents and spaces) of the confirmed registrations of every
    edition that starts before this one."""
    rows = db.session.scalars(
        sa.select(Registration.organisation).join(Congress, Congress.id == Registration.congress_id)
        .where(Congress.starts_on < congress.starts_on, Registration.status == RegistrationStatus.CONFIRMED.value,
               Registration.organisation != "").distinct())
    return {key for key in (organisation_key(name) for name in rows) if key}


def organisation_key(name: str) -> str:
    """An organisation's name as compared across editions: accents and case folded, spaces collapsed
    ("Gemeente  Utrecht" = "gemeente utrecht")."""
    return " ".join(fold(name or "").split())


def municipality_uses(municipality_id: int) -> int:
    """How many registrations (of any edition and status) name the municipality."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.municipality_id == municipality_id)) or 0
