"""Check-in rules: verify a badge code, check the person in exactly once per list, merge offline
scans (the earliest wins), undo with an audit trail, and the bundle stations keep offline."""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from congress.audit.services import record
from congress.badges import queries as badge_queries
from congress.badges import services as badges
from congress.checkin import queries
from congress.checkin.bundle import _attendee, _iso
from congress.checkin.bundle import apply_bundle_delta as apply_bundle_delta
from congress.checkin.bundle import bundle as bundle
from congress.checkin.bundle import bundle_since as bundle_since
from congress.checkin.bundle import bundle_version as bundle_version
from congress.checkin.models import VENUE, CheckIn, ScanEvent, Station, list_key
from congress.checkin.online import ONLINE, JoinWindow, join_window, record_online_join  # noqa: F401 - the face
from congress.checkin.retention import anonymise_checkins as anonymise_checkins  # manage.retention
from congress.core.models import Congress
from congress.database import insert_unless_exists, lock_for_update, transactional, utcnow, write_transaction
from congress.errors import InvalidInput
from congress.extensions import db
from congress.programme.models import ProgrammeSession
from congress.registration import queries as registrations
from congress.registration.models import Registration
from congress.registration.queries import EnrolmentStatus, RegistrationStatus
from congress.tokens import hash_secret, new_secret

# Scans may carry a client time up to this far in the past (offline queues) or future (clock skew).
MAX_PAST = timedelta(days=7)
MAX_FUTURE = timedelta(minutes=10)


class Result(enum.StrEnum):
    OK = "ok"
    ALREADY = "already_checked_in"
    INVALID = "invalid"
    REVOKED = "revoked"
    NOT_ENROLLED = "not_enrolled"
    WRONG_CONGRESS = "wrong_congress"
    NO_PLACE = "no_place"  # a check-in by name of someone on the edition's waiting list or cancelled
    CHECKED_OUT = "checked_out"  # a check-out scan (``direction`` "out"), see scan_out
    NOT_CHECKED_IN = "not_checked_in"  # a check-out scan of someone not checked in on that list


class CheckinError(InvalidInput):
    """The request itself is wrong (an unknown list), not the code: 422 when no view catches it."""


@dataclass
class Scan:
    code: Any
    list: str | int | None = VENUE
    station: Station | None = None
    congress: Congress | None = None  # the edition this scanner works for, when known
    scanned_at: datetime | None = None
    nonce: str | None = None
    user_id: int | None = None
    admit: bool = False  # admit someone not enrolled in this session
    offline: bool = False
    station_label: str = ""  # third-party scanners name their device with a free label
    registration: int | None = None  # a check-in by name (check_in_person): the registration, not a code
    direction: str = "in"  # "out": a check-out (scan_out)


def _answer(result: Result, registration: Registration | sa.Row | None = None, **extra: Any) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "result": result.value,
        "attendee": _attendee(registration) if registration is not None else None,
        "checked_in_at": None,
        "first_checked_in_at": None,
    }
    answer.update(extra)
    return answer


def _resolve_list(scan: Scan, congress_id: int) -> tuple[str, ProgrammeSession | None]:
    raw = scan.station.session_id if scan.station is not None and scan.list in (None, "") else scan.list
    if raw in (None, "", VENUE):
        return VENUE, None
    try:
        session_id = int(raw)
    except (TypeError, ValueError):
        raise CheckinError("list must be 'venue' or a session id") from None
    session = db.session.get(ProgrammeSession, session_id)
    if session is None or session.congress_id != congress_id:
        raise CheckinError("no such session in this edition")
    return list_key(session.id), session


def _clamp_time(scanned_at: datetime | None, now: datetime) -> datetime:
    if scanned_at is None:
        return now
    if scanned_at.tzinfo is None:
        scanned_at = scanned_at.replace(tzinfo=UTC)
    return min(max(scanned_at, now - MAX_PAST), now + MAX_FUTURE)


@functools.cache
def _holder_query(with_nonce: bool) -> sa.Select:
    # Built once (a scan's statements cost as much to build as to run); parameters are bound per scan.
    earlier = sa.select(ScanEvent.response).where(
        ScanEvent.nonce == sa.bindparam("scan_nonce"), ScanEvent.code_digest == sa.bindparam("scan_code")
    ).scalar_subquery()
    # The holder and their code come from badges (which joins its codes with registrations); the
    # answer to a retried scan is check-in's own column on the same statement: still one query.
    return badge_queries.holder_select().add_columns((earlier if with_nonce else sa.null()).label("earlier"))


def code_digest(code: str) -> str:
    """What a scan event keeps of the code it scanned: enough to recognise a retried upload (the
    hex SHA-256, as ``congress.tokens.hash_secret`` makes it)."""
    return hash_secret(code)


def _scan_digest(request: Scan) -> str:
    """The code digest of a scan; a check-in by name stands in "registration:<id>" for the code (no
    badge code has that form), so that its retried upload (same nonce) is recognised the same way."""
    if request.registration is not None:
        return code_digest(f"registration:{request.registration}")
    return code_digest(request.code if isinstance(request.code, str) else "")


def _holder(verified: badges.BadgeCode, nonce: str | None, digest: str) -> sa.Row | None:
    """The registration a verified code names, its issued code's state and what this nonce was
    answered before for this same code (a retried upload): one query per scan."""
    params = {"registration_id": verified.registration_id, "code_nonce": verified.nonce_hex}
    if nonce is not None:
        params["scan_nonce"] = nonce
        params["scan_code"] = digest
    return db.session.execute(_holder_query(nonce is not None), params).first()


@functools.cache
def _new_checkin(dialect: str) -> Any:
    # The partial unique index (one active check-in per registration and list) decides: on a
    # conflict nothing is inserted and nothing raises, on SQLite and on PostgreSQL alike.
    return insert_unless_exists(CheckIn, index_elements=["registration_id", "list_key"],
                                index_where=CheckIn.undone_at.is_(None)).returning(CheckIn.id)


def scan(request: Scan) -> dict[str, Any]:
    """Check a code in. Never raises for a bad code: the answer's ``result`` says what happened.

    A scan is the hot path at the door: a signature check against the cached public key, one read
    (the holder and their code), then one short write transaction (the check-in, if new, and the scan
    event). A (nonce, code) pair seen before is answered with what it got then; the same nonce with
    another code is another scan."""
    now = utcnow()
    nonce = request.nonce[:64] if isinstance(request.nonce, str) and request.nonce else None
    if request.station is not None:
        context_id: int | None = request.station.congress_id
    else:
        context_id = request.congress.id if request.congress is not None else None
    scanned_at = _clamp_time(request.scanned_at, now)

    code = request.code if isinstance(request.code, str) else ""
    digest = _scan_digest(request)
    try:
        if not code or len(code) > badges.MAX_CODE_LENGTH:
            raise badges.InvalidCode("not a badge code")
        verified = badges.verify_code(code, context_id)
    except badges.WrongCongress:
        return _log(request, nonce, context_id, scanned_at, None, _answer(Result.WRONG_CONGRESS))
    except badges.InvalidCode:
        return _log(request, nonce, context_id, scanned_at, None, _answer(Result.INVALID))

    holder = _holder(verified, nonce, digest)
    if holder is not None and holder.earlier is not None:
        return holder.earlier
    if holder is None or holder.congress_id != verified.congress_id:
        return _log(request, nonce, context_id, scanned_at, None, _answer(Result.INVALID))
    congress_id = holder.congress_id
    if holder.issued_id is None or holder.revoked_at is not None \
            or holder.status == RegistrationStatus.CANCELLED.value:
        # Replaced (a lost badge), never issued, or of a cancelled registration.
        return _log(request, nonce, congress_id, scanned_at, holder,
                    _answer(Result.REVOKED, holder, status=holder.status))

    key, session = _resolve_list(request, congress_id)
    if _not_enrolled(request, holder.id, key, session):
        result = _answer(Result.NOT_ENROLLED, holder, seats_left=_seats_left(session))
        return _log(request, nonce, congress_id, scanned_at, holder, result)
    try:
        with write_transaction(keep_loaded=True):
            return _check_in_locked(request, nonce, congress_id, holder, key, session, scanned_at)
    except IntegrityError:
        # The same nonce, sent twice at the same moment, committed first elsewhere.
        earlier = _earlier_answer(nonce, digest)
        if earlier is None:
            raise
        return earlier


def check_in_person(request: Scan) -> dict[str, Any]:
    """Check someone in by their registration id, for who forgot their badge (the station's name
    search). The same path as a badge scan from the holder on: the same list rules (a workshop's
    "not enrolled", admitting), the same locked insert (so a badge scanned at the same moment checks
    the person in once), the same scan log and nonce (a queued check-in uploaded twice counts once).

    The edition is the station's, else ``request.congress`` (a CheckinError without either); a
    registration of another edition, or none, is ``invalid``; someone without a place (on the
    edition's waiting list, cancelled) is ``no_place``. Checking in without a badge is audited."""
    now = utcnow()
    nonce = request.nonce[:64] if isinstance(request.nonce, str) and request.nonce else None
    if request.station is not None:
        congress_id: int | None = request.station.congress_id
    else:
        congress_id = request.congress.id if request.congress is not None else None
    if congress_id is None:
        raise CheckinError("a check-in by registration needs the edition")
    scanned_at = _clamp_time(request.scanned_at, now)
    digest = _scan_digest(request)
    earlier = _earlier_answer(nonce, digest)
    if earlier is not None:
        return earlier
    registration_id = request.registration
    person = registrations.person_at_the_door(registration_id) \
        if type(registration_id) is int and 0 < registration_id <= 2**31 - 1 else None  # never True
    if person is None or person.congress_id != congress_id:
        return _log(request, nonce, congress_id, scanned_at, None, _answer(Result.INVALID))
    if person.status not in registrations.ACTIVE:
        return _log(request, nonce, congress_id, scanned_at, person,
                    _answer(Result.NO_PLACE, person, status=person.status))
    key, session = _resolve_list(request, congress_id)
    if _not_enrolled(request, person.id, key, session):
        result = _answer(Result.NOT_ENROLLED, person, seats_left=_seats_left(session))
        return _log(request, nonce, congress_id, scanned_at, person, result)
    try:
        with write_transaction(keep_loaded=True):
            return _check_in_locked(request, nonce, congress_id, person, key, session, scanned_at, by_name=True)
    except IntegrityError:
        earlier = _earlier_answer(nonce, digest)
        if earlier is None:
            raise
        return earlier


def _not_enrolled(request: Scan, registration_id: int, key: str, session: ProgrammeSession | None) -> bool:
    """A workshop's list refuses who holds no seat there, unless staff admit them; someone already
    checked in on it (admitted before) is answered "already checked in", not refused again."""
    if session is None or request.admit or registrations.is_enrolled(registration_id, session.id):
        return False
    return not queries.is_checked_in(registration_id, key)


def _seats_left(session: ProgrammeSession) -> int | None:
    capacity = session.effective_capacity
    if capacity is None:
        return None
    return max(capacity - queries.present_in_session(session.id), 0)


def _earlier_answer(nonce: str | None, digest: str) -> dict[str, Any] | None:
    if nonce is None:
        return None
    return db.session.scalar(sa.select(ScanEvent.response).where(ScanEvent.nonce == nonce,
                                                                 ScanEvent.code_digest == digest))


def _check_in_locked(request: Scan, nonce: str | None, congress_id: int, holder: sa.Row, key: str,
                     session: ProgrammeSession | None, scanned_at: datetime, *,
                     by_name: bool = False) -> dict[str, Any]:
    station = request.station
    station_id = station.id if station is not None else None
    station_name = station.name if station is not None else request.station_label[:120]
    admitted = session is not None and request.admit
    new_id = db.session.execute(_new_checkin(db.engine.dialect.name), {
        "congress_id": congress_id, "registration_id": holder.id, "list_key": key,
        "session_id": session.id if session is not None else None, "station_id": station_id,
        "station_name": station_name, "scanned_at": scanned_at, "offline": request.offline,
        "by_user_id": request.user_id, "admitted_without_enrolment": admitted, "received_at": utcnow(),
    }).scalar()
    if new_id is not None:
        if admitted:
            # Letting someone in who is not enrolled is a staff decision: it goes in the audit log.
            record("checkin.admit", congress_id=congress_id, checkin=new_id, registration=holder.id, list=key,
                   station=station_name)
        if by_name:
            # So is checking someone in without a badge (found by name at the station).
            record("checkin.by_name", congress_id=congress_id, checkin=new_id, registration=holder.id, list=key,
                   station=station_name)
        answer = _answer(Result.OK, holder, checked_in_at=_iso(scanned_at), first_checked_in_at=_iso(scanned_at),
                         station=station_name, list=key)
        return _log(request, nonce, congress_id, scanned_at, holder, answer, commit=False)
    active = (CheckIn.registration_id == holder.id, CheckIn.list_key == key, CheckIn.undone_at.is_(None))
    first = db.session.execute(lock_for_update(
        sa.select(CheckIn.id, CheckIn.scanned_at, CheckIn.station_name).where(*active))).first()
    first_at, first_station = (first.scanned_at, first.station_name) if first is not None else (None, "")
    if first is not None and scanned_at < first.scanned_at:
        # An offline scan from before the one we had: the earliest wins.
        db.session.execute(sa.update(CheckIn).where(CheckIn.id == first.id).values(
            scanned_at=scanned_at, station_id=station_id, station_name=station_name))
        first_at, first_station = scanned_at, station_name
    answer = _answer(Result.ALREADY, holder, checked_in_at=_iso(scanned_at), first_checked_in_at=_iso(first_at),
                     first_station=first_station, list=key)
    return _log(request, nonce, congress_id, scanned_at, holder, answer, commit=False)


_SCAN_EVENT = sa.insert(ScanEvent.__table__)
_STATION_SEEN = sa.update(Station.__table__).where(Station.__table__.c.id == sa.bindparam("station"))


def _store_scan(request: Scan, event: dict[str, Any]) -> None:
    """The scan event, and when the station was last heard of, in the scan's own transaction."""
    db.session.execute(_SCAN_EVENT, event)
    if request.station is not None:
        db.session.execute(_STATION_SEEN, {"station": request.station.id, "last_seen_at": event["received_at"]})


def _log(request: Scan, nonce: str | None, congress_id: int | None, scanned_at: datetime,
         holder: sa.Row | None, answer: dict[str, Any], *, commit: bool = True) -> dict[str, Any]:
    """Every scan goes in the scan log with what it was answered; inside the check-in's transaction,
    or in its own."""
    event = {
        "congress_id": congress_id, "nonce": nonce,
        "station_id": request.station.id if request.station is not None else None,
        "list_key": str(request.list or VENUE)[:32], "registration_id": holder.id if holder is not None else None,
        "result": answer["result"], "response": answer, "scanned_at": scanned_at, "received_at": utcnow(),
        "code_digest": _scan_digest(request),
    }
    if not commit:
        _store_scan(request, event)
        return answer
    try:
        with write_transaction(keep_loaded=True):
            _store_scan(request, event)
    except IntegrityError:
        # The same nonce arrived twice at the same moment: answer what the first one got.
        return _earlier_answer(nonce, event["code_digest"]) or answer
    return answer


def undo(checkin: CheckIn, user_id: int | None) -> None:
    with write_transaction():
        if checkin.undone_at is None:
            checkin.undone_at = utcnow()
            checkin.undone_by_id = user_id
            record("checkin.undo", checkin, congress_id=checkin.congress_id, list=checkin.list_key)


def check_out(checkin: CheckIn) -> None:
    with write_transaction():
        if checkin.checked_out_at is None:
            checkin.checked_out_at = utcnow()
            record("checkin.checkout", checkin, congress_id=checkin.congress_id, list=checkin.list_key)


# --- stations ---------------------------------------------------------------------------------

@transactional
def create_station(congress: Congress, name: str, *, session_id: int | None = None,
                   valid_for: timedelta | None = timedelta(days=14)) -> tuple[Station, str]:
    secret = "stn_" + new_secret(32)
    station = Station(congress_id=congress.id, name=name, session_id=session_id, token_hash=hash_secret(secret),
                      expires_at=utcnow() + valid_for if valid_for else None)
    db.session.add(station)
    db.session.flush()
    record("checkin.station_create", station, congress_id=congress.id, name=name)
    return station, secret


def station_for(secret: str) -> Station | None:
    if not secret or len(secret) > 200:
        return None
    return db.session.scalar(sa.select(Station).where(Station.token_hash == hash_secret(secret)))


@transactional
def revoke_station(station: Station) -> None:
    station.revoked_at = utcnow()
    record("checkin.station_revoke", station, congress_id=station.congress_id)


# A station polls its bundle every minute; when it was last heard of is kept to within this, so that
# most polls (an unchanged bundle answers 304) read and write nothing but the one counter row.
STATION_SEEN_EVERY = timedelta(minutes=5)


def station_seen(station: Station) -> None:
    """When the station was last heard of (it downloads its bundle every minute): written when it was
    never, or more than :data:`STATION_SEEN_EVERY` ago (a scan writes it every time, with the scan)."""
    now = utcnow()
    if station.last_seen_at is not None and now - station.last_seen_at < STATION_SEEN_EVERY:
        return
    with write_transaction():
        station.last_seen_at = now


# --- what stations download and synchronise (the bundle: congress/checkin/bundle.py) -------------

def people_at_the_door(congress: Congress, text: str, *, list: str | int | None = VENUE,
                       station: Station | None = None, limit: int = 20) -> dict[str, Any]:
    """The station's name search (who forgot their badge): registrations of the edition whose name or
    organisation holds every word of ``text`` (accents and case folded), with their status and when
    they were checked in on the list (a station's own list, else ``list``). What the station shows,
    nothing more: no e-mail address, no notes (those come with the check-in's answer)."""
    key, _ = _resolve_list(Scan(code=None, list=None if station is not None else list, station=station), congress.id)
    found, more = registrations.people_at_the_door(congress, text, limit=limit)
    present = queries.checkins_on_list(congress, key, [row.id for row in found])
    return {
        "congress": congress.slug, "list": key, "more": more,
        "people": [{"registration": row.id, "name": row.name, "organisation": row.organisation or "",
                    "status": row.status,
                    "checked_in_at": _iso(present[row.id].scanned_at) if row.id in present else None}
                   for row in found],
    }


def checkins_since(congress: Congress, since: datetime | None) -> list[dict[str, Any]]:
    query = sa.select(CheckIn).where(CheckIn.congress_id == congress.id).order_by(CheckIn.received_at)
    if since is not None:
        query = query.where(sa.or_(CheckIn.received_at > since, CheckIn.undone_at > since))
    return [
        {"id": c.id, "registration": c.registration_id, "list": c.list_key, "scanned_at": _iso(c.scanned_at),
         "received_at": _iso(c.received_at), "station": c.station_name, "offline": c.offline,
         "undone_at": _iso(c.undone_at)}
        for c in db.session.scalars(query)
    ]


# --- the live dashboard -------------------------------------------------------------------------

def dashboard(congress: Congress, locale: str = "nl") -> dict[str, Any]:
    """Arrivals per 5 minutes, checked in against registered per sector and workshop, no-shows."""
    zone = ZoneInfo(congress.timezone)
    confirmed = registrations.confirmed_for_dashboard(congress)
    checkins = queries.active_checkins(congress)
    at_venue = {c.registration_id: c for c in checkins if c.list_key == VENUE}
    per_session: dict[str, set[int]] = {}
    online_per_session: dict[str, set[int]] = {}  # joined through the stream link, counted apart
    for c in checkins:
        (online_per_session if c.mode == ONLINE else per_session).setdefault(c.list_key, set()).add(
            c.registration_id)

    buckets: dict[str, int] = {}
    for c in sorted(at_venue.values(), key=lambda c: c.scanned_at):
        local = c.scanned_at.astimezone(zone)
        start = local.replace(minute=local.minute - local.minute % 5, second=0, microsecond=0)
        label = start.strftime("%H:%M")
        buckets[label] = buckets.get(label, 0) + 1

    sectors: dict[str, dict[str, int]] = {}
    for r in confirmed:
        name = r.sector.name(locale) if r.sector else "—"
        row = sectors.setdefault(name, {"registered": 0, "checked_in": 0})
        row["registered"] += 1
        row["checked_in"] += r.id in at_venue

    workshops = []
    # The seats come from the one read the registration statistics and the cockpit use too.
    for seats in registrations.seat_overview(congress):
        session = seats.session
        enrolled = {e.registration_id for r in confirmed for e in r.enrolments
                    if e.session_id == session.id and e.status == EnrolmentStatus.ENROLLED.value}
        present = per_session.get(list_key(session.id), set())
        workshops.append({"id": session.id, "title": session.title, "enrolled": seats.enrolled,
                          "waiting": seats.waiting, "checked_in": len(present),
                          "not_enrolled_admitted": len(present - enrolled),
                          "online": len(online_per_session.get(list_key(session.id), set()))})

    online = [r for r in confirmed if r.attendance_mode == ONLINE]
    joined_online = set().union(*online_per_session.values()) if online_per_session else set()
    # Someone taking part online is no no-show for not passing the door.
    no_shows = [r for r in confirmed if r.id not in at_venue and r.attendance_mode != ONLINE]
    return {
        "generated_at": _iso(utcnow()),
        "registered": len(confirmed),
        "checked_in": len(at_venue),
        "registered_online": len(online),
        "joined_online": len(joined_online),
        "arrivals": [{"time": t, "count": n} for t, n in buckets.items()],
        "sectors": [{"sector": k, **v} for k, v in sorted(sectors.items())],
        "workshops": workshops,
        "no_shows": len(no_shows),
        "no_show_names": sorted(r.name for r in no_shows)[:200],
    }


# --- check-out by scan (certificates count the hours until it) ------------------------------------

def scan_out(request: Scan) -> dict[str, Any]:
    """Check a code out of its list (the entrance or a session's room). Never raises for a bad code.

    The person's active check-in on that list gets ``checked_out_at`` = the scan's time; a later
    check-out scan moves it later (they came back and left again), an earlier one (an offline queue
    uploaded late) changes nothing. Someone not checked in on the list is answered ``not_checked_in``
    and nothing is written but the scan event."""
    now = utcnow()
    nonce = request.nonce[:64] if isinstance(request.nonce, str) and request.nonce else None
    if request.station is not None:
        context_id: int | None = request.station.congress_id
    else:
        context_id = request.congress.id if request.congress is not None else None
    scanned_at = _clamp_time(request.scanned_at, now)
    code = request.code if isinstance(request.code, str) else ""
    digest = code_digest(code)
    try:
        if not code or len(code) > badges.MAX_CODE_LENGTH:
            raise badges.InvalidCode("not a badge code")
        verified = badges.verify_code(code, context_id)
    except badges.WrongCongress:
        return _log(request, nonce, context_id, scanned_at, None, _answer(Result.WRONG_CONGRESS))
    except badges.InvalidCode:
        return _log(request, nonce, context_id, scanned_at, None, _answer(Result.INVALID))
    holder = _holder(verified, nonce, digest)
    if holder is not None and holder.earlier is not None:
        return holder.earlier
    if holder is None or holder.congress_id != verified.congress_id:
        return _log(request, nonce, context_id, scanned_at, None, _answer(Result.INVALID))
    key, _session = _resolve_list(request, holder.congress_id)
    try:
        with write_transaction(keep_loaded=True):
            checkin = db.session.execute(lock_for_update(sa.select(CheckIn.id, CheckIn.scanned_at,
                                                                   CheckIn.checked_out_at).where(
                CheckIn.registration_id == holder.id, CheckIn.list_key == key, CheckIn.undone_at.is_(None)))).first()
            if checkin is None:
                answer = _answer(Result.NOT_CHECKED_IN, holder, list=key)
            else:
                out_at = max(scanned_at, checkin.scanned_at)
                if checkin.checked_out_at is None or out_at > checkin.checked_out_at:
                    db.session.execute(sa.update(CheckIn).where(CheckIn.id == checkin.id)
                                       .values(checked_out_at=out_at))
                else:
                    out_at = checkin.checked_out_at
                answer = _answer(Result.CHECKED_OUT, holder, checked_in_at=_iso(checkin.scanned_at),
                                 first_checked_in_at=_iso(checkin.scanned_at), checked_out_at=_iso(out_at),
                                 list=key)
            return _log(request, nonce, holder.congress_id, scanned_at, holder, answer, commit=False)
    except IntegrityError:
        earlier = _earlier_answer(nonce, digest)
        if earlier is None:
            raise
        return earlier
