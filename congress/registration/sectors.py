"""The organisers' sector list, one sector at a time: add, rename (NL/EN), reorder, hide and remove.

A sector that registrations chose is never removed (their sector would become empty): it can be
**hidden**, so that the form no longer offers it while those registrations, the statistics and the
exports keep showing it; and shown again. Every change is audited.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from congress.audit.services import record
from congress.core.models import Congress
from congress.database import transactional
from congress.errors import Conflict
from congress.extensions import db
from congress.registration.errors import RegistrationError
from congress.registration.models import Registration, Sector
from congress.registration.state import sectors

NAME_MAX = 120


class SectorInUse(Conflict):
    """Registrations chose this sector: hide it instead (409)."""


def _forget(congress_id: int) -> None:
    if has_request_context():
        g.get("registration_cache", {}).pop(f"sectors-{congress_id}", None)


def use_counts(congress: Congress) -> dict[int, int]:
    """How many registrations (of any status) chose each sector."""
    rows = db.session.execute(
        sa.select(Registration.sector_id, sa.func.count(Registration.id))
        .where(Registration.congress_id == congress.id, Registration.sector_id.is_not(None))
        .group_by(Registration.sector_id))
    return {sector_id: n for sector_id, n in rows}


def _names(congress: Congress, nl: str, en: str, sector: Sector | None = None) -> tuple[str, str]:
    nl, en = (nl or "").strip(), (en or "").strip()
    if not nl:
        raise RegistrationError(_l("Give the sector's Dutch name."), field="name_nl")
    if len(nl) > NAME_MAX or len(en) > NAME_MAX:
        raise RegistrationError(_l("Use at most %(n)d characters.", n=NAME_MAX), field="name_nl")
    if any(s.name_nl.lower() == nl.lower() and s is not sector for s in sectors(congress)):
        raise RegistrationError(_l("This edition already has a sector with this name."), field="name_nl")
    return nl, en


def _audit(congress: Congress, sector: Sector, change: str) -> None:
    _forget(congress.id)
    record("registration.sectors", sector, congress_id=congress.id, change=change, sector=sector.name_nl)


@transactional
def add_sector(congress: Congress, nl: str, en: str = "") -> Sector:
    nl, en = _names(congress, nl, en)
    position = max((s.position for s in sectors(congress)), default=-1) + 1
    sector = Sector(congress_id=congress.id, name_nl=nl, name_en=en, position=position)
    db.session.add(sector)
    db.session.flush()
    _audit(congress, sector, "added")
    return sector


@transactional
def rename_sector(congress: Congress, sector: Sector, nl: str, en: str = "") -> None:
    sector.name_nl, sector.name_en = _names(congress, nl, en, sector)
    _audit(congress, sector, "renamed")


@transactional
def move_sector(congress: Congress, sector: Sector, step: int) -> None:
    """One place up (``step=-1``) or down (``+1``)."""
    ordered = list(sectors(congress))
    index = next(i for i, s in enumerate(ordered) if s.id == sector.id)
    other = index + (1 if step > 0 else -1)
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    _audit(congress, sector, "moved")


@transactional
def hide_sector(congress: Congress, sector: Sector, hidden: bool = True) -> None:
    sector.hidden = hidden
    _audit(congress, sector, "hidden" if hidden else "shown")


@transactional
def delete_sector(congress: Congress, sector: Sector) -> None:
    """Remove a sector nobody chose; one in use is refused (hide it)."""
    used = use_counts(congress).get(sector.id, 0)
    if used:
        raise SectorInUse(ngettext(
            "%(num)d registration chose this sector, so it cannot be removed; hide it instead.",
            "%(num)d registrations chose this sector, so it cannot be removed; hide it instead.", used),
            field="name_nl", code="in_use")
    _audit(congress, sector, "removed")
    db.session.delete(sector)
