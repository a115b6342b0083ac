"""The one mail service: render a Jinja template in the recipient's language, store it in the
outbox, and let a background job deliver it over SMTP (:mod:`congress.mail.delivery`, the state
machine, re-exported here with :mod:`congress.mail.composing` for callers: this is the face).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session as OrmSession

from congress.database import utcnow, write_transaction
from congress.errors import Conflict
from congress.extensions import db
from congress.mail.composing import (  # re-exported
    AttachmentRenderer,
    ContextBuilder,
    MailSubjectGone,
    RenderedLater,
    UnknownMailKind,
    _render,
    build_context,
    check_kinds,
    new_message_id,
    render_attachment,
)
from congress.mail.delivery import (  # re-exported
    SENDING,
    SMTPConnection,
    any_due,
    batch_size,
    build_email,
    claim_timeout,
    deliver,
    deliver_batch,
    due_message_ids,
    is_due,
    next_attempt_at,
    reset_stale_claims,
    retry_delay,
    send_due_mail,
    status_of,
)
from congress.mail.envelope import SigningKeyError, check_configuration  # re-exported
from congress.mail.faults import is_transient_database_error  # re-exported
from congress.mail.headers import EXTRA_HEADERS, checked_headers  # re-exported: EXTRA_HEADERS
from congress.mail.models import MailStatus, OutboxAttachment, OutboxMessage

__all__ = [
    "EXTRA_HEADERS", "PENDING_KEY", "SENDING", "AttachmentRenderer", "ContextBuilder", "MailSubjectGone",
    "OutboxRefused", "RenderedLater", "SMTPConnection", "SigningKeyError", "UnknownMailKind", "any_due",
    "attachment_file", "batch_size", "build_context", "build_email", "check_configuration", "check_kinds",
    "claim_timeout", "deliver", "deliver_batch", "due_message_ids", "forget_rolled_back_mail", "is_due",
    "is_transient_database_error", "new_message_id", "next_attempt_at", "queue_mail", "queue_mail_later",
    "render_attachment", "reset_stale_claims", "resend", "retry_delay", "retry_failed", "send_due_mail", "status_of",
]

PENDING_KEY = "congress_outbox_pending"


def queue_mail(
    to: str,
    template: str,
    *,
    locale: str = "nl",
    congress_id: int | None = None,
    attachments: list[tuple[str, str, bytes] | RenderedLater] | None = None,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> OutboxMessage:
    """Render ``templates/email/<template>.{subject.txt,txt,html}`` and add it to the outbox.

    ``attachments`` are ``(filename, content type, bytes)``, e.g. an e-ticket PDF; ``headers`` further
    headers of :data:`EXTRA_HEADERS` (List-Unsubscribe on what is not transactional).

    The message joins the caller's transaction; it is handed to the worker only after that
    transaction commits, so a rolled-back change never sends mail.
    """
    subject, body_text, body_html = _render(template, locale, context, congress_id)
    message = OutboxMessage(
        to_address=to,
        template=template,
        locale=locale,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        congress_id=congress_id,
        status=MailStatus.QUEUED.value,
        next_attempt_at=utcnow(),
        message_id_header=new_message_id(),
        headers=checked_headers(headers),
        attachments=[_attachment(a) for a in attachments or ()],
    )
    db.session.add(message)
    db.session.info.setdefault(PENDING_KEY, []).append(message)
    return message


_INSERT_MESSAGE = sa.insert(OutboxMessage.__table__).returning(OutboxMessage.__table__.c.id)
_INSERT_ATTACHMENT = sa.insert(OutboxAttachment.__table__)


def queue_mail_later(to: str, template: str, compose: RenderedLater, *, locale: str = "nl",
                     congress_id: int | None = None, attachments: list[RenderedLater] | None = None,
                     headers: dict[str, str] | None = None) -> int:
    """Like :func:`queue_mail`, but the worker composes the message: it asks the context builder
    connected for ``compose.kind`` (see :func:`build_context`) and renders the
    templates, with links on ``PUBLIC_BASE_URL``. For busy paths such as registering, where
    rendering would hold the write lock longer; plain inserts, returns the message's id."""
    now = utcnow()
    message_id = db.session.execute(_INSERT_MESSAGE, {
        "to_address": to, "template": template, "locale": locale, "subject": "", "body_text": "",
        "body_html": "", "congress_id": congress_id, "status": MailStatus.QUEUED.value, "attempts": 0,
        "last_error": "", "created_at": now, "next_attempt_at": now, "message_id_header": new_message_id(),
        "compose_later": {"kind": compose.kind, "argument": compose.argument},
        "headers": checked_headers(headers),
    }).scalar_one()
    for item in attachments or ():
        db.session.execute(_INSERT_ATTACHMENT, {"message_id": message_id, "filename": "", "content_type": "",
                                                "data": None, "source": f"{item.kind}:{item.argument}"})
    db.session.info.setdefault(PENDING_KEY, []).append(message_id)
    return message_id

def _attachment(item: tuple[str, str, bytes] | RenderedLater) -> OutboxAttachment:
    if isinstance(item, RenderedLater):
        return OutboxAttachment(filename="", content_type="", source=f"{item.kind}:{item.argument}")
    name, content_type, data = item
    return OutboxAttachment(filename=name, content_type=content_type, data=data)


def forget_rolled_back_mail(session: OrmSession) -> None:
    session.info.pop(PENDING_KEY, None)


# -- what an organiser does with the outbox -----------------------------------------------------------
# Retrying is one more transition of the state machine: ``failed`` → ``queued``, one conditional
# update, so that two clicks (or two organisers) retry a message once. Resending copies a sent message
# into a new one with its own Message-ID; the original stays as it was.


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
            headers=original.headers,
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
