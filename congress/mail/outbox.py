"""What an organiser does with the outbox: try a failed message again, send a sent one again, and
read an attachment (rendered on demand when the worker has not rendered it yet).

Retrying is one more transition of the delivery state machine (:mod:`congress.mail.services`):
``failed`` → ``queued``, one conditional update, so that two clicks (or two organisers) retry a message
once. Resending copies a sent message into a new one with its own Message-ID; the old one stays.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from congress.database import utcnow, write_transaction
from congress.errors import Conflict
from congress.extensions import db
from congress.mail.models import MailStatus, OutboxAttachment, OutboxMessage
from congress.mail.services import PENDING_KEY, new_message_id, render_attachment


class OutboxRefused(Conflict):
    """The message is not (or no longer) in a state that allows this."""


def retry_failed(message_id: int) -> OutboxMessage:
    """Put a failed message back in the queue, with its attempts counted from zero; handed to the
    worker when the caller's transaction commits. :class:`OutboxRefused` when it is not failed (any more)."""
    with write_transaction():
        changed = db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == MailStatus.FAILED.value)
            .values(status=MailStatus.QUEUED.value, attempts=0, next_attempt_at=utcnow(), claimed_at=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not changed:
            raise OutboxRefused(_l("This message is not waiting for a retry: it was retried already or has been sent."))
        db.session.info.setdefault(PENDING_KEY, []).append(message_id)
        message = db.session.get(OutboxMessage, message_id, populate_existing=True)
        assert message is not None
        return message


def resend(message_id: int) -> OutboxMessage:
    """A new message with the same recipient, text and attachments as a sent one (a recipient who lost
    it); the original stays as it was. :class:`OutboxRefused` unless the message was sent."""
    with write_transaction():
        original = db.session.get(OutboxMessage, message_id)
        if original is None or original.status != MailStatus.SENT.value:
            raise OutboxRefused(_l("Only a message that has been sent can be sent again."))
        copy = OutboxMessage(
            to_address=original.to_address, template=original.template, locale=original.locale,
            subject=original.subject, body_text=original.body_text, body_html=original.body_html,
            congress_id=original.congress_id, status=MailStatus.QUEUED.value, next_attempt_at=utcnow(),
            message_id_header=new_message_id(), compose_later=None if original.subject else original.compose_later,
            attachments=[OutboxAttachment(filename=a.filename, content_type=a.content_type, data=a.data,
                                          source=a.source) for a in original.attachments],
        )
        db.session.add(copy)
        db.session.flush()
        db.session.info.setdefault(PENDING_KEY, []).append(copy)
        return copy


def attachment_file(attachment: OutboxAttachment) -> tuple[str, str, bytes]:
    """(file name, content type, bytes): stored, or rendered now through the attachment signal."""
    if attachment.data is not None:
        return attachment.filename, attachment.content_type, attachment.data
    kind, _sep, argument = (attachment.source or "").partition(":")
    return render_attachment(kind, argument, attachment.message.locale)


def attachment_name(attachment: OutboxAttachment) -> str:
    """The file name shown before it is rendered ("ticket" for an e-ticket not made yet)."""
    return attachment.filename or (attachment.source or "").partition(":")[0]
