"""Editions: finding the current one, creating and editing them with their tracks and rooms, and
moving them through their lifecycle (draft → published → closed → archived)."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, available_timezones

import sqlalchemy as sa
from flask import abort, has_request_context
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from congress.audit.services import record
from congress.core.contrast import HEX_COLOUR, MIN_CONTRAST, WHITE, contrast_ratio
from congress.core.logo import AREA as LOGO_AREA
from congress.core.logo import LOGO_NAME, clean_logo, logo_key, logo_name
from congress.core.models import STATUS_MOVES, Congress, CongressStatus, EditionFaq, Room, Track

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
from congress.sanitize import clean as without_forbidden
from congress.storage import storage

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
# The event site's fields an organiser edits (docs/event-site.md), and their limits.
SITE_FIELDS = ("accessibility_nl", "accessibility_en", "travel_nl", "travel_en", "accent_colour")
SITE_LIMITS = {"accessibility_nl": 4000, "accessibility_en": 4000, "travel_nl": 4000, "travel_en": 4000,
               "accent_colour": 7}
FAQ_LIMITS = {"question_nl": 300, "question_en": 300, "answer_nl": 4000, "answer_en": 4000}
MAX_FAQS = 50
MAX_CAPACITY = 1_000_000
EDITABLE = (
    "title_nl", "title_en", "tagline_nl", "tagline_en", "description_nl", "description_en", "starts_on", "ends_on",
    "starts_at_time", "ends_at_time", "timezone", "venue_name", "venue_address", "capacity",
    "registration_opens_at", "registration_closes_at", "contact_email",
    *SITE_FIELDS, "logo",
)
LIMITS = {"title_nl": 200, "title_en": 200, "tagline_nl": 300, "tagline_en": 300, "venue_name": 200,
          "venue_address": 300, "contact_email": 254, "description_nl": 20_000, "description_en": 20_000,
          **SITE_LIMITS}
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
            value = without_forbidden(str(clean[name] or "")).strip()
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
    if clean.get("accent_colour") and "accent_colour" not in errors:
        _check_accent(str(clean["accent_colour"]), fail)
        clean["accent_colour"] = str(clean["accent_colour"]).lower()
    if clean.get("logo") is not None and not (isinstance(clean["logo"], str) and LOGO_NAME.match(clean["logo"])):
        raise TypeError("a logo is the stored name of one (set_logo)")
    if errors:
        first = next(iter(errors))
        raise InvalidInput(errors[first][0], field=first, errors=errors)
    return clean


def _check_accent(colour: str, fail) -> None:
    """A colour #rrggbb on which white text reaches 4.5:1 (buttons carry white text on the accent)."""
    if not HEX_COLOUR.match(colour):
        fail("accent_colour", _l("Enter a colour as # and six hexadecimal digits, such as #154273."))
        return
    ratio = contrast_ratio(colour, WHITE)
    if ratio < MIN_CONTRAST:
        # Rounded down, so that a refused colour never reads as "4.50:1"; a decimal comma in Dutch.
        measured = format_decimal(int(ratio * 100) / 100, format="0.00")
        fail("accent_colour", _l("White text on this colour has a contrast of %(ratio)s:1; it needs at least "
                                 "4.5:1. Choose a darker colour.", ratio=measured))


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


# --- the event site: logo and questions ---------------------------------------------------------------


@transactional
def set_logo(congress: Congress, data: bytes) -> str:
    """Check, re-encode and store the edition's logo (under its content hash); its stored name."""
    ensure_writable(congress)
    cleaned = clean_logo(data)
    name = logo_name(cleaned)
    files = storage(LOGO_AREA)
    if not files.exists(logo_key(name)):
        files.put(logo_key(name), cleaned)
    old, congress.logo = congress.logo, name
    db.session.flush()
    record("congress.logo", congress, congress_id=congress.id, old=old, new=name)
    return name


@transactional
def remove_logo(congress: Congress) -> None:
    """The edition shows no logo any more (the file stays: a clone or an older page may name it)."""
    ensure_writable(congress)
    if congress.logo is None:
        return
    old, congress.logo = congress.logo, None
    db.session.flush()
    record("congress.logo", congress, congress_id=congress.id, old=old, new=None)


def logo_stored_key(name: str) -> str | None:
    """The storage key of a logo by its stored name; None for a name that is not one or whose file is gone."""
    if not isinstance(name, str) or not LOGO_NAME.match(name):
        return None
    key = logo_key(name)
    return key if storage(LOGO_AREA).exists(key) else None


def _faq_fields(question_nl: object, question_en: object, answer_nl: object, answer_en: object) -> dict[str, str]:
    values = {"question_nl": question_nl, "question_en": question_en, "answer_nl": answer_nl, "answer_en": answer_en}
    clean = {name: without_forbidden(value if isinstance(value, str) else "").strip() for name, value in values.items()}
    errors: dict[str, list[str]] = {}
    for name, limit in FAQ_LIMITS.items():
        if len(clean[name]) > limit:
            errors.setdefault(name, []).append(str(_l("At most %(n)d characters.", n=limit)))
    if not clean["question_nl"]:
        errors.setdefault("question_nl", []).append(str(_l("Enter the question.")))
    if not clean["answer_nl"]:
        errors.setdefault("answer_nl", []).append(str(_l("Enter the answer.")))
    if errors:
        first = next(iter(errors))
        raise InvalidInput(errors[first][0], field=first, errors=errors)
    return clean


def _renumber(congress: Congress) -> None:
    for position, faq in enumerate(congress.faqs):
        faq.position = position


@transactional
def add_faq(congress: Congress, *, question_nl: str, answer_nl: str, question_en: str = "",
            answer_en: str = "") -> EditionFaq:
    """A question and its answer at the end of the edition's list."""
    ensure_writable(congress)
    fields = _faq_fields(question_nl, question_en, answer_nl, answer_en)
    if len(congress.faqs) >= MAX_FAQS:
        raise Conflict(_l("An edition has at most %(n)d questions.", n=MAX_FAQS), field="question_nl", code="too_many")
    faq = EditionFaq(position=len(congress.faqs), **fields)
    congress.faqs.append(faq)
    db.session.flush()
    record("congress.faq.add", congress, congress_id=congress.id, faq_id=faq.id)
    return faq


@transactional
def update_faq(faq: EditionFaq, *, question_nl: str, answer_nl: str, question_en: str = "",
               answer_en: str = "") -> EditionFaq:
    ensure_writable(faq.congress)
    fields = _faq_fields(question_nl, question_en, answer_nl, answer_en)
    changed = sorted(name for name, value in fields.items() if getattr(faq, name) != value)
    for name in changed:
        setattr(faq, name, fields[name])
    db.session.flush()
    if changed:
        record("congress.faq.update", faq.congress, congress_id=faq.congress_id, faq_id=faq.id, fields=changed)
    return faq


@transactional
def move_faq(faq: EditionFaq, direction: str) -> EditionFaq:
    """One place up or down in the list (``"up"``/``"down"``); at either end it stays."""
    if direction not in ("up", "down"):
        raise InvalidInput(_l("Choose up or down."), field="direction", code="direction")
    congress = faq.congress
    ensure_writable(congress)
    faqs = list(congress.faqs)
    index = faqs.index(faq)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(faqs):
        faqs[index], faqs[other] = faqs[other], faqs[index]
        for position, row in enumerate(faqs):
            row.position = position
        db.session.flush()
        db.session.expire(congress, ["faqs"])
        record("congress.faq.move", congress, congress_id=congress.id, faq_id=faq.id, direction=direction)
    return faq


@transactional
def remove_faq(faq: EditionFaq) -> None:
    congress = faq.congress
    ensure_writable(congress)
    faq_id = faq.id
    congress.faqs.remove(faq)
    db.session.flush()
    _renumber(congress)
    db.session.flush()
    record("congress.faq.remove", congress, congress_id=congress.id, faq_id=faq_id)
