"""Reading the outbox: the outbox's health per edition (the cockpit), messages filtered by status and
recipient, statuses in words, and the server's or the network's error told as a sentence (the technical
text stays for a details element)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from congress.extensions import db
from congress.mail.models import MailStatus, OutboxAttachment, OutboxMessage


@dataclass(frozen=True)
class OutboxHealth:
    """Messages of one edition by status, and the oldest one still waiting to go out."""

    by_status: dict[str, int]
    oldest_waiting: datetime | None

    @property
    def waiting(self) -> int:
        return self.by_status.get(MailStatus.QUEUED.value, 0) + self.by_status.get(MailStatus.SENDING.value, 0)

    @property
    def failed(self) -> int:
        return self.by_status.get(MailStatus.FAILED.value, 0)

    @property
    def sent(self) -> int:
        return self.by_status.get(MailStatus.SENT.value, 0)


def outbox_health(congress_id: int) -> OutboxHealth:
    """The edition's outbox in one query: the number per status and the oldest queued or sending message."""
    waiting = (MailStatus.QUEUED.value, MailStatus.SENDING.value)
    rows = db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count(), sa.func.min(OutboxMessage.created_at))
        .where(OutboxMessage.congress_id == congress_id).group_by(OutboxMessage.status)).all()
    oldest = [first for status, _n, first in rows if status in waiting and first is not None]
    return OutboxHealth(by_status={status: n for status, n, _first in rows},
                        oldest_waiting=min(oldest) if oldest else None)


STATUS_LABELS = {
    MailStatus.QUEUED.value: _l("Waiting to be sent"),
    MailStatus.SENDING.value: _l("Being sent"),
    MailStatus.SENT.value: _l("Sent"),
    MailStatus.FAILED.value: _l("Not delivered"),
}
# a retried message that waits for its next try is still "queued", but says so
RETRYING_LABEL = _l("Waiting for another try")


def status_label(message: OutboxMessage) -> str:
    if message.status == MailStatus.QUEUED.value and message.attempts:
        return str(RETRYING_LABEL)
    return str(STATUS_LABELS.get(message.status, message.status))


# (pattern on the SMTP code or the technical text, sentence), first match wins
_EXPLANATIONS: tuple[tuple[re.Pattern[str], object], ...] = tuple((re.compile(p, re.I), s) for p, s in (
    (r"^55[0-3]\b.*(5\.1\.[0-3]|user unknown|no such user|does not exist|mailbox unavailable|unknown recipient"
     r"|recipient address rejected)", _l("The recipient's mail server says this address does not exist. "
                                          "Check the e-mail address for typing errors.")),
    (r"^5\d\d\b.*sender", _l("The mail server refused our sender address. The mail settings need checking.")),
    (r"^552\b|5\.2\.2|mailbox full|quota", _l("The recipient's mailbox is full. Try again later or use "
                                               "another address.")),
    (r"^55[0-4]\b.*(spam|blocked|blacklist|policy|rejected|denied|5\.7\.)", _l(
        "The recipient's mail server refused the message (spam filter or policy). Ask the recipient or "
        "the mail administrator to allow our sender address.")),
    (r"^5\d\d\b", _l("The recipient's mail server refused the message for good.")),
    (r"^4\d\d\b", _l("The recipient's mail server asked us to try again later.")),
    (r"ConnectionRefused|Connection refused|Errno 111", _l("Our mail server could not be reached (connection "
                                                            "refused). Ask the system administrator to check it.")),
    (r"Timeout|timed out", _l("Our mail server did not answer in time.")),
    (r"SMTPAuthenticationError|535", _l("Our mail server refused our login. The mail settings need checking.")),
    (r"SMTPServerDisconnected|Connection unexpectedly closed|reset by peer",
     _l("The connection to our mail server was broken off.")),
    (r"gaierror|Name or service not known|getaddrinfo|nodename", _l(
        "The name of our mail server could not be found. The mail settings need checking.")),
    (r"MailSubjectGone", _l("What this message was about (a registration, an account) no longer exists.")),
    (r"UnknownMailKind|TemplateError|TemplateNotFound|UndefinedError", _l(
        "The message could not be composed (a template problem). Report this to the system administrator.")),
    (r"OperationalError|database is locked", _l("The database was busy; the message is tried again by itself.")),
))


def explain_error(message: OutboxMessage) -> str | None:
    """The failure as a sentence in the reader's language; None when there is no error."""
    technical = " ".join(filter(None, [message.smtp_reply or "", message.last_error or ""])).strip()
    if not technical or message.status == MailStatus.SENT.value:
        return None
    for text in filter(None, [message.smtp_reply, message.last_error]):
        for pattern, sentence in _EXPLANATIONS:
            if pattern.search(text.strip()):
                return str(sentence)
    return str(_l("Sending failed for a reason we do not recognise; the technical details are below."))


def technical_error(message: OutboxMessage) -> str:
    return "\n".join(filter(None, [message.smtp_reply or "", message.last_error or ""]))


@dataclass(frozen=True)
class OutboxFilters:
    status: str | None = None
    recipient: str | None = None

    def as_args(self) -> dict[str, str]:
        return {k: v for k, v in {"status": self.status, "recipient": self.recipient}.items() if v}


def messages_query(filters: OutboxFilters) -> sa.Select:
    query = sa.select(OutboxMessage)
    if filters.status:
        query = query.where(OutboxMessage.status == filters.status)
    if filters.recipient:
        query = query.where(OutboxMessage.to_address.contains(filters.recipient.strip().lower(), autoescape=True))
    return query.order_by(OutboxMessage.id.desc())


def attachment_of(message_id: int, attachment_id: int) -> OutboxAttachment | None:
    return db.session.scalar(sa.select(OutboxAttachment).where(
        OutboxAttachment.id == attachment_id, OutboxAttachment.message_id == message_id))


def attachment_name(attachment: OutboxAttachment) -> str:
    """The file name shown before it is rendered ("ticket" for an e-ticket not made yet)."""
    return attachment.filename or (attachment.source or "").partition(":")[0]


def bouncing(addresses: Iterable[str]) -> dict[str, str]:
    """Of ``addresses``, those whose last delivery was refused permanently (a 5xx reply), lower-cased,
    each with the server's reply. An address stops bouncing once a later message to it is delivered
    (a failed message tried again, or the address corrected: the new address has no refusal)."""
    wanted = sorted({address.strip().lower() for address in addresses if address})
    if not wanted:
        return {}
    address = sa.func.lower(OutboxMessage.to_address)
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        refused = (sa.select(address.label("address"), sa.func.max(OutboxMessage.id).label("last_id"))
                   .where(OutboxMessage.status == MailStatus.FAILED.value, OutboxMessage.smtp_code >= 500,
                          address.in_(chunk))
                   .group_by(address).subquery())
        delivered = (sa.select(address.label("address"), sa.func.max(OutboxMessage.id).label("last_id"))
                     .where(OutboxMessage.status == MailStatus.SENT.value, address.in_(chunk))
                     .group_by(address).subquery())
        rows = db.session.execute(
            sa.select(refused.c.address, OutboxMessage.smtp_reply)
            .join(OutboxMessage, OutboxMessage.id == refused.c.last_id)
            .outerjoin(delivered, delivered.c.address == refused.c.address)
            .where(sa.or_(delivered.c.last_id.is_(None), delivered.c.last_id < refused.c.last_id))
        )
        found.update((row.address, row.smtp_reply or "") for row in rows)
    return found
