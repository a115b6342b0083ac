"""Mail texts organisers edit: per edition and language, a subject and a Markdown text that replace
the default files in ``templates/email/`` for one kind of system mail. Rendered with the mailings'
sandbox (:mod:`congress.communications.sandbox`); a text that does not parse is never saved. The mail
capability asks for an edited text through ``mail.signals.text_wanted`` (connected in receivers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from congress.communications.sandbox import MailingError, check_text, fill, markdown_literal
from congress.database import UTCDateTime, utcnow, write_transaction
from congress.extensions import db
from congress.sanitize import render_markdown

# The system mails an organiser can edit: the template under templates/email/ → what it is.
KINDS: dict[str, Any] = {
    "registration/confirm": _l("Confirmation request"),
    "registration/confirmed": _l("Registration confirmed, with e-ticket"),
    "registration/waitlisted": _l("On the waiting list"),
    "registration/promoted": _l("Promoted from the waiting list"),
    "registration/sessions_changed": _l("Programme change"),
    "registration/cancelled": _l("Cancellation"),
    "registration/link": _l("Personal link"),
    "programme/speaker_session_changed": _l("Speaker: session changed"),
    "cfp/verify": _l("Call for proposals: confirm address"),
    "cfp/decision_accepted": _l("Call for proposals: accepted"),
    "cfp/decision_rejected": _l("Call for proposals: not accepted"),
    "cfp/decision_held": _l("Call for proposals: on hold"),
    "archive/speaker_invitation": _l("Speaker invitation"),
}
LOCALES = ("nl", "en")
SUBJECT_MAX = 300
TEXT_MAX = 20000


class MailText(db.Model):
    """An edition's own text for one kind of system mail in one language."""

    __tablename__ = "communication_mail_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("congress_id", "kind", "locale"),)


def _known(kind: str, locale: str) -> None:
    if kind not in KINDS:
        raise MailingError(_("This kind of mail cannot be edited."), field="kind")
    if locale not in LOCALES:
        raise MailingError(_("This language cannot be chosen."), field="locale")


def mail_text(congress_id: int, kind: str, locale: str) -> MailText | None:
    return db.session.execute(select(MailText).filter_by(congress_id=congress_id, kind=kind,
                                                         locale=locale)).scalar_one_or_none()


def save_mail_text(congress_id: int, kind: str, locale: str, subject: str, text: str) -> MailText:
    """Save an edition's text; :class:`MailingError` (nothing saved, the old text stays) with the line
    and the reason when the subject or text does not parse."""
    _known(kind, locale)
    subject = " ".join((subject or "").split())
    if not subject:
        raise MailingError(_("A mail needs a subject."), field="subject")
    if not (text or "").strip():
        raise MailingError(_("A mail needs a text."), field="text")
    if len(subject) > SUBJECT_MAX:
        raise MailingError(_("At most %(n)d characters.", n=SUBJECT_MAX), field="subject")
    if len(text) > TEXT_MAX:
        raise MailingError(_("At most %(n)d characters.", n=TEXT_MAX), field="text")
    check_text(subject, "subject")
    check_text(text, "text")
    with write_transaction():
        row = mail_text(congress_id, kind, locale)
        if row is None:
            row = MailText(congress_id=congress_id, kind=kind, locale=locale)
            db.session.add(row)
        row.subject, row.text = subject, text
        db.session.flush()
    return row


def reset_mail_text(congress_id: int, kind: str, locale: str) -> bool:
    """Back to the default file; True when there was an edited text."""
    _known(kind, locale)
    with write_transaction():
        row = mail_text(congress_id, kind, locale)
        if row is None:
            return False
        db.session.delete(row)
    return True


def copy_mail_texts(source_id: int, target_id: int) -> int:
    """Copy every edited text of one edition to another (cloning); how many were copied. Joins the
    caller's transaction."""
    rows = db.session.execute(select(MailText).filter_by(congress_id=source_id)).scalars().all()
    for row in rows:
        db.session.add(MailText(congress_id=target_id, kind=row.kind, locale=row.locale, subject=row.subject,
                                text=row.text))
    return len(rows)


def placeholder_values(context: dict[str, Any], locale: str) -> dict[str, str]:
    """The documented placeholders filled from a default template's context."""
    person = context.get("registration") or context.get("speaker") or context.get("user")
    name = str(context.get("name") or getattr(person, "name", "") or "")
    congress = context.get("congress")
    edition = congress.title(locale) if congress is not None and hasattr(congress, "title") else ""
    link = str(context.get("link") or context.get("manage_url") or context.get("url") or "")
    return {"name": name, "edition": edition, "manage_url": link}


def render_edited(kind: str, congress_id: int | None, locale: str,
                  context: dict[str, Any]) -> tuple[str, str, str] | None:
    """Subject, text and HTML from the edition's edited text, or None when it has none."""
    if congress_id is None or kind not in KINDS:
        return None
    row = mail_text(congress_id, kind, locale)
    if row is None:
        return None
    plain = placeholder_values(context, locale)
    markdown = {"name": markdown_literal(plain["name"]), "edition": markdown_literal(plain["edition"]),
                "manage_url": f"<{plain['manage_url']}>" if plain["manage_url"] else ""}
    subject = " ".join(fill(row.subject, plain).split())
    body_text = fill(row.text, plain).strip("\n") + "\n"
    content = render_markdown(fill(row.text, markdown))
    with force_locale(locale):
        html = render_template("email/communications/mail_text.html", lang=locale, content=content,
                               email_subject=subject)
    return subject, body_text, html
