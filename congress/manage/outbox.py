"""The outbox actions an organiser takes, each with its audit event in the same transaction
(mail and audit are siblings that do not know each other; this back office combines them)."""

from __future__ import annotations

from congress.audit.services import record, record_export
from congress.database import transactional
from congress.mail import services as mail
from congress.mail.models import OutboxAttachment, OutboxMessage


@transactional
def retry(message_id: int) -> OutboxMessage:
    """Try a failed message again, once (``mail.OutboxRefused`` for a second click)."""
    message = mail.retry_failed(message_id)
    record("mail.retry", message, congress_id=message.congress_id)
    return message


@transactional
def resend(message_id: int) -> OutboxMessage:
    """Send a sent message again, as a new message."""
    copy = mail.resend(message_id)
    record("mail.resend", copy, congress_id=copy.congress_id, message_id=message_id)
    return copy


def attachment(attachment: OutboxAttachment) -> tuple[str, str, bytes]:
    """The attachment's file (rendered now when the worker has not yet), its download audited."""
    name, content_type, data = mail.attachment_file(attachment)
    record_export("attachment", congress_id=attachment.message.congress_id, count=1, format=content_type,
                  message_id=attachment.message_id, file=name)
    return name, content_type, data
