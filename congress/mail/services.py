"""The one mail service: render a Jinja template in the recipient's language, store it in the
outbox, and let a background job deliver it over SMTP, retrying with exponential backoff."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context, render_template, request
from flask_babel import force_locale
from sqlalchemy import event, update
from sqlalchemy.orm import Session as OrmSession

from congress.database import utcnow
from congress.extensions import db
from congress.mail.models import MailStatus, OutboxAttachment, OutboxMessage

_PENDING_KEY = "congress_outbox_pending"
SENDING = "sending"

# Renderers of attachments that are made at delivery time: kind -> fn(argument, locale) -> (name, type, bytes).
AttachmentRenderer = Callable[[str, str], tuple[str, str, bytes]]
ATTACHMENT_RENDERERS: dict[str, AttachmentRenderer] = {}


def register_attachment_renderer(kind: str, renderer: AttachmentRenderer) -> None:
    """Capabilities register what they can attach (badges: ``ticket``); unknown kinds are skipped."""
    ATTACHMENT_RENDERERS[kind] = renderer


# Builders of a template's context for mail composed by the worker: kind -> fn(argument) -> context,
# or None when what the mail is about is gone.
ContextBuilder = Callable[[str], dict[str, Any] | None]
CONTEXT_BUILDERS: dict[str, ContextBuilder] = {}


def register_context_builder(kind: str, builder: ContextBuilder) -> None:
    """Capabilities register how the worker rebuilds a mail's context (registration: ``registration``)."""
    CONTEXT_BUILDERS[kind] = builder


@dataclass(frozen=True)
class RenderedLater:
    """An attachment rendered by the worker just before sending, e.g. ``RenderedLater("ticket", "42")``."""

    kind: str
    argument: str


def queue_mail(
    to: str,
    template: str,
    *,
    locale: str = "nl",
    congress_id: int | None = None,
    attachments: list[tuple[str, str, bytes] | RenderedLater] | None = None,
    **context: Any,
) -> OutboxMessage:
    """Render ``templates/email/<template>.{subject.txt,txt,html}`` and add it to the outbox.

    ``attachments`` are ``(filename, content type, bytes)``, e.g. an e-ticket PDF.

    The message joins the caller's transaction; it is handed to the worker only after that
    transaction commits, so a rolled-back change never sends mail.
    """
    subject, body_text, body_html = _render(template, locale, context)
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
        attachments=[_attachment(a) for a in attachments or ()],
    )
    db.session.add(message)
    db.session.info.setdefault(_PENDING_KEY, []).append(message)
    return message


_INSERT_MESSAGE = sa.insert(OutboxMessage.__table__).returning(OutboxMessage.__table__.c.id)
_INSERT_ATTACHMENT = sa.insert(OutboxAttachment.__table__)


def queue_mail_later(to: str, template: str, compose: RenderedLater, *, locale: str = "nl",
                     congress_id: int | None = None, attachments: list[RenderedLater] | None = None) -> int:
    """Like :func:`queue_mail`, but the worker composes the message: it asks the context builder
    registered for ``compose.kind`` (see :func:`register_context_builder`) and renders the
    templates with links on the base URL of this request. For busy paths such as registering,
    where rendering would hold the write lock longer; plain inserts, returns the message's id."""
    now = utcnow()
    message_id = db.session.execute(_INSERT_MESSAGE, {
        "to_address": to, "template": template, "locale": locale, "subject": "", "body_text": "",
        "body_html": "", "congress_id": congress_id, "status": MailStatus.QUEUED.value, "attempts": 0,
        "last_error": "", "created_at": now, "next_attempt_at": now,
        "compose_later": {"kind": compose.kind, "argument": compose.argument,
                          "base_url": request.host_url if has_request_context() else None},
    }).scalar_one()
    for item in attachments or ():
        db.session.execute(_INSERT_ATTACHMENT, {"message_id": message_id, "filename": "", "content_type": "",
                                                "data": None, "source": f"{item.kind}:{item.argument}"})
    db.session.info.setdefault(_PENDING_KEY, []).append(message_id)
    return message_id


def _render(template: str, locale: str, context: dict[str, Any]) -> tuple[str, str, str]:
    with force_locale(locale):
        subject = " ".join(render_template(f"email/{template}.subject.txt", **context).split())
        body_text = render_template(f"email/{template}.txt", **context)
        body_html = render_template(f"email/{template}.html", **context)
    return subject, body_text, body_html


def _compose(message: OutboxMessage) -> bool:
    """Render a message left to the worker, with links on the base URL of the request that queued
    it. False when it cannot be composed (its kind is not installed, or its subject is gone)."""
    later = message.compose_later
    if not later or message.subject:
        return True
    builder = CONTEXT_BUILDERS.get(later.get("kind", ""))
    base_url = later.get("base_url") or current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000"
    with current_app.test_request_context("/", base_url=base_url):
        context = builder(later.get("argument", "")) if builder is not None else None
        if context is None:
            return False
        message.subject, message.body_text, message.body_html = _render(message.template, message.locale, context)
    db.session.commit()
    return True


def _attachment(item: tuple[str, str, bytes] | RenderedLater) -> OutboxAttachment:
    if isinstance(item, RenderedLater):
        return OutboxAttachment(filename="", content_type="", source=f"{item.kind}:{item.argument}")
    name, content_type, data = item
    return OutboxAttachment(filename=name, content_type=content_type, data=data)


def _render_pending_attachments(message: OutboxMessage) -> None:
    """Make the attachments that were left to the worker; keep them, so a retry sends the same."""
    for attachment in list(message.attachments):
        if attachment.data is not None or not attachment.source:
            continue
        kind, _, argument = attachment.source.partition(":")
        renderer = ATTACHMENT_RENDERERS.get(kind)
        if renderer is None:
            message.attachments.remove(attachment)  # that capability is not installed
            continue
        attachment.filename, attachment.content_type, attachment.data = renderer(argument, message.locale)
    db.session.commit()


@event.listens_for(OrmSession, "after_commit")
def _enqueue_committed_mail(session: OrmSession) -> None:
    pending = session.info.pop(_PENDING_KEY, None)
    if not pending:
        return
    from congress.mail.tasks import deliver_mail

    for message in pending:
        identity = (message,) if isinstance(message, int) else sa.inspect(message).identity
        if identity:
            try:
                deliver_mail(identity[0])
            except Exception:  # noqa: BLE001 - the message is stored: send_due_mail picks it up
                # After the commit: what was stored stays acknowledged (a full queue disk must not
                # turn a stored registration into an error); the worker's sweep sends it later.
                current_app.logger.warning("could not hand message %s to the worker", identity[0], exc_info=True)


@event.listens_for(OrmSession, "after_rollback")
def _forget_rolled_back_mail(session: OrmSession) -> None:
    session.info.pop(_PENDING_KEY, None)


def build_email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_address
    email["Message-ID"] = make_msgid(domain="congres.local")
    email["Content-Language"] = message.locale
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(attachment.data, maintype=maintype, subtype=subtype or "octet-stream",
                             filename=attachment.filename)
    return email


def _smtp_send(email: EmailMessage) -> None:
    config = current_app.config
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: base, 2×base, 4×base … capped at six hours."""
    base = float(current_app.config["MAIL_RETRY_BASE_SECONDS"])
    return timedelta(seconds=min(base * (2 ** max(attempts - 1, 0)), 6 * 3600))


def deliver(message_id: int) -> str:
    """Send one queued message. Returns its status afterwards; never raises for SMTP errors.

    The message is claimed with a conditional update, so two workers never send it twice.
    """
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == MailStatus.QUEUED.value)
        .values(status=SENDING, attempts=OutboxMessage.attempts + 1)
    ).rowcount
    db.session.commit()
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        return "missing"
    if not claimed:
        return message.status
    try:
        composed, problem = _compose(message), "nothing to compose: what the message was about is gone"
    except Exception as exc:  # a broken template must not leave the message claimed for ever
        current_app.logger.exception("composing mail %s failed", message_id)
        db.session.rollback()
        message = db.session.get(OutboxMessage, message_id)
        composed, problem = False, f"{type(exc).__name__}: {exc}"[:2000]
    if not composed:
        message.status = MailStatus.FAILED.value
        message.next_attempt_at = None
        message.last_error = problem
        db.session.commit()
        return message.status
    try:
        _render_pending_attachments(message)
        _smtp_send(build_email(message))
    except (OSError, smtplib.SMTPException) as exc:
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
            message.status = MailStatus.FAILED.value
            message.next_attempt_at = None
        else:
            message.status = MailStatus.QUEUED.value
            message.next_attempt_at = utcnow() + retry_delay(message.attempts)
        db.session.commit()
        return message.status
    message.status = MailStatus.SENT.value
    message.sent_at = utcnow()
    message.next_attempt_at = None
    message.last_error = ""
    db.session.commit()
    return message.status


def due_message_ids(limit: int = 200) -> list[int]:
    """Queued messages whose (re)try time has come, and claims older than ten minutes."""
    now = utcnow()
    stale = now - timedelta(minutes=10)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == SENDING, OutboxMessage.next_attempt_at < stale)
        .values(status=MailStatus.QUEUED.value)
    )
    db.session.commit()
    return list(
        db.session.scalars(
            sa.select(OutboxMessage.id)
            .where(OutboxMessage.status == MailStatus.QUEUED.value, OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at)
            .limit(limit)
        )
    )


def send_due_mail() -> dict[str, int]:
    """Deliver every message that is due now; used by the periodic job and the CLI."""
    counts: dict[str, int] = {}
    for message_id in due_message_ids():
        status = deliver(message_id)
        counts[status] = counts.get(status, 0) + 1
    return counts
