"""Invitations' commands (its face): lists, importing, sending invitations and reminders, responses,
and the answers registration asks for (reserved places, the invitation link's details)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from congress.audit.services import record
from congress.communications.queries import headers_for, opted_out, url_for_address
from congress.core.models import Congress
from congress.database import end_transaction, insert_unless_exists, lock_for_update, utcnow, write_transaction
from congress.errors import Conflict, InvalidInput
from congress.extensions import db
from congress.invitations.importing import LIST_MAX, ImportError_, ImportReport, check_file, import_contacts
from congress.invitations.links import decline_url, find_by_secret, register_url
from congress.invitations.models import (
    MESSAGE_INVITATION,
    MESSAGE_REMINDER,
    InvitationList,
    InvitationMessage,
    Invitee,
    InviteeStatus,
)
from congress.mail.services import queue_mail
from congress.registration.models import Registration
from congress.registration.queries import ACTIVE
from congress.registration.services import promote_edition_after_change

__all__ = [
    "ImportError_", "ImportReport", "InvitationConflict", "InvitationError", "SendReport", "check_file", "create_list",
    "decline", "import_contacts", "invitation_details", "lists_of_invitees", "mark_registered", "reserved_places",
    "release_expired_holds", "send_invitations", "send_reminders", "update_list",
]

FIRST_SEND = "first"  # the invitation's send key: one invitation per invitee, ever


class InvitationError(InvalidInput):
    """A list or a send that cannot be done as asked (422), with the field it belongs next to."""


class InvitationConflict(Conflict):
    """The invitation cannot change any more (409): declined after registering, and the like."""


def _checked_list(name: str, reserved_places: int | None, reserved_until: date | None) -> tuple[str, int, date | None]:
    name = " ".join((name or "").split())
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Enter a name for the list.")]
    elif len(name) > LIST_MAX:
        errors["name"] = [_("At most %(max)d characters.", max=LIST_MAX)]
    places = reserved_places or 0
    if places < 0 or places > 100_000:
        errors["reserved_places"] = [_("Enter a number of places from 0 to 100000.")]
    if places and reserved_until is None:
        errors["reserved_until"] = [_("Reserved places need a date until which they are held.")]
    if errors:
        raise InvitationError(_("Some of what you entered is not valid."), errors=errors)
    return name, places, reserved_until if places else None


def _name_taken(congress_id: int, name: str, except_id: int | None = None) -> bool:
    query = sa.select(InvitationList.id).where(InvitationList.congress_id == congress_id, InvitationList.name == name)
    if except_id is not None:
        query = query.where(InvitationList.id != except_id)
    return db.session.scalar(query) is not None


def create_list(congress: Congress, name: str, reserved_places: int | None = 0,
                reserved_until: date | None = None) -> InvitationList:
    name, places, until = _checked_list(name, reserved_places, reserved_until)
    with write_transaction(keep_loaded=True):
        if _name_taken(congress.id, name):
            raise InvitationError(_("This edition already has a list with this name."), field="name")
        invitation_list = InvitationList(congress_id=congress.id, name=name, reserved_places=places,
                                         reserved_until=until)
        db.session.add(invitation_list)
        db.session.flush()
        record("invitations.list_created", invitation_list, name=name, reserved_places=places,
               reserved_until=until.isoformat() if until else None)
    return invitation_list


def update_list(list_id: int, name: str, reserved_places: int | None = 0,
                reserved_until: date | None = None) -> InvitationList:
    """Rename a list or change its reservation; the edition's lock is taken, as a seat changes with it."""
    name, places, until = _checked_list(name, reserved_places, reserved_until)
    with write_transaction(keep_loaded=True):
        invitation_list = db.session.get(InvitationList, list_id)
        if invitation_list is None:
            raise InvitationError(_("This list no longer exists."))
        _lock_edition(invitation_list.congress_id)
        if _name_taken(invitation_list.congress_id, name, except_id=list_id):
            raise InvitationError(_("This edition already has a list with this name."), field="name")
        invitation_list.name, invitation_list.reserved_places, invitation_list.reserved_until = name, places, until
        record("invitations.list_changed", invitation_list, name=name, reserved_places=places,
               reserved_until=until.isoformat() if until else None)
    return invitation_list


def _lock_edition(congress_id: int) -> None:
    if db.engine.dialect.name != "sqlite":
        db.session.execute(lock_for_update(sa.select(Congress.id).where(Congress.id == congress_id)))


# Sending -------------------------------------------------------------------------------------------

@dataclass
class SendReport:
    queued: int = 0
    skipped: int = 0  # unsubscribed addresses: no message
    already: int = 0  # this send reached them before (a second click, a second run)


def _send(congress: Congress, invitees: list[Invitee], kind: str, send_key: str) -> SendReport:
    """Queue one message per invitee for this send; the ``(invitee, kind, send_key)`` row is inserted
    first (``ON CONFLICT DO NOTHING``), so whoever inserted it is the only one who queues the mail."""
    report = SendReport()
    unsubscribed = opted_out(i.email_key for i in invitees)
    # RETURNING says whether this insert made the row (rowcount is -1 for it on PostgreSQL's driver).
    insert = insert_unless_exists(InvitationMessage, index_elements=["invitee_id", "kind", "send_key"]).returning(
        InvitationMessage.id)
    now = utcnow()
    template = "invitations/invitation" if kind == MESSAGE_INVITATION else "invitations/reminder"
    for invitee in invitees:
        skipped = invitee.email_key in unsubscribed
        inserted = db.session.execute(insert, {"invitee_id": invitee.id, "kind": kind, "send_key": send_key,
                                               "skipped": skipped, "created_at": now}).scalar() is not None
        if not inserted:
            report.already += 1
            continue
        if skipped:
            report.skipped += 1
            continue
        message = queue_mail(invitee.email, template, locale="nl", congress_id=congress.id,
                             headers=headers_for(invitee.email_key), invitee=invitee, congress=congress,
                             reserved_until=invitee.list.reserved_until if invitee.list.reserving(now.date()) else None,
                             register_link=register_url(invitee, congress.slug),
                             decline_link=decline_url(invitee, congress.slug),
                             unsubscribe_link=url_for_address(invitee.email_key))
        db.session.flush()
        db.session.execute(sa.update(InvitationMessage).where(
            InvitationMessage.invitee_id == invitee.id, InvitationMessage.kind == kind,
            InvitationMessage.send_key == send_key).values(outbox_message_id=message.id))
        if kind == MESSAGE_INVITATION:
            invitee.invited_at = now
        else:
            invitee.reminded_at = now
        report.queued += 1
    return report


def _invitees(congress_id: int, list_id: int | None, statuses: tuple[str, ...]) -> list[Invitee]:
    query = sa.select(Invitee).where(Invitee.congress_id == congress_id, Invitee.status.in_(statuses))
    if list_id is not None:
        query = query.where(Invitee.list_id == list_id)
    return list(db.session.scalars(query.order_by(Invitee.id)))


def send_invitations(congress: Congress, list_id: int | None = None, *, by: object = None) -> SendReport:
    """Invite everyone of the list (or of the edition) not invited yet and not yet registered or
    declined: each invitee receives the invitation once, however often this runs."""
    with write_transaction():
        invitees = _invitees(congress.id, list_id, (InviteeStatus.INVITED.value,))
        report = _send(congress, invitees, MESSAGE_INVITATION, FIRST_SEND)
        if report.queued or report.skipped:
            record("invitations.sent", congress, queued=report.queued, skipped_unsubscribed=report.skipped,
                   list_id=list_id, actor=by)
    return report


def send_reminders(congress: Congress, list_id: int | None, send_key: str, *, by: object = None) -> SendReport:
    """Remind those invited who did not respond (neither registered nor declined). ``send_key`` names
    this round of reminders (the page's form carries one): the same key reaches each invitee once."""
    send_key = (send_key or "").strip()
    if not 8 <= len(send_key) <= 64:
        raise InvitationError(_("This form has expired; open the page again."))
    with write_transaction():
        invited = {m for m in db.session.scalars(sa.select(InvitationMessage.invitee_id).where(
            InvitationMessage.kind == MESSAGE_INVITATION))}
        invitees = [i for i in _invitees(congress.id, list_id, (InviteeStatus.INVITED.value,)) if i.id in invited]
        report = _send(congress, invitees, MESSAGE_REMINDER, send_key)
        if report.queued or report.skipped:
            record("invitations.reminded", congress, queued=report.queued, skipped_unsubscribed=report.skipped,
                   list_id=list_id, actor=by)
    return report


# Responses -----------------------------------------------------------------------------------------

def decline(secret: str, congress_id: int) -> Invitee:
    """The invitee declines through their link. Declining twice changes nothing; someone who has
    registered cancels the registration instead (its own link)."""
    with write_transaction(keep_loaded=True):
        invitee = find_by_secret(secret, congress_id)
        if invitee is None:
            raise InvitationError(_("This invitation link is not valid."))
        if invitee.status == InviteeStatus.REGISTERED.value:
            raise InvitationConflict(_("You have already registered. To cancel, use the link in your confirmation "
                                       "e-mail."))
        if invitee.status != InviteeStatus.DECLINED.value:
            invitee.status = InviteeStatus.DECLINED.value
            invitee.responded_at = utcnow()
            record("invitations.declined", invitee)
    return invitee


def mark_registered(registration: Registration) -> int:
    """A registration was confirmed: every invitee of its edition with its address is registered.
    Runs inside the registration's transaction (``registration_confirmed``)."""
    rows = db.session.execute(sa.update(Invitee).where(
        Invitee.congress_id == registration.congress_id, Invitee.email_key == registration.email_key,
        Invitee.status != InviteeStatus.REGISTERED.value,
    ).values(status=InviteeStatus.REGISTERED.value, responded_at=utcnow()).execution_options(
        synchronize_session=False))
    return rows.rowcount or 0


# What registration asks -----------------------------------------------------------------------------

def reserved_places(congress_id: int, *, email_key: str | None, today: date) -> tuple[int, bool]:
    """Under the edition's lock: (places still held for invitation lists, whether ``email_key`` may take
    one). A list holds ``reserved_places`` minus its members who already have an active registration,
    while today is on or before its date; a member who declined is no longer entitled."""
    lists = list(db.session.execute(sa.select(InvitationList.id, InvitationList.reserved_places).where(
        InvitationList.congress_id == congress_id, InvitationList.reserved_places > 0,
        InvitationList.reserved_until >= today)))
    if not lists:
        return 0, False
    ids = [list_id for list_id, _places in lists]
    used = dict(db.session.execute(
        sa.select(Invitee.list_id, sa.func.count(sa.distinct(Invitee.email_key)))
        .join(Registration, sa.and_(Registration.congress_id == Invitee.congress_id,
                                    Registration.email_key == Invitee.email_key))
        .where(Invitee.list_id.in_(ids), Registration.status.in_(ACTIVE))
        .group_by(Invitee.list_id)).all())
    held = sum(max(places - used.get(list_id, 0), 0) for list_id, places in lists)
    entitled = False
    if email_key:
        entitled = db.session.scalar(sa.select(Invitee.id).where(
            Invitee.list_id.in_(ids), Invitee.email_key == email_key,
            Invitee.status != InviteeStatus.DECLINED.value).limit(1)) is not None
    return held, entitled


def invitation_details(congress_id: int, secret: str) -> dict[str, str] | None:
    """What the registration form fills in for ``?invite=<secret>``."""
    invitee = find_by_secret(secret, congress_id)
    if invitee is None:
        return None
    return {"name": invitee.name, "email": invitee.email, "organisation": invitee.organisation,
            "sector": invitee.sector}


def lists_of_invitees(invitee_ids: list[int]) -> list[int]:
    """The lists these invitees are on (an import's), in id order."""
    if not invitee_ids:
        return []
    return list(db.session.scalars(sa.select(Invitee.list_id).distinct().where(Invitee.id.in_(invitee_ids))
                                   .order_by(Invitee.list_id)))


def release_expired_holds(today: date | None = None) -> int:
    """The editions whose lists stopped holding places yesterday or today (their date has passed):
    their waiting list is promoted into the freed places. Returns how many people were promoted."""
    today = today or utcnow().date()
    congress_ids = list(db.session.scalars(sa.select(InvitationList.congress_id).distinct().where(
        InvitationList.reserved_places > 0, InvitationList.reserved_until < today,
        InvitationList.reserved_until >= today - timedelta(days=2))))
    end_transaction()  # the read ends here: each promotion runs in its own write transaction
    promoted = 0
    for congress_id in congress_ids:
        congress = db.session.get(Congress, congress_id)
        if congress is not None:
            promoted += len(promote_edition_after_change(congress))
    return promoted
