"""Previewing a mail text with a real registration of the edition, and "send a test to me".

The preview fills the placeholders from one of the edition's registrations (the most recent confirmed
one unless the organiser picks another; a sample person, clearly labelled, when the edition has none),
through the same rendering as the mail itself. What a registration does not have (a proposal, an
invitation) is a labelled example. The personal links in a preview and a test are examples too: an
organiser's test mail must not carry an attendee's secret link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from congress.audit.services import record
from congress.communications.mailtext_kinds import KINDS, values_for
from congress.communications.mailtexts import check_mail_text, render_text
from congress.communications.sandbox import MailingError
from congress.core.models import Congress
from congress.database import utcnow, write_transaction
from congress.extensions import db
from congress.mail.models import OutboxMessage
from congress.mail.services import queue_mail
from congress.registration import queries as registrations
from congress.urls import external_url

# The outbox template that takes a prepared subject, text and HTML (as the mailings').
TEMPLATE = "communications/mailing"
TEST_PREFIX = "[TEST] "
CHOICES_SHOWN = 100
SAMPLE = "sample"  # the choice of the sample person


@dataclass(frozen=True)
class Person:
    """A registration to preview with: (id, "name (status)")."""

    id: int
    label: str


def _active(congress: Congress) -> list[Any]:
    """The edition's registrations that are not cancelled, the confirmed ones first, newest first."""
    found = db.session.scalars(registrations.search(congress, registrations.RegistrationFilters(sort="-created"))
                               .limit(CHOICES_SHOWN * 3)).all()
    active = [r for r in found if r.status != "cancelled" and r.erased_at is None]
    active.sort(key=lambda r: r.status != "confirmed")  # stable: newest first within each group
    return active[:CHOICES_SHOWN]


def chosen(congress: Congress, wanted: str | None) -> tuple[Any | None, list[Person]]:
    """The registration to preview with (the wanted one if it is the edition's, else the most recent
    confirmed one) and the choices; None for the sample person (chosen, or the edition has nobody)."""
    active = _active(congress)
    labels = registrations.STATUS_LABELS
    choices = [Person(r.id, f"{r.name} ({labels.get(r.status, r.status)})") for r in active]
    by_id = {r.id: r for r in active}
    if wanted == SAMPLE or not active:
        return None, choices
    pick = int(wanted) if wanted and wanted.isdigit() and len(wanted) <= 10 else None
    return by_id.get(pick or 0, active[0]), choices


def _example_link(name: str) -> str:
    return external_url("registration.manage", secret=f"{_('example')}-{name}")


def _sample_registration(congress: Congress, locale: str) -> SimpleNamespace:
    with force_locale(locale):
        sessions = registrations.signup_sessions(congress)[:2]
        return SimpleNamespace(
            name=_("Sample Attendee"), email="voorbeeld@example.org", waitlist_position=3,
            enrolments=[SimpleNamespace(session=s, status="enrolled", position=None) for s in sessions])


def preview_context(kind: str, congress: Congress, registration: Any | None, locale: str) -> dict[str, Any]:
    """What the sending capability would give the default template, for ``registration`` (or the sample
    person), with example links and examples for what a registration has not."""
    person = registration if registration is not None else _sample_registration(congress, locale)
    sessions = [e.session for e in person.enrolments]
    with force_locale(locale):
        return {
            "registration": person, "congress": congress, "name": person.name,
            "link": _example_link("link"), "confirm_link": _example_link("confirm"),
            "hours": current_app.config.get("REGISTRATION_HOLD_HOURS") or 48,
            "waiting_rank": getattr(person, "waitlist_position", None) or 1,
            "session": sessions[0] if sessions else None, "sessions": sessions,
            "items": [(s, ["moved"]) for s in sessions],
            "register_link": external_url("registration.register", slug=congress.slug),
            "reason": "expired" if kind == "registration/cancelled" and getattr(person, "status", "") == "pending"
            else "",
            "proposal": SimpleNamespace(title=_("Example: what works in prevention (a proposal)")),
            "title": _("Example: what works in prevention (a session)"),
            "comments": [_("Example: a clear proposal; make the second half more practical.")],
            "inviter": _("Example Speaker"), "signup": _example_link("signup"), "days": 14,
            "decline_link": _example_link("decline"), "reserved_until": (utcnow() + timedelta(days=30)).date(),
            "unsubscribe_link": _example_link("unsubscribe"),
        }


@dataclass(frozen=True)
class Preview:
    """The rendered mail for the chosen person, or the reason it could not be rendered."""

    subject: str = ""
    text: str = ""
    content: Markup | None = None  # the HTML part's body, sanitised
    unknown: frozenset[str] = frozenset()
    problem: str | None = None
    registration: Any | None = None  # None: the sample person
    choices: tuple[Person, ...] = ()


def render_for(congress: Congress, kind: str, locale: str, subject: str, text: str,
               registration: Any | None) -> tuple[str, str, str, Markup]:
    context = preview_context(kind, congress, registration, locale)
    values = values_for(kind, congress, locale, context)
    return render_text(kind, subject, text, values, locale,
                       unsubscribe_url=context["unsubscribe_link"] if KINDS[kind].unsubscribe else None,
                       edition=congress.title(locale))


def preview(congress: Congress, kind: str, locale: str, subject: str, text: str,
            wanted: str | None = None) -> Preview:
    """The mail as ``wanted`` (a registration id, or the default person) would get it; a text that does
    not parse is the problem, not an error; unknown placeholders are listed (they stay empty)."""
    registration, choices = chosen(congress, wanted)
    try:
        unknown = check_mail_text(kind, locale, subject, text).unknown
    except MailingError as exc:
        return Preview(problem=exc.message, registration=registration, choices=tuple(choices))
    rendered_subject, body_text, _html, content = render_for(congress, kind, locale, subject, text, registration)
    return Preview(rendered_subject, body_text, content, unknown, None, registration, tuple(choices))


def tests_sent_recently(congress: Congress, email: str, minutes: int = 10) -> int:
    since = utcnow() - timedelta(minutes=minutes)
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.congress_id == congress.id, OutboxMessage.to_address == email,
        OutboxMessage.template == TEMPLATE, OutboxMessage.subject.startswith(TEST_PREFIX),
        OutboxMessage.created_at >= since)) or 0


def send_test(congress: Congress, kind: str, locale: str, subject: str, text: str, *, user: Any,
              wanted: str | None = None) -> OutboxMessage:
    """Queue the mail, rendered for the chosen person, to the organiser's own address, its subject
    beginning with "[TEST]"; audited. :class:`MailingError` when the text does not parse, or when this
    organiser had ``MAIL_TEXT_TESTS_PER_10_MINUTES`` tests of this edition in the last ten minutes."""
    email = getattr(user, "email", None)
    if not email:
        raise MailingError(_("Your account has no e-mail address to send the test to."), field="test")
    check_mail_text(kind, locale, subject, text)
    limit = int(current_app.config.get("MAIL_TEXT_TESTS_PER_10_MINUTES", 10))
    if tests_sent_recently(congress, email) >= limit:
        raise MailingError(_("You sent %(n)d tests in the last ten minutes; wait a few minutes before the next.",
                             n=limit), field="test")
    registration, _choices = chosen(congress, wanted)
    rendered_subject, body_text, html, _content = render_for(congress, kind, locale, subject, text, registration)
    with write_transaction():
        message = queue_mail(email, TEMPLATE, locale=locale, congress_id=congress.id,
                             subject=TEST_PREFIX + rendered_subject, text=body_text,
                             html=Markup(html))  # noqa: S704 - our templates and nh3-cleaned Markdown
        db.session.flush()
        record("mail_text.test_sent", congress, congress_id=congress.id, actor=user, kind=kind, language=locale,
               recipient=email, registration=getattr(registration, "id", None) or "sample")
    return message
