"""Registration settings per edition: sectors, the window, the edition's capacity and its waiting list."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from congress.audit.services import record
from congress.core.models import Congress
from congress.database import transactional
from congress.extensions import db
from congress.registration.errors import RegistrationError
from congress.registration.models import EditionSettings, Registration, Sector
from congress.registration.seats import _lock_congress, offers_waiting_list, promote_edition_waiting_list
from congress.registration.state import sectors

DEFAULT_SECTORS = [
    ("gemeente", "municipality"),
    ("maatschappelijke organisatie", "civil-society organisation"),
    ("onderwijsinstelling", "educational institution"),
    ("kennisinstelling", "knowledge institution"),
    ("Rijksoverheid", "central government"),
    ("inwoner/ervaringsdeskundige", "resident/expert by experience"),
    ("anders", "other"),
]


def ensure_default_sectors(congress: Congress) -> None:
    if sectors(congress):
        return
    for position, (nl, en) in enumerate(DEFAULT_SECTORS):
        db.session.add(Sector(congress_id=congress.id, name_nl=nl, name_en=en, position=position))
    db.session.flush()


@transactional
def save_sectors(congress: Congress, lines: list[tuple[str, str]]) -> None:
    """Replace the sector list (``(nl, en)`` pairs in order). A sector left out is removed, or hidden
    when registrations chose it (they keep their sector); one named again is offered again."""
    current = {s.name_nl: s for s in sectors(congress)}
    keep = set()
    for position, (nl, en) in enumerate(lines):
        sector = current.get(nl)
        if sector is None:
            sector = Sector(congress_id=congress.id, name_nl=nl)
            db.session.add(sector)
        sector.name_en = en
        sector.position = position
        sector.hidden = False
        keep.add(nl)
    used = set(db.session.scalars(sa.select(Registration.sector_id).where(
        Registration.congress_id == congress.id, Registration.sector_id.is_not(None)).distinct()))
    for name, sector in current.items():
        if name not in keep:
            if sector.id in used:
                sector.hidden = True
            else:
                db.session.delete(sector)
    record("registration.sectors", congress, congress_id=congress.id, sectors=[nl for nl, _en in lines])


@transactional
def save_window(congress: Congress, *, opens_at: datetime | None, closes_at: datetime | None,
                capacity: int | None, waiting_list: bool | None = None, online_places: bool | None = None,
                online_capacity: int | None = None) -> None:
    """The window, the edition's capacity and (unless None) whether a full edition offers its waiting
    list; a raised capacity promotes the first people waiting in this transaction."""
    if opens_at and closes_at and closes_at <= opens_at:
        raise RegistrationError(_l("The closing moment must be after the opening moment."), field="closes_at")
    if capacity is not None and capacity < 0:
        raise RegistrationError(_l("Capacity cannot be negative."), field="capacity")
    _lock_congress(congress.id)
    congress.registration_opens_at = opens_at
    congress.registration_closes_at = closes_at
    congress.capacity = capacity
    record("registration.window", congress, congress_id=congress.id,
           opens_at=opens_at.isoformat() if opens_at else None,
           closes_at=closes_at.isoformat() if closes_at else None, capacity=capacity)
    if waiting_list is not None:
        set_waiting_list(congress, waiting_list)
    if online_places is not None:
        _set_online_places(congress, online_places, online_capacity)
    db.session.flush()
    # A raised (or lifted) capacity gives the free places to the people waiting, in this transaction.
    promote_edition_waiting_list(congress.id)


def _set_online_places(congress: Congress, offered: bool, capacity: int | None) -> None:
    """Offer online places (their own limit, None: none) or stop offering them; people registered online
    keep their places. Called under the edition's lock (``save_window``)."""
    if capacity is not None and capacity < 0:
        raise RegistrationError(_l("Capacity cannot be negative."), field="online_capacity")
    settings = db.session.get(EditionSettings, congress.id)
    if settings is None:
        settings = EditionSettings(congress_id=congress.id)
        db.session.add(settings)
    if (bool(settings.online_places), settings.online_capacity) == (bool(offered), capacity):
        return
    settings.online_places = bool(offered)
    settings.online_capacity = capacity
    record("registration.online_places", congress, congress_id=congress.id, offered=bool(offered), capacity=capacity)


@transactional
def set_waiting_list(congress: Congress, offered: bool) -> None:
    """Offer the edition's waiting list when it is full, or stop offering it. Turning it off keeps the
    people already waiting in their order (a freed place still goes to them); newcomers are refused."""
    offered = bool(offered)
    if offers_waiting_list(congress.id) == offered:
        return
    settings = db.session.get(EditionSettings, congress.id)
    if settings is None:
        settings = EditionSettings(congress_id=congress.id)
        db.session.add(settings)
    settings.waiting_list = offered
    record("registration.waiting_list", congress, congress_id=congress.id, offered=offered)
