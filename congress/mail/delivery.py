"""Delivery of the outbox over SMTP (re-exported by :mod:`congress.mail.services`).

Delivery is a small state machine, correct by construction:

``queued`` → ``sending`` (claimed by one worker, with ``claimed_at``) →
  ``sent`` (the server's answer stored in the same transaction), or
  ``queued`` again (a temporary refusal 4xx, no connection, a timeout: retried with exponential
  backoff up to ``MAIL_MAX_ATTEMPTS``; a transient database error: retried without using up an
  attempt), or
  ``failed`` (a permanent refusal 5xx with the server's code and reason, a broken template, an unknown
  kind, or what the mail is about is gone).

A message gets its ``Message-ID`` once, when it is queued, and every try sends that same ID. A claim
is given back to the queue only when the claim itself is older than ``MAIL_CLAIM_TIMEOUT_SECONDS``.
Every write goes through :func:`congress.database.write_transaction` as one conditional update of the
claimed row, so a worker that lost its claim changes nothing; no write transaction is open while
templates or attachments are rendered or the SMTP server is talked to.

Workers claim due messages in batches (``MAIL_BATCH_SIZE``; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL)
and send a batch over one SMTP connection, reconnecting after any error; each message of a batch goes
through the state machine on its own, and a batch renews its claims before they could go stale.
"""

from __future__ import annotations

import smtplib
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa
from flask import current_app
from jinja2 import TemplateError
from sqlalchemy import update
from sqlalchemy.orm import selectinload

from congress.database import end_transaction, utcnow, write_transaction
from congress.extensions import db
from congress.mail.composing import (
    MailSubjectGone,
    _render,
    build_context,
    check_kinds,
    new_message_id,
    render_attachment,
)
from congress.mail.envelope import build_email
from congress.mail.faults import _describe, classify_smtp_error, is_transient_database_error
from congress.mail.models import MailStatus, OutboxAttachment, OutboxMessage
from congress.mail.smtp import SMTPConnection
from congress.urls import public_base_url, public_domain

SENDING = MailStatus.SENDING.value


# -- the state machine ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Claim:
    message_id: int
    claimed_at: datetime


def _claimed(claim: _Claim) -> Any:
    """The claimed row, only while this claim holds (a claim given back as stale matches nothing)."""
    return update(OutboxMessage).where(OutboxMessage.id == claim.message_id, OutboxMessage.status == SENDING,
                                       OutboxMessage.claimed_at == claim.claimed_at)


def _write(statement: Any, *, tries: int = 1) -> int:
    """Run one update in its own write transaction; on a transient database error try again a few
    times (``tries``), then raise. Returns the number of rows changed."""
    delay = 0.05
    for attempt in range(1, tries + 1):
        try:
            with write_transaction():
                return db.session.execute(statement).rowcount
        except Exception as exc:
            if attempt == tries or not is_transient_database_error(exc):
                raise
            current_app.logger.warning("mail: %s, trying again in %.2f s", _describe(exc), delay)
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
    raise AssertionError("unreachable")


def _claim(message_id: int) -> _Claim | None:
    now = utcnow()
    claimed = _write(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == MailStatus.QUEUED.value,
               sa.or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
        .values(status=SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1,
                # Rows queued by an older version get their one Message-ID now.
                message_id_header=sa.func.coalesce(OutboxMessage.message_id_header, new_message_id()))
    )
    return _Claim(message_id, now) if claimed else None


def batch_size() -> int:
    """``MAIL_BATCH_SIZE``: how many due messages one worker claims at once and sends over one connection."""
    return max(1, int(current_app.config.get("MAIL_BATCH_SIZE", 25)))


def _due(now: datetime) -> Any:
    return sa.and_(OutboxMessage.status == MailStatus.QUEUED.value,
                   sa.or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))


def _claim_batch(limit: int, *, first: int | None = None, among: list[int] | None = None) -> list[_Claim]:
    """Claim up to ``limit`` due messages in one conditional update (``first`` first when it is due;
    only ids ``among`` when given). On PostgreSQL the rows are picked ``FOR UPDATE SKIP LOCKED``, so
    workers claiming together take different messages without waiting on each other; on SQLite the
    write transaction (``BEGIN IMMEDIATE``) makes the pick and the update one step. Each claimed row
    is ``sending`` with this ``claimed_at``: the same state machine as one message at a time."""
    now = utcnow()
    due = _due(now)
    pick = sa.select(OutboxMessage.id).where(due)
    if among is not None:
        pick = pick.where(OutboxMessage.id.in_(among))
    if first is not None:
        pick = pick.order_by(sa.case((OutboxMessage.id == first, 0), else_=1))
    pick = pick.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        # In a CTE, evaluated once: as an IN (subquery) PostgreSQL may run the pick again while
        # updating, and every run locks LIMIT further rows (a "batch" of hundreds).
        picked = pick.with_for_update(skip_locked=True).cte("picked")
        chosen = OutboxMessage.id == picked.c.id
    else:
        chosen = OutboxMessage.id.in_(pick.scalar_subquery())
    # Rows queued by an older version get their one Message-ID now, each its own.
    legacy_id = (sa.literal(f"<{uuid.uuid4().hex}.") + sa.cast(OutboxMessage.id, sa.String)
                 + sa.literal(f"@{public_domain()}>"))
    statement = (
        update(OutboxMessage)
        .where(chosen, due)
        .values(status=SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1,
                message_id_header=sa.func.coalesce(OutboxMessage.message_id_header, legacy_id))
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    with write_transaction():
        ids = list(db.session.scalars(statement))
    if first in ids:
        ids.remove(first)
        ids.insert(0, first)
    else:
        ids.sort()
    return [_Claim(message_id, now) for message_id in ids]


def _renew(claims: list[_Claim]) -> list[_Claim]:
    """Claims a batch still holds, with a fresh ``claimed_at`` (a long batch never goes stale while
    its worker is on it); a claim given back meanwhile is left out."""
    if not claims:
        return []
    old = claims[0].claimed_at
    now = utcnow()
    with write_transaction():
        held = set(db.session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([c.message_id for c in claims]), OutboxMessage.status == SENDING,
                   OutboxMessage.claimed_at == old)
            .values(claimed_at=now)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)))
    return [_Claim(c.message_id, now) for c in claims if c.message_id in held]


def _read_now(column: Any, message_id: int, unknown: Any) -> Any:
    """One column of the message, read and the read ended at once; ``unknown`` when the database
    cannot say just now (a transient error), for the caller to decide what that means."""
    try:
        value = db.session.scalar(sa.select(column).where(OutboxMessage.id == message_id))
        _end_read()
    except Exception as exc:
        if not is_transient_database_error(exc):
            raise
        end_transaction()
        return unknown
    return value


def _status(message_id: int, unknown: str = MailStatus.QUEUED.value) -> str:
    """The message's status now (``unknown`` when the database cannot say just now)."""
    return _read_now(OutboxMessage.status, message_id, unknown) or "missing"


def status_of(message_id: int) -> str:
    """The message's status now ("queued" when the database cannot say just now, "missing" when gone)."""
    return _status(message_id)


def _end_read() -> None:
    """End the read transaction (nothing is pending): no snapshot is held while we wait on others."""
    end_transaction()


def _release(claim: _Claim, exc: BaseException) -> str:
    """A transient database error before sending: back to the queue, the attempt not counted."""
    current_app.logger.warning("mail %s: %s; trying again later", claim.message_id, _describe(exc))
    retry_at = utcnow() + timedelta(seconds=float(current_app.config["MAIL_DB_RETRY_SECONDS"]))
    return _finish(claim, MailStatus.QUEUED.value, status=MailStatus.QUEUED.value, attempts=OutboxMessage.attempts - 1,
                   next_attempt_at=retry_at, last_error=_describe(exc))


def _fail(claim: _Claim, reason: str, *, code: int | None = None, reply: str | None = None) -> str:
    values: dict[str, Any] = {"status": MailStatus.FAILED.value, "next_attempt_at": None, "last_error": reason}
    if reply is not None:
        values.update(smtp_code=code, smtp_reply=reply)
    return _finish(claim, MailStatus.FAILED.value, **values)


def _retry_or_fail(claim: _Claim, attempts: int, reason: str, *, code: int | None = None,
                   reply: str | None = None) -> str:
    if attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        return _fail(claim, reason, code=code, reply=reply)
    values: dict[str, Any] = {"status": MailStatus.QUEUED.value, "last_error": reason,
                              "next_attempt_at": utcnow() + retry_delay(attempts)}
    if reply is not None:
        values.update(smtp_code=code, smtp_reply=reply)
    return _finish(claim, MailStatus.QUEUED.value, **values)


def _finish(claim: _Claim, outcome: str, **values: Any) -> str:
    """Leave the claim with ``values``; the outcome, or the row's status when the claim was lost."""
    try:
        changed = _write(_claimed(claim).values(**values), tries=6)
    except Exception as exc:
        if not is_transient_database_error(exc):
            raise
        # The claim stays; it is given back once it is stale (MAIL_CLAIM_TIMEOUT_SECONDS).
        current_app.logger.error("mail %s: could not record %r: %s", claim.message_id, outcome, _describe(exc))
        return SENDING
    return outcome if changed else _status(claim.message_id, SENDING)


def _compose(message: OutboxMessage) -> tuple[str, str, str]:
    """Render a message left to the worker, with links on ``PUBLIC_BASE_URL`` (never on the address
    of the request that queued it). Reads only; raises when it cannot be composed."""
    later = message.compose_later or {}
    kind = later.get("kind", "")
    check_kinds(context=kind)
    with current_app.test_request_context("/", base_url=public_base_url() + "/"):
        context = build_context(kind, later.get("argument", ""))
        if context is None:
            raise MailSubjectGone("nothing to compose: what the message was about is gone")
        return _render(message.template, message.locale, context, message.congress_id)


def _prepare(claim: _Claim) -> EmailMessage:
    """Compose the message and render its attachments when that was left to the worker (stored,
    so that a retry sends the same), and build the e-mail. No write lock while rendering."""
    message = db.session.get(OutboxMessage, claim.message_id, populate_existing=True)
    if message is None:
        raise MailSubjectGone("the message was deleted")
    if message.compose_later and not message.subject:
        subject, body_text, body_html = _compose(message)
        if not _write(_claimed(claim).values(subject=subject, body_text=body_text, body_html=body_html)):
            raise _ClaimLost
    pending = [(a.id, *a.source.partition(":")[::2]) for a in message.attachments if a.data is None and a.source]
    check_kinds(attachments={kind for _, kind, _ in pending})  # an unknown kind fails now
    locale = message.locale
    _end_read()  # a renderer that writes (a badge code) starts its own transaction
    rendered = [(attachment_id, render_attachment(kind, argument, locale)) for attachment_id, kind, argument in pending]
    for attachment_id, (filename, content_type, data) in rendered:
        _write(update(OutboxAttachment).where(OutboxAttachment.id == attachment_id, OutboxAttachment.data.is_(None))
               .values(filename=filename, content_type=content_type, data=data))
    message = db.session.get(OutboxMessage, claim.message_id, populate_existing=True)
    if message is None or message.status != SENDING or message.claimed_at != claim.claimed_at:
        raise _ClaimLost
    db.session.refresh(message, ["attachments"])
    email = build_email(message)
    _end_read()
    return email


class _ClaimLost(Exception):
    pass


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: base, 2×base, 4×base … capped at six hours."""
    base = float(current_app.config["MAIL_RETRY_BASE_SECONDS"])
    return timedelta(seconds=min(base * (2 ** max(attempts - 1, 0)), 6 * 3600))


def deliver(message_id: int) -> str:
    """Take one message through the state machine. Returns its status afterwards ("queued",
    "sending", "sent", "failed" or "missing"); never raises for SMTP or transient database errors.
    """
    try:
        claim = _claim(message_id)
        if claim is None:
            return _status(message_id)
    except Exception as exc:
        if not is_transient_database_error(exc):
            raise
        current_app.logger.warning("mail %s: could not claim it (%s); trying again later", message_id, _describe(exc))
        return MailStatus.QUEUED.value
    connection = SMTPConnection()
    try:
        return _deliver_claimed(claim, connection)
    finally:
        connection.close()


def deliver_batch(message_id: int | None = None, *, among: list[int] | None = None,
                  limit: int | None = None) -> dict[int, str]:
    """Claim up to ``MAIL_BATCH_SIZE`` due messages (``message_id`` first when it is due; only those
    ``among`` when given) and send them over one SMTP connection. Returns the status of each
    message claimed; every message goes through the state machine on its own, exactly as
    :func:`deliver` takes it. Never raises for SMTP or transient database errors."""
    try:
        claims = _claim_batch(limit or batch_size(), first=message_id, among=among)
    except Exception as exc:
        if not is_transient_database_error(exc):
            raise
        end_transaction()
        current_app.logger.warning("mail: could not claim a batch (%s); trying again later", _describe(exc))
        return {}
    results: dict[int, str] = {}
    renew_after = claim_timeout() / 3
    try:
        ready = _build_ready(claims)
    except Exception as exc:
        if not is_transient_database_error(exc):
            raise
        end_transaction()
        ready = {}  # each message is read on its own then
    connection = SMTPConnection()
    try:
        while claims:
            if (utcnow() - claims[0].claimed_at).total_seconds() > renew_after:
                try:
                    kept = _renew(claims)
                except Exception as exc:
                    if not is_transient_database_error(exc):
                        raise
                    end_transaction()
                    kept = claims  # not renewed now: still held until they are stale
                for lost in {c.message_id for c in claims} - {c.message_id for c in kept}:
                    results[lost] = _status(lost, SENDING)
                claims = kept
                if not claims:
                    break
            claim = claims.pop(0)
            results[claim.message_id] = _deliver_claimed(claim, connection, ready.pop(claim.message_id, None))
    finally:
        connection.close()
    return results


def _build_ready(claims: list[_Claim]) -> dict[int, EmailMessage]:
    """The e-mails of a batch's messages that need nothing rendered (composed when queued, every
    attachment stored), built from one read of the batch; the others are prepared one by one
    (:func:`_prepare`). The batch's claims are renewed before they could go stale, so a message
    read here is still this worker's when it is sent."""
    by_id = {c.message_id: c for c in claims}
    messages = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.id.in_(by_id)).options(selectinload(OutboxMessage.attachments)))
    ready = {}
    for message in messages:
        claim = by_id[message.id]
        composed = not (message.compose_later and not message.subject)
        stored = all(a.data is not None for a in message.attachments)
        if composed and stored and message.status == SENDING and message.claimed_at == claim.claimed_at:
            ready[message.id] = build_email(message)
    _end_read()
    return ready


def _deliver_claimed(claim: _Claim, connection: SMTPConnection, ready: EmailMessage | None = None) -> str:
    """From ``sending`` to where the message goes next (see the module's state machine); ``ready``
    is its e-mail when it was built already."""
    message_id = claim.message_id
    try:
        email = ready if ready is not None else _prepare(claim)
    except _ClaimLost:
        return _status(message_id, SENDING)
    except Exception as exc:
        end_transaction()
        if is_transient_database_error(exc):
            return _release(claim, exc)
        if isinstance(exc, TemplateError | LookupError):
            current_app.logger.error("mail %s cannot be composed: %s", message_id, _describe(exc))
            return _fail(claim, _describe(exc))
        # Anything else is unexpected: tried again like a temporary refusal, until the last attempt.
        current_app.logger.exception("composing mail %s failed", message_id)
        return _retry_or_fail(claim, _attempts(message_id), _describe(exc))
    try:
        code, reply = connection.send(email)
    except (OSError, smtplib.SMTPException) as exc:
        refusal = classify_smtp_error(exc)
        reason = f"{type(exc).__name__}: {refusal.reply}"[:2000] if refusal.code else _describe(exc)
        if refusal.permanent:
            return _fail(claim, reason, code=refusal.code, reply=refusal.reply)
        return _retry_or_fail(claim, _attempts(message_id), reason, code=refusal.code,
                              reply=refusal.reply if refusal.code else None)
    # Sent: the status and the server's answer in one transaction.
    return _finish(claim, MailStatus.SENT.value, status=MailStatus.SENT.value, sent_at=utcnow(), next_attempt_at=None,
                   last_error="", smtp_code=code, smtp_reply=reply[:2000])


def is_due(message_id: int) -> bool:
    """Whether the message waits in the queue and its time has come (a read, no lock)."""
    due = db.session.scalar(sa.select(sa.exists().where(OutboxMessage.id == message_id, _due(utcnow()))))
    _end_read()
    return bool(due)


def any_due() -> bool:
    """Whether any message waits in the queue and its time has come (a read, no lock)."""
    due = db.session.scalar(sa.select(sa.exists().where(_due(utcnow()))))
    _end_read()
    return bool(due)


def _attempts(message_id: int) -> int:
    # Not known now: counted as the first, so never taken for the last attempt.
    return _read_now(OutboxMessage.attempts, message_id, 1) or 1


def claim_timeout() -> float:
    """``MAIL_CLAIM_TIMEOUT_SECONDS``, never less than three SMTP timeouts (connecting, sending the
    data, waiting for the answer): a claim whose worker may still be talking to the server is never
    given back."""
    config = current_app.config
    return max(float(config["MAIL_CLAIM_TIMEOUT_SECONDS"]), 3 * float(config["MAIL_TIMEOUT"]))


def reset_stale_claims() -> int:
    """Give back claims older than ``MAIL_CLAIM_TIMEOUT_SECONDS`` (their worker died): counted as
    an attempt each, so a message that kills its worker every time fails after the last one. The
    next try sends the same Message-ID."""
    now = utcnow()
    timeout = claim_timeout()
    stale = now - timedelta(seconds=timeout)
    is_stale = sa.and_(OutboxMessage.status == SENDING,
                       sa.or_(OutboxMessage.claimed_at < stale,
                              # claimed by an older version, which did not note the claim time
                              sa.and_(OutboxMessage.claimed_at.is_(None), OutboxMessage.next_attempt_at < stale)))
    # Read first: the write lock is taken only when there is something to give back.
    found = db.session.scalar(sa.select(sa.exists().where(is_stale)))
    _end_read()
    if not found:
        return 0
    last = OutboxMessage.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]
    return _write(
        update(OutboxMessage)
        .where(is_stale)
        .values(status=sa.case((last, MailStatus.FAILED.value), else_=MailStatus.QUEUED.value),
                next_attempt_at=sa.case((last, None), else_=now),
                last_error=f"the worker that claimed it did not finish within {timeout:g} s"),
        tries=3,
    )


def due_message_ids(limit: int = 200) -> list[int]:
    """Queued messages whose (re)try time has come, after giving back stale claims."""
    try:
        reset_stale_claims()
    except Exception as exc:
        if not is_transient_database_error(exc):
            raise
        end_transaction()
        current_app.logger.warning("mail: stale claims not reset now: %s", _describe(exc))
    ids = list(
        db.session.scalars(
            sa.select(OutboxMessage.id)
            .where(OutboxMessage.status == MailStatus.QUEUED.value, OutboxMessage.next_attempt_at <= utcnow())
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
    )
    _end_read()
    return ids


def next_attempt_at(message_id: int) -> datetime | None:
    """When a queued message is due again (for the task that schedules its retry)."""
    when = db.session.scalar(sa.select(OutboxMessage.next_attempt_at).where(
        OutboxMessage.id == message_id, OutboxMessage.status == MailStatus.QUEUED.value))
    _end_read()
    return when


def send_due_mail() -> dict[str, int]:
    """Deliver every message that is due now; used by the periodic job and the CLI."""
    counts: dict[str, int] = {}
    try:
        due = due_message_ids()
    except Exception as exc:
        if not is_transient_database_error(exc):
            raise
        end_transaction()
        current_app.logger.warning("mail: the outbox cannot be read now: %s", _describe(exc))
        return counts
    size = batch_size()
    for start in range(0, len(due), size):
        chunk = due[start:start + size]
        results = deliver_batch(among=chunk, limit=len(chunk))
        for message_id in chunk:
            # A message claimed meanwhile by another worker (or not claimable now) says where it is.
            status = results[message_id] if message_id in results else _status(message_id)
            counts[status] = counts.get(status, 0) + 1
    return counts
