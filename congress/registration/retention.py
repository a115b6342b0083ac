"""Retention: anonymise the registrations of an edition once its retention period has passed.

Unlike :func:`congress.registration.lifecycle.erase` (a person's own request, which cancels), the
registration keeps its status, sector, role, enrolments and times, so that the counts per status,
sector and session stay right; what identifies or describes the person is emptied. E-mail sent to
the edition's attendees (the outbox keeps addresses and contents) is deleted once it has been
delivered or has failed for good. Runs inside the caller's transaction (``manage.retention``);
running it again finds nothing left to do.
"""

from __future__ import annotations

import sqlalchemy as sa

from congress.core.models import Congress
from congress.database import utcnow
from congress.extensions import db
from congress.mail.models import MailStatus, OutboxMessage
from congress.registration.lifecycle import anonymise
from congress.registration.models import Registration

DONE_MAIL = (MailStatus.SENT.value, MailStatus.FAILED.value)


def _pending(congress: Congress) -> sa.Select:
    return sa.select(Registration).where(Registration.congress_id == congress.id, Registration.erased_at.is_(None))


def _mail(congress: Congress):
    return sa.and_(OutboxMessage.congress_id == congress.id, OutboxMessage.status.in_(DONE_MAIL))


def anonymise_registrations(congress: Congress, *, dry_run: bool = False) -> dict[str, int]:
    """``{"registrations": n, "mail_messages": m}``: what was (or, with ``dry_run``, would be) anonymised."""
    if dry_run:
        count = db.session.scalar(sa.select(sa.func.count()).select_from(_pending(congress).subquery())) or 0
        mail = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(_mail(congress))) or 0
        return {"registrations": count, "mail_messages": mail}
    now = utcnow()
    count = 0
    for registration in db.session.scalars(_pending(congress).order_by(Registration.id)):
        anonymise(registration, now)  # the same fields as an erasure; the personal link stops working
        count += 1
    db.session.flush()
    # Attachments go with their message (ON DELETE CASCADE, and the ORM cascade for loaded ones).
    messages = db.session.scalars(sa.select(OutboxMessage).where(_mail(congress))).all()
    for message in messages:
        db.session.delete(message)
    db.session.flush()
    return {"registrations": count, "mail_messages": len(messages)}
