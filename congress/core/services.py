"""Editions: finding the current one, creating and editing them with their tracks and rooms, and
moving them through their lifecycle (draft → published → closed → archived)."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, available_timezones

import sqlalchemy as sa
from flask import abort, has_request_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from congress.audit.services import record
from congress.core.models import STATUS_MOVES, Congress, CongressStatus, Room, Track

# The people's photos and biographies (written once, in core.photos).
from congress.core.photos import (
    BIO_MAX,
    PHOTO_AREA,
    PHOTO_MAX_BYTES,
    PHOTO_SIDE,
    PhotoRefused,
    ProfileRefused,
    check_biography,
    clean_photo,
    initials,
    photo_key,
    remove_photo,
    set_photo,
)
from congress.core.signals import congress_created, congress_updated
from congress.database import transactional, utcnow
from congress.errors import Conflict, InvalidInput, NotPermitted
from congress.extensions import db

__all__ = ["BIO_MAX", "PHOTO_AREA", "PHOTO_MAX_BYTES", "PHOTO_SIDE", "PhotoRefused", "ProfileRefused",
           "check_biography", "clean_photo", "congress_created", "initials", "photo_key", "remove_photo", "set_photo"]
# (congress_created is declared in core.signals; kept here for the callers of before.)

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# First path segments the application itself uses, publicly and under /manage/ (its sections: an
# edition's back office lives at /manage/<slug>/); an edition may not take them as its slug.
# tests/core/test_reserved_slugs.py derives them from the url_map and fails when one is missing.
RESERVED_SLUGS = frozenset(
    {"api", "manage", "login", "logout", "password", "invitation", "vendor", "static", "healthz", "readyz",
     "metrics", "register", "station", "archive", "kennisbank", "speaker", "cfp", "r", "my"}
    | {"editions", "registrations", "programme", "badges", "checkin", "users", "outbox", "audit", "tokens",
       "staff", "roles", "settings", "privacy", "mail", "questions", "sectors", "dashboard", "cockpit",
       "accessibility", "toegankelijkheid", "new", "clone", "retention", "print", "stations", "reviews",
       "proposals", "sessions", "schedule", "versions", "tracks", "rooms", "exports", "statistics", "lists",
       "unsubscribe", "mailings", "account", "oai", "embed", "preview", "verify"}
)
# The statuses staff see a draft in (any back-office role; speakers are not staff).
STAFF_ROLES = ("organiser", "track_manager", "reviewer", "checkin")
MAX_CAPACITY = 1_000_000
EDITABLE = (
    "title_nl", "title_en", "tagline_nl", "tagline_en", "description_nl", "description_en", "starts_on", "ends_on",
    "starts_at_time", "ends_at_time", "timezone", "venue_name", "venue_address", "capacity",
    "registration_opens_at", "registration_closes_at", "contact_email",
)
LIMITS = {"title_nl": 200, "title_en": 200, "tagline_nl": 300, "tagline_en": 300, "venue_name": 200,
          "venue_address": 300, "contact_email": 254, "description_nl": 20_000, "description_en": 20_000}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def valid_slug(slug: str) -> bool:
    return bool(SLUG_PATTERN.match(slug)) and slug not in RESERVED_SLUGS


def public_congresses() -> list[Congress]:
    return list(
        db.session.scalars(
            sa.select(Congress)
            .where(Congress.status != CongressStatus.DRAFT.value)
            .order_by(Congress.starts_on.desc())
        )
    )


def all_congresses() -> list[Congress]:
    """Every edition, public or not, the latest first (back-office lists check the user's rights)."""
    return list(db.session.scalars(sa.select(Congress).order_by(Congress.starts_on.desc())))


def current_congress(today: date | None = None) -> Congress | None:
    """The next or running published edition; else the most recent public one."""
    today = today or date.today()
    upcoming = db.session.scalar(
        sa.select(Congress)
        .where(Congress.status == CongressStatus.PUBLISHED.value, Congress.ends_on >= today)
        .order_by(Congress.starts_on)
        .limit(1)
    )
    if upcoming is not None:
        return upcoming
    public = public_congresses()
    return public[0] if public else None


@functools.cache
def _by_slug_query() -> sa.Select:
    return sa.select(Congress).where(Congress.slug == sa.bindparam("slug"))


def congress_by_slug(slug: str) -> Congress | None:
    """Every public request asks this: the statement is built once."""
    return db.session.scalar(_by_slug_query(), {"slug": slug})


def is_staff() -> bool:
    """Whether the logged-in user works in the back office (sees drafts, with a preview banner)."""
    if not has_request_context() or not getattr(current_user, "is_authenticated", False):
        return False
    return bool(current_user.has_role(*STAFF_ROLES))


def public_congress_or_404(slug: str) -> Congress:
    """A public edition; a draft only for staff (their pages say "draft preview"), else 404."""
    congress = congress_by_slug(slug)
    if congress is None or (not congress.is_public and not is_staff()):
        abort(404)
    return congress


# --- the lifecycle ---------------------------------------------------------------------------------


def allowed_moves(status: str) -> tuple[str, ...]:
    """The statuses an edition in ``status`` may move to: draft → published → closed → archived, and
    closed → published (reopen). Archived is final."""
    return STATUS_MOVES.get(status, ())


STATUS_LABELS = {
    CongressStatus.DRAFT.value: _l("Draft"),
    CongressStatus.PUBLISHED.value: _l("Published"),
    CongressStatus.CLOSED.value: _l("Closed"),
    CongressStatus.ARCHIVED.value: _l("Archived"),
}
# What a move does, said on the confirmation step.
MOVE_EFFECTS = {
    CongressStatus.PUBLISHED.value: _l(
        "The edition's public pages become visible to everyone, and registration opens within its window."),
    CongressStatus.CLOSED.value: _l(
        "Registration closes and attendees can no longer change their registration; the public pages stay "
        "visible. You can publish the edition again later."),
    CongressStatus.ARCHIVED.value: _l(
        "The edition becomes read-only everywhere: nobody can change its settings, programme, registrations "
        "or check-ins any more. Only the knowledge archive can still be edited. This cannot be undone."),
}


def archived_refusal() -> NotPermitted:
    return NotPermitted(_l("This edition is archived: it is read-only. Only its knowledge archive can still be "
                           "edited."), code="archived")


def ensure_writable(congress: Congress) -> None:
    """Refuse a change to an archived edition (the one rule; ``edition_or_404`` applies it to writes)."""
    if congress.is_archived:
        raise archived_refusal()


@transactional
def change_status(congress: Congress, new_status: str, *, expected: str | None = None) -> Congress:
    """Move ``congress`` to ``new_status`` if the lifecycle allows it from its current status.

    ``expected`` is the status the organiser saw when confirming: when another organiser moved the
    edition meanwhile, the move is refused (409) rather than applied to a state nobody confirmed. The
    update is conditional in the database, so two concurrent moves cannot both win."""
    current = expected or congress.status
    if new_status not in allowed_moves(current):
        raise Conflict(_l("An edition that is %(current)s cannot become %(new)s.",
                          current=STATUS_LABELS.get(current, current), new=STATUS_LABELS.get(new_status, new_status)),
                       code="not_allowed", field="status")
    done = db.session.execute(
        sa.update(Congress).where(Congress.id == congress.id, Congress.status == current)
        # The public pages say what the status allows (register, taken place): their caches start afresh.
        .values(status=new_status, programme_changed_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise Conflict(_l("The status of this edition was changed meanwhile. Reload the page and try again."),
                       code="changed", field="status")
    db.session.refresh(congress)
    record("congress.status", congress, congress_id=congress.id, old=current, new=new_status)
    return congress


# --- creating and editing ----------------------------------------------------------------------------


def _check_fields(fields: dict[str, object], congress: Congress | None = None) -> dict[str, object]:
    """The edition's fields, cleaned; ``InvalidInput`` with a message per field when some break a rule."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: object) -> None:
        errors.setdefault(field, []).append(str(message))

    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not an edition field: {sorted(unknown)}")
    clean = dict(fields)
    for name, limit in LIMITS.items():
        if name in clean:
            value = str(clean[name] or "").replace("\x00", "").strip()
            clean[name] = value
            if len(value) > limit:
                fail(name, _l("At most %(n)d characters.", n=limit))
    for name in ("title_nl",):
        if name in clean and not clean[name]:
            fail(name, _l("Enter a title."))
    if "title_en" in clean and not clean["title_en"]:
        clean["title_en"] = clean.get("title_nl") or (congress.title_nl if congress else "")
    starts = clean.get("starts_on", congress.starts_on if congress else None)
    ends = clean.get("ends_on", congress.ends_on if congress else None)
    if "starts_on" in clean and not isinstance(starts, date):
        fail("starts_on", _l("Enter the first day."))
    if "ends_on" in clean and ends is None:
        clean["ends_on"] = ends = starts
    if isinstance(starts, date) and isinstance(ends, date) and ends < starts:
        fail("ends_on", _l("An edition cannot end before it starts."))
    start_time = clean.get("starts_at_time", congress.starts_at_time if congress else None)
    end_time = clean.get("ends_at_time", congress.ends_at_time if congress else None)
    for name in ("starts_at_time", "ends_at_time"):
        if clean.get(name) is not None and not isinstance(clean[name], time):
            fail(name, _l("Enter a time such as 09:30."))
    if (isinstance(start_time, time) and isinstance(end_time, time) and starts == ends and end_time <= start_time
            and "ends_at_time" not in errors):
        fail("ends_at_time", _l("The edition must end after it starts."))
    if "timezone" in clean:
        clean["timezone"] = str(clean["timezone"] or "").strip() or "Europe/Amsterdam"
        if clean["timezone"] not in known_timezones():
            fail("timezone", _l("Choose a known timezone, such as Europe/Amsterdam."))
    if "capacity" in clean and clean["capacity"] is not None:
        capacity = clean["capacity"]
        if not isinstance(capacity, int) or isinstance(capacity, bool) or not 0 <= capacity <= MAX_CAPACITY:
            fail("capacity", _l("Enter a number of places from 0 to %(max)d, or leave it empty for no limit.",
                                max=MAX_CAPACITY))
    if clean.get("contact_email") and not EMAIL.match(str(clean["contact_email"])):
        fail("contact_email", _l("Enter an e-mail address such as congres@example.nl."))
    opens = clean.get("registration_opens_at", congress.registration_opens_at if congress else None)
    closes = clean.get("registration_closes_at", congress.registration_closes_at if congress else None)
    for name, value in (("registration_opens_at", opens), ("registration_closes_at", closes)):
        if value is not None and not (isinstance(value, datetime) and value.tzinfo is not None):
            fail(name, _l("Enter a date and time."))
    if isinstance(opens, datetime) and isinstance(closes, datetime) and opens.tzinfo and closes.tzinfo \
            and closes <= opens:
        fail("registration_closes_at", _l("Registration must close after it opens."))
    if errors:
        first = next(iter(errors))
        raise InvalidInput(errors[first][0], field=first, errors=errors)
    return clean


@functools.cache
def known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


REGIONS = ("Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/", "Pacific/")


@functools.cache
def common_timezones() -> list[str]:
    """The timezones to choose from: Europe/Amsterdam first, then every region's cities, and UTC."""
    zones = sorted(z for z in known_timezones() if z.startswith(REGIONS))
    return ["Europe/Amsterdam", *(z for z in zones if z != "Europe/Amsterdam"), "UTC"]


def local_datetime(day: date, at: time, timezone: str) -> datetime:
    """A day and time of day in ``timezone`` as an aware datetime (stored in UTC)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(timezone))


@transactional
def update_congress(congress: Congress, **fields: object) -> Congress:
    """Edit an edition's fields (the slug stays: links and URLs carry it). Archived editions refuse."""
    ensure_writable(congress)
    clean = _check_fields(fields, congress)
    changed = sorted(name for name, value in clean.items() if getattr(congress, name) != value)
    for name in changed:
        setattr(congress, name, clean[name])
    db.session.flush()
    if changed:
        record("congress.update", congress, congress_id=congress.id, fields=changed)
        congress_updated.send(congress, changed=changed)
    return congress


@transactional
def create_congress(
    slug: str,
    *,
    title_nl: str,
    title_en: str,
    starts_on: date,
    ends_on: date,
    status: str = CongressStatus.DRAFT.value,
    **fields: object,
) -> Congress:
    slug = (slug or "").strip()
    if not valid_slug(slug):
        message = (_l("This address is used by the application itself; choose another.") if slug in RESERVED_SLUGS
                   else _l("Use 1 to 64 lowercase letters, digits and hyphens, such as congres-2026."))
        raise InvalidInput(message, field="slug", code="slug")
    if congress_by_slug(slug) is not None:
        raise Conflict(_l("Another edition already has this address."), field="slug", code="duplicate")
    clean = _check_fields({"title_nl": title_nl, "title_en": title_en, "starts_on": starts_on, "ends_on": ends_on,
                           **fields})
    congress = Congress(slug=slug, status=CongressStatus(status).value, **clean)
    db.session.add(congress)
    db.session.flush()
    record("congress.create", congress, congress_id=congress.id, slug=slug)
    congress_created.send(congress)
    return congress


@transactional
def add_track(congress: Congress, name_nl: str, name_en: str, **fields: object) -> Track:
    track = Track(name_nl=name_nl, name_en=name_en, position=len(congress.tracks), **fields)
    congress.tracks.append(track)
    return track


@transactional
def add_room(congress: Congress, name: str, capacity: int, **fields: object) -> Room:
    if capacity < 0:
        raise ValueError("capacity cannot be negative")
    room = Room(name=name, capacity=capacity, position=len(congress.rooms), **fields)
    congress.rooms.append(room)
    return room
