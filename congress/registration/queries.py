"""Reads of the registration capability that the capabilities above it use.

The registration engineer writes the rest of this module; the section marked "check-in and
badges" below is the a13-checkin part (the lead unions the two at merge)."""

from __future__ import annotations

# --- imports of the section: check-in and badges (a13-checkin) ----------------------------------
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from congress.core.models import Congress
from congress.extensions import db
from congress.registration.forms import ROLE_LABELS as ROLE_LABELS  # re-exported: the role printed on a badge
from congress.registration.models import Enrolment, Registration
from congress.registration.models import EnrolmentStatus as EnrolmentStatus  # re-exported
from congress.registration.models import RegistrationStatus as RegistrationStatus  # re-exported

# --- end of the imports of the section: check-in and badges -------------------------------------


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


def station_attendees(congress: Congress) -> list[Registration]:
    """Who a check-in station must know offline: confirmed and pending registrations, by id, with
    their enrolments loaded."""
    return list(db.session.scalars(
        sa.select(Registration)
        .where(Registration.congress_id == congress.id,
               Registration.status.in_([RegistrationStatus.CONFIRMED.value, RegistrationStatus.PENDING.value]))
        .options(selectinload(Registration.enrolments))
        .order_by(Registration.id)
    ))


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

# === end of section: check-in and badges =========================================================
