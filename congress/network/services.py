"""Commands of the participants' network. Each owns its transaction; the rate limit is counted under the
sender's row lock (PostgreSQL ``FOR UPDATE``; SQLite's ``BEGIN IMMEDIATE`` lets one writer in), so two
messages sent at once never both slip under it. A message's mail joins the same transaction (the outbox
hands it to the worker after the commit): relayed exactly once, or not at all."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from congress.audit.services import record
from congress.core.services import ensure_writable
from congress.database import lock_for_update, transactional, utcnow
from congress.errors import Conflict, InvalidInput, NotPermitted, ServiceError
from congress.extensions import db
from congress.mail.services import queue_mail
from congress.network import queries
from congress.network.models import (
    MESSAGE_LIMIT,
    REASON_LIMIT,
    NetworkBlock,
    NetworkMessage,
    NetworkReport,
    NetworkShare,
)
from congress.registration import services as registration_services
from congress.registration.models import Registration
from congress.sanitize import clean
from congress.urls import external_url

__all__ = ["NetworkError", "NotListed", "RateLimited", "block", "mark_read", "report", "send_message",
           "set_consent", "share_address", "unblock", "forget", "handle_report",
           "anonymise_network"]

DEFAULT_PER_HOUR = 5
DEFAULT_PER_DAY = 20


class NetworkError(ServiceError):
    """A refusal of the network (its message is translated)."""


class NotListed(NetworkError):
    """Not (or no longer) in the network: cannot be contacted, or cannot send."""

    status = 409


class RateLimited(NetworkError):
    status = 429


def limits() -> tuple[int, int]:
    """Messages a sender may send per hour and per day (``NETWORK_MESSAGES_PER_HOUR`` / ``…_PER_DAY``)."""
    config = current_app.config
    return (int(config.get("NETWORK_MESSAGES_PER_HOUR", DEFAULT_PER_HOUR)),
            int(config.get("NETWORK_MESSAGES_PER_DAY", DEFAULT_PER_DAY)))


def _lock(registration_id: int) -> Registration | None:
    db.session.execute(lock_for_update(sa.select(Registration.id).where(Registration.id == registration_id)))
    return db.session.get(Registration, registration_id)


def _sent_since(sender_id: int, moment) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(NetworkMessage).where(
        NetworkMessage.sender_id == sender_id, NetworkMessage.created_at > moment)) or 0


@transactional
def send_message(sender: Registration, recipient_id: int, body: str) -> NetworkMessage:
    """Relay ``body`` from ``sender`` to another listed participant of the same edition: stored, shown on
    the recipient's personal page and mailed to them (neither address in it), audited."""
    text = clean(body or "").strip()
    if not text:
        raise InvalidInput(_l("Write a message."), field="body")
    if len(text) > MESSAGE_LIMIT:
        raise InvalidInput(_l("At most %(n)d characters.", n=MESSAGE_LIMIT), field="body")
    sender = _lock(sender.id)
    if sender is not None:
        ensure_writable(sender.congress)  # an archived edition is read-only: its network too
    if sender is None or not queries.is_listed(sender):
        raise NotListed(_l("Only participants who appear in the network themselves can send messages."))
    recipient = db.session.get(Registration, recipient_id)
    if (recipient is None or recipient.id == sender.id or recipient.congress_id != sender.congress_id
            or not queries.is_listed(recipient)):
        raise NotListed(_l("This participant can no longer be contacted through the network."))
    now = utcnow()
    per_hour, per_day = limits()
    if _sent_since(sender.id, now - timedelta(hours=1)) >= per_hour:
        raise RateLimited(_l("You have sent %(n)d messages in the last hour, the most allowed. Please try again "
                             "later.", n=per_hour), field="body")
    if _sent_since(sender.id, now - timedelta(days=1)) >= per_day:
        raise RateLimited(_l("You have sent %(n)d messages in the last 24 hours, the most allowed. Please try "
                             "again tomorrow.", n=per_day), field="body")
    message = NetworkMessage(congress_id=sender.congress_id, sender_id=sender.id, recipient_id=recipient.id,
                             body=text, created_at=now)
    db.session.add(message)
    db.session.flush()
    congress = sender.congress
    link = external_url("network.person", secret=registration_services.manage_secret(recipient),
                        registration_id=sender.id)
    queue_mail(recipient.email, "network/message", locale=recipient.locale, congress_id=congress.id,
               congress=congress, recipient=recipient, sender=sender, text=text, link=link)
    record("network.message_sent", sender, recipient=recipient.id, message=message.id, length=len(text))
    return message


@transactional
def mark_read(registration: Registration, sender_id: int) -> int:
    """The messages from ``sender_id`` were shown to their recipient."""
    result = db.session.execute(sa.update(NetworkMessage).where(
        NetworkMessage.recipient_id == registration.id, NetworkMessage.sender_id == sender_id,
        NetworkMessage.read_at.is_(None)).values(read_at=utcnow()))
    return result.rowcount or 0


@transactional
def share_address(owner: Registration, other_id: int) -> bool:
    """``owner`` agrees to show their e-mail address to ``other`` (only after a message between them);
    the addresses appear once both agreed. Answers whether both now have."""
    other = db.session.get(Registration, other_id)
    if (other is None or other.congress_id != owner.congress_id or other.id == owner.id
            or not queries.has_exchanged(owner.id, other.id)):
        raise NotPermitted(_l("You can share your address only with someone you exchanged messages with."))
    if not queries.may_look(owner):
        raise NotListed(_l("Only confirmed participants can share their address."))
    if not queries.shared(owner.id, other.id):
        db.session.execute(sa.insert(NetworkShare).values(owner_id=owner.id, other_id=other.id, created_at=utcnow()))
        record("network.address_shared", owner, other=other.id)
    return queries.shared(other.id, owner.id)


@transactional
def report(recipient: Registration, message_id: int, reason: str = "") -> NetworkReport:
    """The recipient reports a message (once); the organiser sees it in the back office."""
    message = db.session.get(NetworkMessage, message_id)
    if message is None or message.recipient_id != recipient.id:
        raise NotPermitted(_l("You can only report messages you received."))
    reason = clean(reason or "").strip()
    if len(reason) > REASON_LIMIT:
        raise InvalidInput(_l("At most %(n)d characters.", n=REASON_LIMIT), field="reason")
    existing = db.session.scalar(sa.select(NetworkReport).where(NetworkReport.message_id == message.id))
    if existing is not None:
        raise Conflict(_l("You have already reported this message."))
    row = NetworkReport(message_id=message.id, congress_id=message.congress_id, reason=reason, created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    record("network.message_reported", recipient, message=message.id, sender=message.sender_id)
    return row


@transactional
def handle_report(congress_id: int, report_id: int) -> None:
    """The organiser marks a report handled (with or without a block)."""
    row = db.session.get(NetworkReport, report_id)
    if row is None or row.congress_id != congress_id:
        raise NotPermitted(_l("This report is not of this edition."))
    if row.handled_at is None:
        row.handled_at = utcnow()
        record("network.report_handled", congress_id=congress_id, report=row.id, message=row.message_id)


@transactional
def block(congress_id: int, registration_id: int, reason: str = "", *, user_id: int | None = None) -> None:
    """The organiser blocks a participant from the network: off the list at once, no sending, not
    contactable. Their open reports count as handled."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.congress_id != congress_id:
        raise NotPermitted(_l("This participant is not of this edition."))
    reason = clean(reason or "").strip()[:REASON_LIMIT]
    if db.session.get(NetworkBlock, registration.id) is None:
        db.session.add(NetworkBlock(registration_id=registration.id, congress_id=congress_id, reason=reason,
                                    blocked_by=user_id, created_at=utcnow()))
        record("network.blocked", registration, reason=reason)
    db.session.execute(sa.update(NetworkReport).where(
        NetworkReport.handled_at.is_(None),
        NetworkReport.message_id.in_(sa.select(NetworkMessage.id).where(NetworkMessage.sender_id == registration.id)))
        .values(handled_at=utcnow()))


@transactional
def unblock(congress_id: int, registration_id: int) -> None:
    row = db.session.get(NetworkBlock, registration_id)
    if row is None or row.congress_id != congress_id:
        return
    db.session.delete(row)
    record("network.unblocked", row.registration)


def set_consent(registration: Registration, consent: bool) -> bool:
    """Join or leave the network (the registration's own consent): leaving takes effect at once."""
    return registration_services.set_network_consent(registration, consent)


def forget(registration: Registration) -> None:
    """An erased registration: its messages (sent and received), shares, reports and block go
    (inside the erasing transaction)."""
    ids = [registration.id]
    db.session.execute(sa.delete(NetworkShare).where(sa.or_(NetworkShare.owner_id.in_(ids),
                                                            NetworkShare.other_id.in_(ids))))
    messages = sa.select(NetworkMessage.id).where(sa.or_(NetworkMessage.sender_id.in_(ids),
                                                         NetworkMessage.recipient_id.in_(ids)))
    db.session.execute(sa.delete(NetworkReport).where(NetworkReport.message_id.in_(messages)))
    db.session.execute(sa.delete(NetworkMessage).where(sa.or_(NetworkMessage.sender_id.in_(ids),
                                                              NetworkMessage.recipient_id.in_(ids))))
    db.session.execute(sa.delete(NetworkBlock).where(NetworkBlock.registration_id.in_(ids)))


def anonymise_network(congress, *, dry_run: bool = False) -> dict[str, int]:
    """Retention (``manage.retention``, inside its transaction): once the edition's retention period has
    passed, its messages, shares, reports and blocks go. ``{"network_messages": n}``."""
    messages = sa.select(NetworkMessage.id).where(NetworkMessage.congress_id == congress.id)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(messages.subquery())) or 0
    if dry_run:
        return {"network_messages": count}
    people = sa.select(Registration.id).where(Registration.congress_id == congress.id)
    db.session.execute(sa.delete(NetworkReport).where(NetworkReport.congress_id == congress.id))
    db.session.execute(sa.delete(NetworkMessage).where(NetworkMessage.congress_id == congress.id))
    db.session.execute(sa.delete(NetworkShare).where(NetworkShare.owner_id.in_(people)))
    db.session.execute(sa.delete(NetworkBlock).where(NetworkBlock.congress_id == congress.id))
    return {"network_messages": count}
