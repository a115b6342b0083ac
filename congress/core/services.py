"""Editions: finding the current one, creating them with their tracks and rooms."""

from __future__ import annotations

import functools
import re
from datetime import date

import sqlalchemy as sa
from flask import abort

from congress.audit.services import record
from congress.core.models import Congress, CongressStatus, Room, Track
from congress.core.signals import congress_created
from congress.database import transactional
from congress.extensions import db

__all__ = ["congress_created"]  # declared in core.signals; kept here for the callers of before

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# First path segments the application itself uses; an edition may not take them as its slug.
RESERVED_SLUGS = frozenset(
    {"api", "manage", "login", "logout", "password", "invitation", "vendor", "static", "healthz", "register",
     "station", "archive", "kennisbank", "speaker", "cfp", "r", "my"}
)


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


def public_congress_or_404(slug: str) -> Congress:
    congress = congress_by_slug(slug)
    if congress is None or not congress.is_public:
        abort(404)
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
    if not valid_slug(slug):
        raise ValueError(f"invalid or reserved slug: {slug!r}")
    if ends_on < starts_on:
        raise ValueError("an edition cannot end before it starts")
    congress = Congress(
        slug=slug, title_nl=title_nl, title_en=title_en, starts_on=starts_on, ends_on=ends_on,
        status=CongressStatus(status).value, **fields,
    )
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
