"""Invitations' reads (its face): the lists of an edition with their counts, and a list's invitees."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from congress.communications.queries import Counts, counts_from
from congress.core.models import Congress
from congress.database import utcnow
from congress.extensions import db
from congress.invitations.links import find_by_secret, register_url, secret_of
from congress.invitations.models import STATUS_LABELS, InvitationList, InvitationMessage, Invitee, InviteeStatus
from congress.mail.models import OutboxMessage

__all__ = ["STATUS_LABELS", "ListSummary", "find_by_secret", "invitees_of", "list_summaries", "register_url",
           "secret_of", "sent_invitation_ids"]


@dataclass(frozen=True)
class ListSummary:
    list: InvitationList
    total: int
    invited: int
    registered: int
    declined: int
    reserving: bool  # its reserved places are held today
    sent: int  # invitees who were sent the invitation (or skipped: unsubscribed)

    @property
    def not_sent(self) -> int:
        return self.total - self.sent


def list_summaries(congress: Congress) -> list[ListSummary]:
    lists = list(db.session.scalars(sa.select(InvitationList).where(InvitationList.congress_id == congress.id)
                                    .order_by(InvitationList.name)))
    counts: dict[tuple[int, str], int] = {
        (list_id, status): n for list_id, status, n in db.session.execute(
            sa.select(Invitee.list_id, Invitee.status, sa.func.count()).where(Invitee.congress_id == congress.id)
            .group_by(Invitee.list_id, Invitee.status))}
    sent = dict(db.session.execute(
        sa.select(Invitee.list_id, sa.func.count()).join(InvitationMessage, InvitationMessage.invitee_id == Invitee.id)
        .where(Invitee.congress_id == congress.id, InvitationMessage.kind == "invitation")
        .group_by(Invitee.list_id)).all())
    today = utcnow().date()
    out = []
    for item in lists:
        by = {s.value: counts.get((item.id, s.value), 0) for s in InviteeStatus}
        out.append(ListSummary(item, sum(by.values()), by["invited"], by["registered"], by["declined"],
                               item.reserving(today), sent.get(item.id, 0)))
    return out


def invitees_of(invitation_list: InvitationList) -> list[Invitee]:
    return list(db.session.scalars(sa.select(Invitee).where(Invitee.list_id == invitation_list.id)
                                   .order_by(Invitee.name, Invitee.id)))


def sent_invitation_ids(invitation_list: InvitationList) -> set[int]:
    return set(db.session.scalars(sa.select(InvitationMessage.invitee_id).join(
        Invitee, Invitee.id == InvitationMessage.invitee_id).where(
        Invitee.list_id == invitation_list.id, InvitationMessage.kind == "invitation")))


def delivery(invitation_list: InvitationList) -> Counts:
    """How far the list's invitations are: each invitee's invitation by the outbox's status (skipped:
    unsubscribed), for the progress bar."""
    rows = db.session.execute(
        sa.select(InvitationMessage.skipped, sa.null(), OutboxMessage.status, sa.func.count())
        .select_from(InvitationMessage).join(Invitee, Invitee.id == InvitationMessage.invitee_id)
        .outerjoin(OutboxMessage, OutboxMessage.id == InvitationMessage.outbox_message_id)
        .where(Invitee.list_id == invitation_list.id, InvitationMessage.kind == "invitation")
        .group_by(InvitationMessage.skipped, OutboxMessage.status))
    return counts_from(rows.all())


def not_responded(congress_id: int) -> list[tuple[str, str, str, str]]:
    """(email, name, locale, personal registration link) of the edition's invitees who have neither
    registered nor declined, once per address (an address on two lists: its first invitee)."""
    slug = db.session.scalar(sa.select(Congress.slug).where(Congress.id == congress_id))
    seen: set[str] = set()
    found = []
    for invitee in db.session.scalars(sa.select(Invitee).where(
            Invitee.congress_id == congress_id, Invitee.status == InviteeStatus.INVITED.value).order_by(Invitee.id)):
        if invitee.email_key not in seen:
            seen.add(invitee.email_key)
            found.append((invitee.email, invitee.name, "nl", register_url(invitee, slug)))
    return found
