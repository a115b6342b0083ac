"""Mailings: an organiser writes to a group of the edition (the registrations list's filters, or the
speakers), sees who that is, previews the message for one of them, and sends it through the outbox.

Exactly once per recipient, whoever clicks twice and whatever worker dies:

* ``draft`` → ``sending`` is one conditional change under the mailing's row lock: a second click finds
  the mailing sending and changes nothing (:class:`MailingConflict`).
* A job (:func:`send_pending`, run by ``tasks.send_mailing``) works through the audience in bounded
  batches. Each batch is one transaction that inserts the recipients' rows and their outbox messages
  together; the row's ``UNIQUE(mailing_id, email)`` is the idempotency key, so a job that runs again
  (after a crash, a restart, or beside another copy of itself) skips whoever has a row already, and a
  batch that fails leaves neither a row nor a message behind.
* A mailing left ``sending`` by a worker that died is taken up again by the worker that starts next
  and by a periodic job (``tasks``), which both just run the job again.

Texts are Markdown with placeholders (``{{ name }}``, ``{{ manage_url }}``, ``{{ edition }}``) rendered
in a sandboxed Jinja environment that allows placeholders, a few filters and ``{% if %}`` only; a text
that does not parse is refused with its line and the reason. No tracking pixels, no rewritten links:
every message carries the List-Unsubscribe headers and an unsubscribe link, and addresses that opted
out are skipped and counted.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from congress.audit.services import record
from congress.communications.audience import (
    KIND_INVITEES,
    KIND_LABELS,
    KIND_REGISTRATIONS,
    KIND_SPEAKERS,
    Audience,
    Recipient,
    audience_recipients,
)
from congress.communications.sandbox import (
    LINKS,
    PLACEHOLDERS,
    Checked,
    MailingError,
    check_text,
    check_texts,
    fill,
    markdown_literal,
)
from congress.communications.signals import recipient_values_wanted
from congress.communications.unsubscribe import headers_for, opted_out, url_for_address
from congress.core.models import Congress
from congress.database import UTCDateTime, end_transaction, lock_for_update, utcnow, write_transaction
from congress.errors import Conflict
from congress.extensions import db
from congress.mail.models import MailStatus, OutboxMessage
from congress.mail.queries import bouncing, explain_error
from congress.mail.services import queue_mail
from congress.sanitize import render_markdown
from congress.urls import public_base_url

__all__ = [  # the parts' names that pages, commands and tests use through this module
    "KIND_INVITEES", "KIND_LABELS", "KIND_REGISTRATIONS", "KIND_SPEAKERS", "PLACEHOLDERS", "Audience", "Checked",
    "Draft", "Mailing", "MailingConflict", "MailingError", "MailingRecipient", "MailingStatus", "Recipient",
    "audience_recipients", "check_text", "check_texts", "counts", "counts_from", "counts_of", "create_mailing",
    "delete_draft", "failures", "mailings_of", "preview", "recipient_values", "render_message", "send_pending",
    "stalled_mailings", "start_sending", "update_mailing",
]

# The outbox template that takes a prepared subject, text and HTML (templates/email/communications/).
TEMPLATE = "communications/mailing"
PENDING_KEY = "congress_mailings_to_send"  # session.info: mailings to hand to the worker after the commit
SUBJECT_MAX = 300
TEXT_MAX = 50_000
LIST_SHOWN = 50


class MailingStatus(enum.StrEnum):
    DRAFT = "draft"
    SENDING = "sending"
    SENT = "sent"


STATUS_LABELS = {
    MailingStatus.DRAFT.value: _l("Draft"),
    MailingStatus.SENDING.value: _l("Being sent"),
    MailingStatus.SENT.value: _l("Sent"),
}
_STATUSES = ", ".join(f"'{s.value}'" for s in MailingStatus)


class Mailing(db.Model):
    """A message an organiser writes to a group of one edition; sent once, then kept as history."""

    __tablename__ = "communication_mailings"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=MailingStatus.DRAFT.value, index=True)
    # Who receives it: :class:`Audience` as a dict (the registrations list's filters, or the speakers).
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    subject_nl: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    text_nl: Mapped[str] = mapped_column(Text)
    # The English version is optional: recipients whose registration is in English get it when it is there.
    subject_en: Mapped[str] = mapped_column(String(SUBJECT_MAX), default="")
    text_en: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sending_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # "send" was clicked
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # every recipient has a row
    # The last batch written: a mailing sending whose progress stopped long ago is taken up again.
    progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The audience's size when "send" was clicked (the progress bar's 100 %).
    expected_count: Mapped[int] = mapped_column(Integer, default=0)

    congress: Mapped[Congress] = relationship()

    __table_args__ = (CheckConstraint(f"status IN ({_STATUSES})", name="status_known"),)

    def subject(self, locale: str) -> str:
        return self.subject_en if locale == "en" and self.has_english else self.subject_nl

    @property
    def has_english(self) -> bool:
        return bool(self.subject_en.strip() and self.text_en.strip())

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))


class MailingRecipient(db.Model):
    """One address a mailing went to (or skipped): the idempotency key of the mailing's sending."""

    __tablename__ = "communication_mailing_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    mailing_id: Mapped[int] = mapped_column(ForeignKey("communication_mailings.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))  # lower case
    name: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str] = mapped_column(String(8), default="nl")
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"))
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("mail_outbox.id", ondelete="SET NULL"),
                                                          index=True)
    # The address had opted out, or its mail bounced for good, when its turn came: no message, counted
    # as skipped with the reason ("unsubscribed" or "bouncing").
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    skip_reason: Mapped[str] = mapped_column(String(16), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    outbox_message: Mapped[OutboxMessage | None] = relationship()

    __table_args__ = (UniqueConstraint("mailing_id", "email"),)


class MailingConflict(Conflict):
    """The mailing is no longer a draft (409): it is being sent or has been sent."""


@dataclass(frozen=True)
class Rendered:
    """A mailing's message for one recipient, exactly as the outbox stores and sends it."""

    subject: str
    text: str
    html: str
    locale: str


def recipient_values(congress: Congress, people: Iterable[Recipient]) -> dict[int, dict[str, str]]:
    """The placeholders the capabilities above fill per registration (``signals.recipient_values_wanted``:
    the evaluations' and the certificate's links), for a batch of recipients in one question each."""
    ids = sorted({p.registration_id for p in people if p.registration_id is not None})
    found: dict[int, dict[str, str]] = {}
    if not ids:
        return found
    for _receiver, answer in recipient_values_wanted.send(congress, registration_ids=ids):
        for registration_id, values in (answer or {}).items():
            found.setdefault(registration_id, {}).update(
                {k: str(v or "") for k, v in values.items() if k in PLACEHOLDERS})
    return found


def render_message(mailing: Mailing, congress: Congress, recipient: Recipient,
                   values: dict[str, str] | None = None) -> Rendered:
    """Subject, text and HTML for ``recipient``: their language when the mailing has it (else Dutch),
    the placeholders filled in, the Markdown turned into HTML, and the unsubscribe link added.
    ``values``: the recipient's values from :func:`recipient_values` (asked here when not given)."""
    if has_request_context():
        return _render_message(mailing, congress, recipient, values)
    # A job or a command: templates and links as in a request on the configured base.
    with current_app.test_request_context("/", base_url=public_base_url() + "/"):
        return _render_message(mailing, congress, recipient, values)


def _render_message(mailing: Mailing, congress: Congress, recipient: Recipient,
                    values: dict[str, str] | None) -> Rendered:
    locale = "en" if recipient.locale == "en" and mailing.has_english else "nl"
    subject_source = mailing.subject_en if locale == "en" else mailing.subject_nl
    text_source = mailing.text_en if locale == "en" else mailing.text_nl
    edition = congress.title(locale)
    if values is None:
        values = recipient_values(congress, [recipient]).get(recipient.registration_id or 0, {})
    plain = {name: "" for name in PLACEHOLDERS} | dict(values)
    plain |= {"name": recipient.name, "manage_url": recipient.link, "edition": edition}
    # Links as autolinks, so that the HTML part links them ("[text]({{ manage_url }})" works too); the
    # rest as literal text.
    markdown = {name: (f"<{value}>" if value else "") if name in LINKS else markdown_literal(value)
                for name, value in plain.items()}
    subject = " ".join(fill(subject_source, plain).split())
    body_text = fill(text_source, plain).strip("\n")
    content = render_markdown(fill(text_source, markdown))
    unsubscribe = url_for_address(recipient.email)
    with force_locale(locale):
        text = render_template("email/communications/mailing_message.txt", lang=locale, body=body_text,
                               unsubscribe_url=unsubscribe, edition=edition)
        html = render_template("email/communications/mailing_message.html", lang=locale, content=content,
                               email_subject=subject, unsubscribe_url=unsubscribe, edition=edition)
    return Rendered(subject=subject, text=text, html=html, locale=locale)


# --- drafts ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """What the compose form holds."""

    audience: Audience
    subject_nl: str
    text_nl: str
    subject_en: str = ""
    text_en: str = ""


def check_draft(draft: Draft) -> Checked:
    """A draft's texts as every mailing needs them (lengths, a Dutch subject and text, templates that parse)."""
    for name, value, limit in (("subject_nl", draft.subject_nl, SUBJECT_MAX), ("subject_en", draft.subject_en,
                                                                                SUBJECT_MAX),
                               ("text_nl", draft.text_nl, TEXT_MAX), ("text_en", draft.text_en, TEXT_MAX)):
        if len(value or "") > limit:
            raise MailingError(_("At most %(n)d characters.", n=limit), field=name)
    if not draft.subject_nl.strip():
        raise MailingError(_("A mailing needs a Dutch subject."), field="subject_nl")
    if not draft.text_nl.strip():
        raise MailingError(_("A mailing needs a Dutch text."), field="text_nl")
    return check_texts(draft.subject_nl, draft.text_nl, draft.subject_en, draft.text_en)


def _apply(mailing: Mailing, draft: Draft) -> None:
    mailing.audience = draft.audience.as_dict()
    mailing.subject_nl = draft.subject_nl.strip()
    mailing.text_nl = draft.text_nl
    mailing.subject_en = draft.subject_en.strip()
    mailing.text_en = draft.text_en


def create_mailing(congress: Congress, draft: Draft, *, by: Any = None) -> Mailing:
    """A new draft; :class:`MailingError` (nothing saved) when a text does not parse."""
    check_draft(draft)
    with write_transaction():
        mailing = Mailing(congress_id=congress.id, status=MailingStatus.DRAFT.value,
                          created_by_id=getattr(by, "id", None))
        _apply(mailing, draft)
        db.session.add(mailing)
        db.session.flush()
        record("mailing.created", mailing, subject=mailing.subject_nl)
    return mailing


def update_mailing(mailing_id: int, draft: Draft) -> Mailing:
    """Change a draft; :class:`MailingConflict` once it is being sent."""
    check_draft(draft)
    with write_transaction():
        mailing = _locked(mailing_id)
        if mailing.status != MailingStatus.DRAFT.value:
            raise MailingConflict(_("This mailing is being sent or has been sent; it can no longer be changed."))
        _apply(mailing, draft)
        record("mailing.changed", mailing, subject=mailing.subject_nl)
    return mailing


def delete_draft(mailing_id: int) -> None:
    with write_transaction():
        mailing = _locked(mailing_id)
        if mailing.status != MailingStatus.DRAFT.value:
            raise MailingConflict(_("Only a draft can be deleted; this mailing has been sent."))
        record("mailing.deleted", mailing, subject=mailing.subject_nl)
        db.session.delete(mailing)


def _locked(mailing_id: int) -> Mailing:
    mailing = db.session.scalar(lock_for_update(sa.select(Mailing).where(Mailing.id == mailing_id))
                                .execution_options(populate_existing=True))
    if mailing is None:
        raise MailingConflict(_("This mailing no longer exists."))
    return mailing


@dataclass(frozen=True)
class Preview:
    """The audience's size and first members, and the message for the first of them."""

    count: int
    shown: list[Recipient]
    opted_out: int
    sample: Recipient | None
    message: Rendered | None
    unknown: frozenset[str]
    problem: str | None = None


def preview(mailing: Mailing) -> Preview:
    congress = mailing.congress
    people = audience_recipients(congress, Audience.from_mapping(mailing.audience or {}))
    unknown: frozenset[str] = frozenset()
    problem = None
    message = None
    try:
        unknown = check_texts(mailing.subject_nl, mailing.text_nl, mailing.subject_en, mailing.text_en).unknown
        if people:
            message = render_message(mailing, congress, people[0])
    except MailingError as exc:
        problem = exc.message
    skipped = skipped_addresses(p.email for p in people)
    return Preview(count=len(people), shown=people[:LIST_SHOWN], opted_out=len(skipped),
                   sample=people[0] if people else None, message=message, unknown=unknown, problem=problem)


# --- sending ------------------------------------------------------------------------------------------


def skipped_addresses(emails: Iterable[str]) -> set[str]:
    """Of these addresses, those a mailing skips: unsubscribed, or their mail bounced for good (until a
    later message to them is delivered; mail.queries.bouncing)."""
    wanted = list(emails)
    bounced = bouncing(wanted)
    return set(opted_out(wanted)) | {email for email in wanted if email.lower() in bounced}


def start_sending(mailing_id: int, *, by: Any = None, hand_over: bool = True) -> int:
    """Click "send": ``draft`` → ``sending`` once, audited; the job that queues the messages is handed
    to the worker when this commits (``hand_over``; the command line runs it itself). Returns the
    audience's size. :class:`MailingConflict` when it is not a draft any more (a second click)."""
    with write_transaction():
        mailing = _locked(mailing_id)
        if mailing.status != MailingStatus.DRAFT.value:
            raise MailingConflict(_("This mailing is already being sent or has been sent; it is sent only once."))
        checked = check_draft(Draft(Audience.from_mapping(mailing.audience or {}), mailing.subject_nl,
                                       mailing.text_nl, mailing.subject_en, mailing.text_en))
        if checked.unknown:
            raise MailingError(_("Unknown placeholders: %(names)s. Correct them before sending.",
                                 names=", ".join(sorted(checked.unknown))), field="text_nl")
        people = audience_recipients(mailing.congress, Audience.from_mapping(mailing.audience or {}))
        if not people:
            raise MailingError(_("Nobody is in this audience; choose other filters."), field="kind")
        skipped = len(skipped_addresses(p.email for p in people))
        now = utcnow()
        mailing.status = MailingStatus.SENDING.value
        mailing.sending_at = now
        mailing.progress_at = now
        mailing.sent_by_id = getattr(by, "id", None)
        mailing.expected_count = len(people)
        record("mailing.sent", mailing, actor=by, subject=mailing.subject_nl, recipients=len(people) - skipped,
               skipped_unsubscribed=skipped, audience=mailing.audience)
        if hand_over:
            db.session.info.setdefault(PENDING_KEY, []).append(mailing.id)
    return len(people)


def _batches(items: list[Recipient], size: int) -> Iterator[list[Recipient]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _done_emails(mailing_id: int, emails: Iterable[str] | None = None) -> set[str]:
    query = sa.select(MailingRecipient.email).where(MailingRecipient.mailing_id == mailing_id)
    if emails is not None:
        query = query.where(MailingRecipient.email.in_(list(emails)))
    return set(db.session.scalars(query))


@dataclass
class SendReport:
    queued: int = 0
    skipped: int = 0
    finished: bool = False


def send_pending(mailing_id: int, *, batch_size: int | None = None) -> SendReport:
    """The job: queue the mailing's messages for everyone in its audience who has no row yet, in
    batches of ``MAILING_BATCH_SIZE``, each batch one transaction (rows and outbox messages together);
    then mark it sent. Running it again, or beside another copy, sends nobody twice."""
    report = SendReport()
    size = max(int(batch_size or current_app.config.get("MAILING_BATCH_SIZE", 200)), 1)
    mailing = db.session.get(Mailing, mailing_id)
    if mailing is None or mailing.status != MailingStatus.SENDING.value:
        end_transaction()
        return report
    congress = mailing.congress
    people = audience_recipients(congress, Audience.from_mapping(mailing.audience or {}))
    done = _done_emails(mailing_id)
    todo = [p for p in people if p.email not in done]
    end_transaction()  # no snapshot held while rendering
    for batch in _batches(todo, size):
        mailing = db.session.get(Mailing, mailing_id)
        if mailing is None:
            return report
        values = recipient_values(congress, batch)
        rendered = {p.email: render_message(mailing, congress, p, values.get(p.registration_id or 0, {}))
                    for p in batch}
        end_transaction()
        with write_transaction():
            mailing = _locked(mailing_id)
            if mailing.status != MailingStatus.SENDING.value:
                return report
            emails = [p.email for p in batch]
            already = _done_emails(mailing_id, emails)
            unsubscribed = opted_out(emails)
            bounced = bouncing(emails)
            for person in batch:
                if person.email in already:
                    continue
                row = MailingRecipient(mailing_id=mailing_id, email=person.email, name=person.name[:200],
                                       locale=rendered[person.email].locale, registration_id=person.registration_id)
                if person.email in unsubscribed or person.email.lower() in bounced:
                    row.skipped = True
                    row.skip_reason = "unsubscribed" if person.email in unsubscribed else "bouncing"
                    report.skipped += 1
                else:
                    message = rendered[person.email]
                    row.outbox_message = queue_mail(
                        person.email, TEMPLATE, locale=message.locale, congress_id=congress.id,
                        headers=headers_for(person.email), subject=message.subject, text=message.text,
                        html=Markup(message.html))  # noqa: S704 - built from our templates and nh3-cleaned Markdown
                    report.queued += 1
                db.session.add(row)
            mailing.progress_at = utcnow()
    with write_transaction():
        mailing = _locked(mailing_id)
        if mailing.status == MailingStatus.SENDING.value:
            mailing.status = MailingStatus.SENT.value
            mailing.finished_at = utcnow()
            totals = counts(mailing_id)
            record("mailing.completed", mailing, actor_label="worker", queued=totals.messages,
                   skipped_unsubscribed=totals.skipped)
            report.finished = True
    return report


def stalled_mailings(older_than_seconds: float | None = None) -> list[int]:
    """Mailings left ``sending`` (all of them, or those whose last batch is older than the given
    number of seconds): their job died or its hand-over was lost."""
    query = sa.select(Mailing.id).where(Mailing.status == MailingStatus.SENDING.value)
    if older_than_seconds is not None:
        stale = utcnow() - timedelta(seconds=older_than_seconds)
        query = query.where(sa.or_(Mailing.progress_at.is_(None), Mailing.progress_at < stale))
    ids = list(db.session.scalars(query.order_by(Mailing.id)))
    end_transaction()
    return ids


def take_pending(session: Any) -> list[int]:
    """The mailings a committed transaction started (for the worker)."""
    return list(session.info.pop(PENDING_KEY, None) or [])


def forget_pending(session: Any) -> None:
    session.info.pop(PENDING_KEY, None)


# --- progress and history -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """A mailing's messages by the outbox's status, and the addresses skipped because they opted out."""

    expected: int = 0
    queued: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # every address skipped …
    bouncing: int = 0  # … of which those whose mail bounced for good (the rest unsubscribed)

    @property
    def unsubscribed(self) -> int:
        return self.skipped - self.bouncing

    @property
    def messages(self) -> int:
        return self.queued + self.sending + self.sent + self.failed

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.skipped

    @property
    def total(self) -> int:
        return max(self.expected, self.messages + self.skipped)

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, int(100 * self.done / self.total))

    @property
    def in_flight(self) -> bool:
        return bool(self.queued or self.sending)

    def progress(self) -> dict[str, int]:
        """What a progress bar polls (``static/js/mailing-progress.js``; ``_progress.html`` shows the same)."""
        return {"total": self.total, "queued": self.queued + self.sending, "sent": self.sent, "failed": self.failed,
                "skipped": self.skipped, "unsubscribed": self.unsubscribed, "bouncing": self.bouncing,
                "done": self.done, "percent": self.percent}


_COUNTED = sa.select(MailingRecipient.mailing_id, MailingRecipient.skipped, MailingRecipient.skip_reason,
                     OutboxMessage.status, sa.func.count()).select_from(MailingRecipient).outerjoin(
    OutboxMessage, OutboxMessage.id == MailingRecipient.outbox_message_id).group_by(
    MailingRecipient.mailing_id, MailingRecipient.skipped, MailingRecipient.skip_reason, OutboxMessage.status)


def counts_of(mailings: Iterable[Mailing]) -> dict[int, Counts]:
    """Counts of several mailings in one query (the history)."""
    by_id = {m.id: m for m in mailings}
    rows: dict[int, list[tuple[bool, str | None, str | None, int]]] = {i: [] for i in by_id}
    if by_id:
        for mailing_id, skipped, reason, status, n in db.session.execute(
                _COUNTED.where(MailingRecipient.mailing_id.in_(list(by_id)))):
            rows[mailing_id].append((skipped, reason, status, n))
    return {i: counts_from(found, expected=by_id[i].expected_count) for i, found in rows.items()}


def counts_from(rows: Iterable[tuple[bool, str | None, str | None, int]], expected: int = 0) -> Counts:
    """Counts from ``(skipped, skip reason, outbox status, number)`` rows: a mailing's recipients, or
    any other send that keeps one row per recipient beside its outbox message (invitations)."""
    tally: dict[str, int] = {}
    for skipped, reason, status, n in rows:
        key = "skipped" if skipped else (status or "missing")
        tally[key] = tally.get(key, 0) + n
        if skipped and reason == "bouncing":
            tally["bouncing"] = tally.get("bouncing", 0) + n
    return Counts(expected=expected, queued=tally.get(MailStatus.QUEUED.value, 0),
                  sending=tally.get(MailStatus.SENDING.value, 0), sent=tally.get(MailStatus.SENT.value, 0),
                  failed=tally.get(MailStatus.FAILED.value, 0), skipped=tally.get("skipped", 0),
                  bouncing=tally.get("bouncing", 0))


def counts(mailing_id: int) -> Counts:
    mailing = db.session.get(Mailing, mailing_id)
    return counts_of([mailing]).get(mailing_id, Counts()) if mailing is not None else Counts()


@dataclass(frozen=True)
class Failure:
    email: str
    reason: str
    technical: str


def failures(mailing_id: int, limit: int = 200) -> list[Failure]:
    """The messages the outbox gave up on, with the reason told as a sentence."""
    rows = db.session.scalars(
        sa.select(OutboxMessage).join(MailingRecipient, MailingRecipient.outbox_message_id == OutboxMessage.id)
        .where(MailingRecipient.mailing_id == mailing_id, OutboxMessage.status == MailStatus.FAILED.value)
        .order_by(OutboxMessage.id).limit(limit))
    return [Failure(m.to_address, explain_error(m) or "", " ".join(filter(None, [m.smtp_reply, m.last_error])))
            for m in rows]


def mailings_of(congress: Congress) -> list[Mailing]:
    return list(db.session.scalars(
        sa.select(Mailing).where(Mailing.congress_id == congress.id).order_by(Mailing.created_at.desc(),
                                                                                Mailing.id.desc())))
