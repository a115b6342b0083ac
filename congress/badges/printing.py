"""What is printed on a badge, who is printed, and rendering a selection into one PDF."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import force_locale, gettext
from sqlalchemy.orm import selectinload

from congress.badges.codes import issue_code, issue_codes
from congress.badges.layouts import get_layout
from congress.badges.models import PrintRun
from congress.badges.render import BadgeData, ProgrammeLine, render_batch
from congress.core.models import Congress
from congress.database import utcnow
from congress.extensions import db
from congress.i18n import format_date_range, format_time_in_zone
from congress.programme.models import ProgrammeSession
from congress.registration.models import Enrolment, EnrolmentStatus, Registration, RegistrationStatus
from congress.registration.queries import ROLE_LABELS

TITLES = {"dr.", "dr", "prof.", "prof", "mr.", "mr", "ir.", "ir", "drs.", "drs", "ing.", "ing", "mw.", "dhr."}


def surname_key(name: str) -> str:
    """Sort key by last name: "Thomas van der Berg" sorts under B, accents folded."""
    words = [w for w in name.split() if w.lower() not in TITLES]
    last = words[-1] if words else name
    folded = unicodedata.normalize("NFKD", f"{last} {name}").encode("ascii", "ignore").decode().casefold()
    return folded or name.casefold()


def badge_data(registration: Registration, locale: str = "nl", *, code: str | None = None) -> BadgeData:
    congress = registration.congress
    programme = []
    for enrolment in sorted(registration.enrolments, key=lambda e: e.session.starts_at or utcnow()):
        if enrolment.status != EnrolmentStatus.ENROLLED.value or enrolment.session.starts_at is None:
            continue
        session = enrolment.session
        programme.append(ProgrammeLine(
            time=format_time_in_zone(session.starts_at, congress.timezone),
            title=session.title_for(locale),
            room=session.room.name if session.room else "",
        ))
    with force_locale(locale):
        role_label = str(ROLE_LABELS.get(registration.role, registration.role))
        edition_date = format_date_range(congress.starts_on, congress.ends_on)
    return BadgeData(
        name=registration.name,
        organisation=registration.organisation,
        role=registration.role,
        role_label=role_label,
        code=code or issue_code(registration),
        edition_title=congress.title(locale),
        edition_date=edition_date,
        sort_key=surname_key(registration.name),
        programme=tuple(programme),
    )


SELECTIONS = ("everyone", "track", "sector", "new", "one")


class EmptySelection(ValueError):
    """Nobody matches: the caller shows a message instead of an empty PDF."""


def select_registrations(
    congress: Congress,
    who: str = "everyone",
    *,
    track_id: int | None = None,
    sector_id: int | None = None,
    registration_id: int | None = None,
) -> list[Registration]:
    """Confirmed registrations to print, sorted by last name."""
    if who not in SELECTIONS:
        raise ValueError(f"unknown selection {who!r}")
    query = sa.select(Registration).where(
        Registration.congress_id == congress.id, Registration.status == RegistrationStatus.CONFIRMED.value
    )
    if who == "one":
        query = query.where(Registration.id == registration_id)
    elif who == "sector":
        query = query.where(Registration.sector_id == sector_id)
    elif who == "track":
        enrolled = (
            sa.select(Enrolment.registration_id)
            .join(ProgrammeSession, ProgrammeSession.id == Enrolment.session_id)
            .where(ProgrammeSession.track_id == track_id, Enrolment.status == EnrolmentStatus.ENROLLED.value)
        )
        query = query.where(Registration.id.in_(enrolled))
    elif who == "new":
        last = db.session.scalar(
            sa.select(sa.func.max(PrintRun.created_at)).where(PrintRun.congress_id == congress.id,
                                                              PrintRun.status == "done")
        )
        if last is not None:
            query = query.where(sa.or_(Registration.confirmed_at > last, Registration.created_at > last))
    registrations = list(db.session.scalars(query.options(selectinload(Registration.enrolments))))
    return sorted(registrations, key=lambda r: surname_key(r.name))


def render_registrations(
    registrations: list[Registration],
    layout: str,
    *,
    locale: str = "nl",
    processes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    if not registrations:
        raise EmptySelection("no registrations to print")
    get_layout(layout)
    codes = issue_codes(registrations)  # kept, whatever happens to the rendering
    badges = [badge_data(r, locale, code=codes[r.id]) for r in registrations]
    with force_locale(locale):
        labels = {"programme": gettext("My programme"), "lang": locale}
    return render_batch(badges, layout, labels=labels, processes=processes, progress=progress)
