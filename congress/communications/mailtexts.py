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
from markupsafe import Markup
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from congress.audit.services import record
from congress.communications import mailtext_kinds
from congress.communications.mailtext_kinds import Values, values_for
from congress.communications.sandbox import Checked, MailingError, check_text, fill
from congress.core.models import Congress
from congress.database import UTCDateTime, utcnow, write_transaction
from congress.extensions import db
from congress.sanitize import render_markdown

# The system mails an organiser can edit (the template under templates/email/ → its description).
KINDS = mailtext_kinds.KINDS
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

    congress: Mapped[Congress] = relationship()

    __table_args__ = (UniqueConstraint("congress_id", "kind", "locale"),)


def _known(kind: str, locale: str) -> None:
    if kind not in KINDS:
        raise MailingError(_("This kind of mail cannot be edited."), field="kind")
    if locale not in LOCALES:
        raise MailingError(_("This language cannot be chosen."), field="locale")


def mail_text(congress_id: int, kind: str, locale: str) -> MailText | None:
    return db.session.execute(select(MailText).filter_by(congress_id=congress_id, kind=kind,
                                                         locale=locale)).scalar_one_or_none()


def check_mail_text(kind: str, locale: str, subject: str, text: str) -> Checked:
    """Every refusal of a subject and text at once, by field (``MailingError.errors``): empty, too long,
    does not parse (line and reason), or leaves out a placeholder the mail cannot do without. The
    placeholders it names that this kind does not offer are returned (the preview flags them)."""
    _known(kind, locale)
    spec = KINDS[kind]
    errors: dict[str, list[str]] = {}
    unknown: set[str] = set()
    used: set[str] = set()
    for name, value, limit in (("subject", subject, SUBJECT_MAX), ("text", text, TEXT_MAX)):
        if not (value or "").strip():
            errors[name] = [_("A mail needs a subject.") if name == "subject" else _("A mail needs a text.")]
        elif len(value) > limit:
            errors[name] = [_("At most %(n)d characters.", n=limit)]
        else:
            try:
                checked = check_text(value, name, spec.placeholders)
            except MailingError as exc:
                errors.update(exc.errors)
            else:
                unknown |= checked.unknown
                used |= checked.used
    missing = [p for p in spec.required if p not in used]
    if missing and "text" not in errors:
        errors["text"] = [_("This mail cannot do without %(names)s: put it in the text.",
                            names=", ".join("{{ " + p + " }}" for p in missing))]
    if errors:
        raise MailingError(next(iter(errors.values()))[0], errors=errors)
    return Checked(frozenset(unknown), frozenset(used))


def save_mail_text(congress_id: int, kind: str, locale: str, subject: str, text: str, *,
                   by: Any = None) -> MailText:
    """Save an edition's text; :class:`MailingError` (nothing saved, the old text stays) with the line
    and the reason when the subject or text does not parse. Audited."""
    subject = " ".join((subject or "").replace("\x00", "").split())
    text = (text or "").replace("\x00", "").replace("\r\n", "\n")
    check_mail_text(kind, locale, subject, text)
    with write_transaction():
        row = mail_text(congress_id, kind, locale)
        created = row is None
        if row is None:
            row = MailText(congress_id=congress_id, kind=kind, locale=locale)
            db.session.add(row)
        row.subject, row.text = subject, text
        db.session.flush()
        record("mail_text.saved", row, actor=by, kind=kind, language=locale, subject=subject,
               status="new" if created else "changed")
    return row


def reset_mail_text(congress_id: int, kind: str, locale: str, *, by: Any = None) -> bool:
    """Back to the default file; True when there was an edited text. Audited."""
    _known(kind, locale)
    with write_transaction():
        row = mail_text(congress_id, kind, locale)
        if row is None:
            return False
        record("mail_text.reset", row, actor=by, kind=kind, language=locale, subject=row.subject)
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


def render_text(kind: str, subject: str, text: str, values: Values, locale: str, *,
                unsubscribe_url: str | None = None, edition: str = "") -> tuple[str, str, str, Markup]:
    """Subject, text part, HTML part and the HTML body of ``kind``'s subject and text with ``values``
    (both parts from the same source; the values escaped for Markdown in the HTML part). A mail that is
    not transactional (``unsubscribe_url``) gets the unsubscribe link below the text."""
    subject = " ".join(fill(subject, values.plain).split())
    body_text = fill(text, values.plain).strip("\n")
    content = render_markdown(fill(text, values.markdown))
    with force_locale(locale):
        if unsubscribe_url:
            body_text = render_template("email/communications/mailing_message.txt", lang=locale, body=body_text,
                                        unsubscribe_url=unsubscribe_url, edition=edition)
            html = render_template("email/communications/mailing_message.html", lang=locale, content=content,
                                   email_subject=subject, unsubscribe_url=unsubscribe_url, edition=edition)
        else:
            html = render_template("email/communications/mail_text.html", lang=locale, content=content,
                                   email_subject=subject)
    return subject, body_text.rstrip("\n") + "\n", html, content


def render_edited(kind: str, congress_id: int | None, locale: str,
                  context: dict[str, Any]) -> tuple[str, str, str] | None:
    """Subject, text and HTML from the edition's edited text, or None when it has none (the mail
    capability then renders its default files)."""
    if congress_id is None or kind not in KINDS:
        return None
    row = mail_text(congress_id, kind, locale)
    if row is None:
        return None
    congress = db.session.get(Congress, congress_id)
    values = values_for(kind, congress, locale, context)
    unsubscribe = str(context.get("unsubscribe_link") or "") if KINDS[kind].unsubscribe else ""
    subject, body_text, html, _content = render_text(
        kind, row.subject, row.text, values, locale, unsubscribe_url=unsubscribe or None,
        edition=congress.title(locale) if congress is not None else "")
    return subject, body_text, html


def edited_of(congress_id: int) -> dict[tuple[str, str], MailText]:
    """The edition's edited texts by (kind, language) (the index page)."""
    rows = db.session.execute(select(MailText).filter_by(congress_id=congress_id)).scalars()
    return {(row.kind, row.locale): row for row in rows}
