"""Reads of the participants' network: who may look, who is listed (with filters), the conversations,
the reports the organiser handles. Nobody is listed without ``consent_network``; only confirmed,
not erased, not blocked registrations of the same edition are either listed or may look."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from congress.extensions import db
from congress.municipalities.models import Municipality
from congress.network.models import NetworkBlock, NetworkMessage, NetworkReport, NetworkShare
from congress.programme.models import ProgrammeSession
from congress.registration.models import Enrolment, EnrolmentStatus, Registration, RegistrationStatus, Sector
from congress.sanitize import fold, query_int

PAGE_SIZE = 50
SEARCH_LIMIT = 100  # characters of the name/organisation search that count


def _blocked_ids() -> sa.Select:
    return sa.select(NetworkBlock.registration_id)


def is_blocked(registration: Registration) -> bool:
    return db.session.get(NetworkBlock, registration.id) is not None


def may_look(registration: Registration) -> bool:
    """A confirmed, not erased, not blocked registration sees the edition's list."""
    return (registration.status == RegistrationStatus.CONFIRMED.value and registration.erased_at is None
            and not is_blocked(registration))


def is_listed(registration: Registration) -> bool:
    """Listed, and so contactable: one who may look and consented."""
    return bool(registration.consent_network) and may_look(registration)


def listed_condition(congress_id: int) -> sa.ColumnElement[bool]:
    """The one rule of who appears in an edition's list (every read of the list uses it)."""
    return sa.and_(
        Registration.congress_id == congress_id,
        Registration.consent_network.is_(True),
        Registration.status == RegistrationStatus.CONFIRMED.value,
        Registration.erased_at.is_(None),
        Registration.id.not_in(_blocked_ids()),
    )


@dataclass
class Filters:
    sector_id: int | None = None
    municipality_id: int | None = None
    session_id: int | None = None
    text: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        text = args.get("q", "")
        return cls(sector_id=query_int(args, "sector"), municipality_id=query_int(args, "municipality"),
                   session_id=query_int(args, "workshop"),
                   text=(text if isinstance(text, str) else "").strip()[:SEARCH_LIMIT],
                   page=query_int(args, "page", 1, high=100_000) or 1)


@dataclass
class Participant:
    registration: Registration
    workshops: list[ProgrammeSession] = field(default_factory=list)


@dataclass
class ParticipantPage:
    participants: list[Participant]
    total: int
    page: int
    pages: int


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def participants(viewer: Registration, filters: Filters) -> ParticipantPage:
    """The edition's listed participants other than the viewer, by name, with the workshops they are
    enrolled in; filtered by sector, municipality, workshop and a name/organisation search."""
    query = sa.select(Registration).where(listed_condition(viewer.congress_id), Registration.id != viewer.id)
    if filters.sector_id is not None:
        query = query.where(Registration.sector_id == filters.sector_id)
    if filters.municipality_id is not None:
        query = query.where(Registration.municipality_id == filters.municipality_id)
    if filters.session_id is not None:
        query = query.where(Registration.id.in_(sa.select(Enrolment.registration_id).where(
            Enrolment.session_id == filters.session_id, Enrolment.status == EnrolmentStatus.ENROLLED.value)))
    text = fold(filters.text)
    if text:
        # Folded in Python for the words, lower() in SQL for the column: accents in stored names are rare
        # and both databases' lower() differ on them, so both sides are also compared unfolded.
        pattern, raw = _like(text), _like(filters.text.lower())
        query = query.where(sa.or_(*(sa.func.lower(column).like(p, escape="\\")
                                     for column in (Registration.name, Registration.organisation)
                                     for p in {pattern, raw})))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(filters.page, pages)
    rows = list(db.session.scalars(query.options(selectinload(Registration.sector),
                                                 selectinload(Registration.municipality))
                                   .order_by(sa.func.lower(Registration.name), Registration.id)
                                   .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    workshops = _workshops([r.id for r in rows])
    return ParticipantPage([Participant(r, workshops.get(r.id, [])) for r in rows], total, page, pages)


def _workshops(registration_ids: list[int]) -> dict[int, list[ProgrammeSession]]:
    if not registration_ids:
        return {}
    found: dict[int, list[ProgrammeSession]] = {}
    rows = db.session.execute(
        sa.select(Enrolment.registration_id, ProgrammeSession)
        .join(ProgrammeSession, ProgrammeSession.id == Enrolment.session_id)
        .where(Enrolment.registration_id.in_(registration_ids), Enrolment.status == EnrolmentStatus.ENROLLED.value)
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id))
    for registration_id, session in rows:
        found.setdefault(registration_id, []).append(session)
    return found


def workshops_of(registration: Registration) -> list[ProgrammeSession]:
    return _workshops([registration.id]).get(registration.id, [])


def listed_ids(congress_id: int) -> set[int]:
    return set(db.session.scalars(sa.select(Registration.id).where(listed_condition(congress_id))))


def filter_choices(viewer: Registration) -> dict[str, list]:
    """The sectors, municipalities and workshops that occur among the listed participants (the filters),
    read as three small queries over the listed ids (never the people themselves)."""
    listed = sa.select(Registration.id).where(listed_condition(viewer.congress_id), Registration.id != viewer.id)
    sectors = db.session.scalars(sa.select(Sector).where(Sector.id.in_(
        sa.select(Registration.sector_id).where(Registration.id.in_(listed)))).order_by(Sector.position, Sector.id))
    places = db.session.execute(sa.select(Municipality.id, Municipality.name).where(Municipality.id.in_(
        sa.select(Registration.municipality_id).where(Registration.id.in_(listed)))).order_by(Municipality.name))
    sessions = db.session.execute(sa.select(ProgrammeSession.id, ProgrammeSession.title).where(
        ProgrammeSession.id.in_(sa.select(Enrolment.session_id).where(
            Enrolment.registration_id.in_(listed), Enrolment.status == EnrolmentStatus.ENROLLED.value)))
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id))
    return {"sectors": [(s.id, s) for s in sectors], "municipalities": [tuple(row) for row in places],
            "workshops": [tuple(row) for row in sessions]}


def partner(viewer: Registration, other_id: int) -> Registration | None:
    """Another registration of the viewer's edition the viewer may open: listed, or someone they have
    exchanged messages with (whose messages stay readable after they left the list)."""
    other = db.session.get(Registration, other_id)
    if other is None or other.id == viewer.id or other.congress_id != viewer.congress_id or other.erased_at:
        return None
    if is_listed(other) or has_exchanged(viewer.id, other.id):
        return other
    return None


def has_exchanged(one_id: int, other_id: int) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(sa.or_(
        sa.and_(NetworkMessage.sender_id == one_id, NetworkMessage.recipient_id == other_id),
        sa.and_(NetworkMessage.sender_id == other_id, NetworkMessage.recipient_id == one_id))))) or False


def conversation(viewer: Registration, other: Registration) -> list[NetworkMessage]:
    return list(db.session.scalars(sa.select(NetworkMessage).where(sa.or_(
        sa.and_(NetworkMessage.sender_id == viewer.id, NetworkMessage.recipient_id == other.id),
        sa.and_(NetworkMessage.sender_id == other.id, NetworkMessage.recipient_id == viewer.id)))
        .order_by(NetworkMessage.created_at, NetworkMessage.id)))


def shared(owner_id: int, other_id: int) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(
        NetworkShare.owner_id == owner_id, NetworkShare.other_id == other_id))) or False


def addresses_shared(one: Registration, other: Registration) -> bool:
    """Both chose to share their address with the other."""
    return shared(one.id, other.id) and shared(other.id, one.id)


def inbox(registration: Registration, limit: int = 20) -> list[NetworkMessage]:
    """The messages received, newest first (the personal page)."""
    return list(db.session.scalars(sa.select(NetworkMessage).where(NetworkMessage.recipient_id == registration.id)
                                   .options(selectinload(NetworkMessage.sender))
                                   .order_by(NetworkMessage.created_at.desc(), NetworkMessage.id.desc())
                                   .limit(limit)))


def unread_count(registration: Registration) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(NetworkMessage).where(
        NetworkMessage.recipient_id == registration.id, NetworkMessage.read_at.is_(None))) or 0


def reported_ids(registration: Registration) -> set[int]:
    """Which messages received by this registration it has reported."""
    return set(db.session.scalars(sa.select(NetworkReport.message_id).join(NetworkMessage).where(
        NetworkMessage.recipient_id == registration.id)))


def reports(congress_id: int) -> list[NetworkReport]:
    """The edition's reports, open ones first, newest first (the back office)."""
    return list(db.session.scalars(sa.select(NetworkReport).where(NetworkReport.congress_id == congress_id)
                                   .options(selectinload(NetworkReport.message).selectinload(NetworkMessage.sender),
                                            selectinload(NetworkReport.message).selectinload(NetworkMessage.recipient))
                                   .order_by(NetworkReport.handled_at.is_not(None), NetworkReport.created_at.desc())))


def blocks(congress_id: int) -> list[NetworkBlock]:
    return list(db.session.scalars(sa.select(NetworkBlock).where(NetworkBlock.congress_id == congress_id)
                                   .options(selectinload(NetworkBlock.registration))
                                   .order_by(NetworkBlock.created_at.desc())))


def counts(congress_id: int) -> dict[str, int]:
    """Figures for the back office: listed participants, messages, open reports, blocks."""
    def count(query: sa.Select) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    return {
        "listed": count(sa.select(Registration.id).where(listed_condition(congress_id))),
        "messages": count(sa.select(NetworkMessage.id).where(NetworkMessage.congress_id == congress_id)),
        "open_reports": count(sa.select(NetworkReport.id).where(NetworkReport.congress_id == congress_id,
                                                                NetworkReport.handled_at.is_(None))),
        "blocked": count(sa.select(NetworkBlock.registration_id).where(NetworkBlock.congress_id == congress_id)),
    }


def personal_data(registration: Registration) -> dict:
    """The network's part of the personal data download: the messages sent and received, the shares."""
    sent = db.session.scalars(sa.select(NetworkMessage).where(NetworkMessage.sender_id == registration.id)
                              .order_by(NetworkMessage.id))
    received = db.session.scalars(sa.select(NetworkMessage).where(NetworkMessage.recipient_id == registration.id)
                                  .order_by(NetworkMessage.id))
    shares = db.session.scalars(sa.select(NetworkShare).where(NetworkShare.owner_id == registration.id))
    return {"participants_network": {
        "listed": is_listed(registration),
        "messages_sent": [{"to": m.recipient.name, "at": m.created_at.isoformat(), "text": m.body} for m in sent],
        "messages_received": [{"from": m.sender.name, "at": m.created_at.isoformat(), "text": m.body}
                              for m in received],
        "address_shared_with": [db.session.get(Registration, s.other_id).name for s in shares],
    }}
