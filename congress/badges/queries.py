"""Reads of the badges capability that the capabilities above it use (check-in): revoked codes,
the holder a code names, and the layouts one can print. The joins of badge codes with
registrations live here: badges sits above registration."""

from __future__ import annotations

import functools

import sqlalchemy as sa

from congress.badges import tokens
from congress.badges.layouts import LAYOUTS
from congress.badges.models import IssuedCode, PrintRun
from congress.core.models import Congress
from congress.extensions import db
from congress.registration.models import Registration, RegistrationStatus

__all__ = ["LAYOUTS", "holder_select", "is_revoked", "recent_print_runs", "revocations"]


def revocations(congress: Congress, *, only: sa.Select | None = None) -> list[dict[str, object]]:
    """What stations must refuse although the signature verifies: replaced codes and the codes of
    cancelled registrations, as (registration id, nonce) pairs, by registration and then as issued.
    ``only``: a select of registration ids, to read those registrations' revocations alone (the
    station bundle's delta)."""
    query = (
        sa.select(IssuedCode.registration_id, IssuedCode.nonce)
        .join(Registration, Registration.id == IssuedCode.registration_id)
        .where(
            IssuedCode.congress_id == congress.id,
            sa.or_(IssuedCode.revoked_at.is_not(None), Registration.status == RegistrationStatus.CANCELLED.value),
        )
        .order_by(IssuedCode.registration_id, IssuedCode.id)
    )
    if only is not None:
        query = query.where(IssuedCode.registration_id.in_(only))
    rows = db.session.execute(query)
    return [{"registration": registration_id, "nonce": nonce} for registration_id, nonce in rows]


def is_revoked(code: tokens.BadgeCode) -> bool:
    """Replaced, unknown, or of a cancelled (or erased) registration: one query."""
    row = db.session.execute(
        sa.select(IssuedCode.revoked_at, Registration.status)
        .join(Registration, Registration.id == IssuedCode.registration_id)
        .where(IssuedCode.registration_id == code.registration_id, IssuedCode.nonce == code.nonce_hex)
    ).first()
    return row is None or row.revoked_at is not None or row.status == RegistrationStatus.CANCELLED.value


@functools.cache
def holder_select() -> sa.Select:
    """The registration a verified code names, with the state of the issued code: bind
    ``registration_id`` and ``code_nonce``. Built once (a scan's statements cost as much to build
    as to run); the caller may add columns of its own (check-in: the answer to a retried scan) so
    that a scan still needs only one query."""
    return (
        sa.select(Registration.id, Registration.congress_id, Registration.name, Registration.organisation,
                  Registration.accessibility, Registration.dietary, Registration.status,
                  IssuedCode.id.label("issued_id"), IssuedCode.revoked_at)
        .outerjoin(IssuedCode, sa.and_(IssuedCode.registration_id == Registration.id,
                                       IssuedCode.nonce == sa.bindparam("code_nonce")))
        .where(Registration.id == sa.bindparam("registration_id"))
    )


def recent_print_runs(congress: Congress, limit: int = 20) -> list[PrintRun]:
    """The edition's latest print runs, newest first."""
    return list(db.session.scalars(
        sa.select(PrintRun).where(PrintRun.congress_id == congress.id).order_by(PrintRun.id.desc()).limit(limit)
    ))
