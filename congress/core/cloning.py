"""Cloning an edition: next year's congress set up from this year's, with a new slug and start date.

Core creates the new edition as a draft through :func:`~congress.core.services.create_congress` (so
``congress_created`` fires: badges makes its key pair), copies the edition's own fields, its tracks and its
rooms, then sends ``core.signals.congress_cloned``; every capability copies its own part of the set-up in
its receiver (``<capability>/cloning.py``). All of it is one transaction: a refusal anywhere leaves nothing.

Moments move by whole days on the edition's wall clock (:func:`shift_moment`): a workshop at 10:30 on a
Thursday in May is at 10:30 on the Thursday chosen in November, summer time or not. People, registrations,
proposals, reviews and check-ins are never copied.

Callers outside core import this module as core's face for cloning (``extra_faces`` in pyproject.toml):
it builds on ``core.services``, which therefore cannot re-export it without an import cycle.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from congress.audit.services import record
from congress.core.models import Congress, CongressStatus, EditionFaq, Room, Track
from congress.core.services import RESERVED_SLUGS, SLUG_PATTERN, congress_by_slug, create_congress
from congress.core.signals import congress_cloned
from congress.database import UTCDateTime, transactional
from congress.errors import Conflict, InvalidInput
from congress.extensions import db

# Columns a copy never takes from its original: its own key and edition, and its own creation stamps.
NEVER_COPIED = frozenset({"id", "congress_id", "created_at", "updated_at"})
# The edition's moments that belong to its set-up and move with it; any other moment of the edition
# (when it was published, closed, archived, anonymised, …) is the original's history and not copied.
EDITION_MOMENTS = ("registration_opens_at", "registration_closes_at")
EDITION_NOT_COPIED = frozenset({"slug", "status", "title_nl", "title_en", "starts_on", "ends_on",
                                "programme_changed_at"})
# Cloning into the past or far ahead is a typing error, not a plan.
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)
TITLE_MAX = 200


class CloneError(InvalidInput):
    """The new slug, start date or titles break a rule (422, shown next to the field)."""


class SlugTaken(Conflict):
    """Another edition has the slug already (409, shown next to the field)."""


@dataclass
class CloneResult:
    """The new edition and how many rows of each kind were copied into it (``{"tracks": 4, …}``)."""

    congress: Congress
    copied: dict[str, int] = field(default_factory=dict)


# --- helpers for the capabilities' receivers ----------------------------------------------------------


def copy_columns(row: Any, *, skip: Iterable[str] = ()) -> dict[str, Any]:
    """The column values of ``row`` for a new row of the same model (Indico's "simple column attrs"):
    every mapped column but the primary key, the edition (``congress_id``), the creation stamps and
    ``skip``; JSON values deep-copied so that the copy never shares a list with its original."""
    left_out = NEVER_COPIED | set(skip)
    mapper = sa.inspect(type(row))
    values = {}
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        if attr.key in left_out or column.primary_key:
            continue
        values[attr.key] = copy.deepcopy(getattr(row, attr.key))
    return values


def shift_moment(moment: datetime | None, shift: timedelta, timezone: str) -> datetime | None:
    """``moment`` moved by ``shift`` (whole days) on the wall clock of ``timezone``; None stays None."""
    if moment is None:
        return None
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone).replace(tzinfo=None) + shift
    return local.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))


def remap(mapping: Mapping[int, int], old_id: int | None) -> int | None:
    """The copy's id for an original's id (None when there was none or it was not copied)."""
    return None if old_id is None else mapping.get(old_id)


# --- checks -------------------------------------------------------------------------------------------


def check_new_slug(slug: str) -> str:
    """The slug for a new edition, or :class:`CloneError`/:class:`SlugTaken` with the reason."""
    slug = (slug or "").strip()
    if not SLUG_PATTERN.match(slug):
        raise CloneError(_l("Use lower-case letters, digits and hyphens (at most 64), starting and ending with a "
                            "letter or digit."), field="slug", code="slug_format")
    if slug in RESERVED_SLUGS:
        raise CloneError(_l("“%(slug)s” is a part of the site’s addresses; choose another slug.", slug=slug),
                         field="slug", code="slug_reserved")
    if congress_by_slug(slug) is not None:
        raise SlugTaken(_l("Another edition already has the slug “%(slug)s”.", slug=slug), field="slug",
                        code="slug_taken")
    return slug


def _check_start(source: Congress, starts_on: date) -> timedelta:
    if not isinstance(starts_on, date) or isinstance(starts_on, datetime):
        raise CloneError(_l("Give the new start date as a date."), field="starts_on")
    if not EARLIEST <= starts_on <= LATEST:
        raise CloneError(_l("Choose a start date between %(first)s and %(last)s.", first=EARLIEST.isoformat(),
                            last=LATEST.isoformat()), field="starts_on")
    if starts_on + (source.ends_on - source.starts_on) > LATEST:
        raise CloneError(_l("The new edition would end too far ahead."), field="starts_on")
    return timedelta(days=(starts_on - source.starts_on).days)


def _title(value: str | None, fallback: str, name: str) -> str:
    title = (value or "").strip() or fallback
    if len(title) > TITLE_MAX or "\x00" in title:
        raise CloneError(_l("A title has at most %(n)d characters.", n=TITLE_MAX), field=name)
    return title


def next_title(title: str, shift: timedelta) -> str:
    """The source's title with its year moved along (``… 2025`` → ``… 2026``), for the form's prefill."""
    years = round(shift.days / 365.25)
    if not years:
        return title
    return re.sub(r"\b(19|20|21)(\d\d)\b", lambda m: str(int(m.group(0)) + years), title)


# --- the clone ----------------------------------------------------------------------------------------


def clone_congress(source: Congress, new_slug: str, starts_on: date, *, title_nl: str | None = None,
                   title_en: str | None = None) -> Congress:
    """A draft copy of ``source``'s set-up starting on ``starts_on`` (see the module's docstring)."""
    return clone_edition(source, new_slug, starts_on, title_nl=title_nl, title_en=title_en).congress


@transactional
def clone_edition(source: Congress, new_slug: str, starts_on: date, *, title_nl: str | None = None,
                  title_en: str | None = None) -> CloneResult:
    """:func:`clone_congress` with the counts of what was copied, per kind."""
    slug = check_new_slug(new_slug)
    shift = _check_start(source, starts_on)
    fields = copy_columns(source, skip=EDITION_NOT_COPIED | set(EDITION_MOMENTS) | _other_moments(Congress))
    fields.update({name: shift_moment(getattr(source, name), shift, source.timezone) for name in EDITION_MOMENTS})
    fields.update({name: value + shift for name, value in fields.items() if isinstance(value, date)
                   and not isinstance(value, datetime)})
    titles = {"title_nl": _title(title_nl, source.title_nl, "title_nl"),
              "title_en": _title(title_en, source.title_en, "title_en")}
    try:
        target = create_congress(slug, **titles, starts_on=starts_on, ends_on=source.ends_on + shift,
                                 status=CongressStatus.DRAFT.value, **fields)
    except sa.exc.IntegrityError:
        # Another request took the slug between the check and the insert (PostgreSQL; SQLite's writers
        # take turns, so the check above saw it): the whole clone is rolled back.
        raise SlugTaken(_l("Another edition already has the slug “%(slug)s”.", slug=slug), field="slug",
                        code="slug_taken") from None
    result = CloneResult(target)
    track_ids = _copy_rows(source.tracks, target.tracks, Track)
    room_ids = _copy_rows(source.rooms, target.rooms, Room, moments=("available_from", "available_until"),
                          shift=shift, timezone=source.timezone)
    db.session.flush()
    track_ids = {old: new.id for old, new in track_ids.items()}
    room_ids = {old: new.id for old, new in room_ids.items()}
    result.copied.update(tracks=len(track_ids), rooms=len(room_ids))
    if source.faqs:  # the event site's questions and answers, in their order
        result.copied["faqs"] = len(_copy_rows(source.faqs, target.faqs, EditionFaq))
    for _receiver, copied in congress_cloned.send(source, target=target, shift=shift, track_ids=track_ids,
                                                  room_ids=room_ids):
        # A receiver answers {kind: number copied}; one that answers nothing (None) copied what it did silently.
        for kind, count in (copied.items() if isinstance(copied, Mapping) else ()):
            result.copied[kind] = result.copied.get(kind, 0) + int(count)
    db.session.flush()
    record("congress.clone", target, congress_id=target.id, source=source.slug, source_id=source.id,
           shift_days=shift.days, copied=dict(result.copied))
    return result


def _other_moments(model: type) -> set[str]:
    """Every UTC moment column of ``model``: history unless it is named as set-up."""
    return {attr.key for attr in sa.inspect(model).column_attrs if isinstance(attr.columns[0].type, UTCDateTime)}


def _copy_rows(originals: list[Any], into: list[Any], model: type, *, moments: tuple[str, ...] = (),
               shift: timedelta | None = None, timezone: str = "UTC") -> dict[int, Any]:
    copies = {}
    for original in originals:
        values = copy_columns(original, skip=moments)
        for name in moments:
            values[name] = shift_moment(getattr(original, name), shift or timedelta(0), timezone)
        row = model(**values)
        into.append(row)
        copies[original.id] = row
    return copies
