"""Demo data for the audit log and the mail outbox (idempotent), loaded after every capability's own
demo data (``congress.demo.load_demo`` runs the ``demo_late`` modules last) because it describes
what they made.

For both editions: the organiser logging in on the days before the congress, downloading the
registrations and the attendance lists, printing badges; and an outbox with sent confirmations (the
e-ticket rendered when you open it), a recipient whose mailbox does not exist (550), a message refused
as spam (554) and one the server asks to try again later (421, waiting for another try). Times are
relative to each edition's start and never in the future. Nothing here is actually sent.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from markupsafe import escape

from congress.accounts import services as accounts
from congress.audit.models import AuditEvent
from congress.audit.services import Ref, record
from congress.core import services as core
from congress.core.models import Congress, Person
from congress.database import utcnow
from congress.extensions import db
from congress.mail.models import MailStatus, OutboxAttachment, OutboxMessage
from congress.mail.services import new_message_id
from congress.programme.models import ProgrammeSession
from congress.registration.models import Registration

ORGANISER_EMAIL = "organisator@congres.example"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MARK = "demo-trail"  # in the events' data: this trail was loaded already

# (days before the start, hour, minute, action, what): the organiser's weeks before a congress
TRAIL = (
    (21, 9, 12, "user.login", None),
    (21, 9, 20, "export.registrations", "csv"),
    (14, 13, 5, "user.login", None),
    (14, 13, 18, "registration.update", None),
    (7, 10, 2, "user.login", None),
    (7, 10, 30, "export.registrations", "xlsx"),
    (2, 16, 45, "user.login", None),
    (2, 16, 52, "export.attendance", "pdf"),
    (1, 8, 30, "user.login", None),
    (1, 8, 41, "export.attendance", "csv"),
)

# (local part, name, status, SMTP code, the server's answer, attempts)
REFUSALS = (
    ("m.devries", "Marloes de Vries", MailStatus.FAILED.value, 550,
     "550 5.1.1 <{to}>: Recipient address rejected: mailbox unavailable", 1),
    ("info.jongerenwerk", "Jongerenwerk Noord", MailStatus.FAILED.value, 554,
     "554 5.7.1 Service unavailable; Client host [192.0.2.25] blocked using zen.spamhaus.org", 1),
    ("r.benali", "Rachid Benali", MailStatus.QUEUED.value, 421,
     "421 4.7.0 Try again later, closing connection (greylisted)", 2),
)


def load(report: list[str]) -> None:
    organiser = accounts.find_user(ORGANISER_EMAIL)
    if organiser is None:
        return
    done = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "user.login", AuditEvent.actor_user_id == organiser.id,
        AuditEvent.data["demo"].as_string() == MARK))
    if done:
        report.append("Audit trail and outbox of the demo exist; left as they are.")
        return
    for slug in ("congres-2025", "congres-2024"):
        congress = core.congress_by_slug(slug)
        if congress is not None:
            _trail(congress, organiser)
            _outbox(congress)
    report.append("Audit trail and outbox (sent, refused with 550 and 554, waiting after 421) added for both editions.")


def _when(congress: Congress, days_before: int, hour: int, minute: int) -> datetime:
    """A moment before the edition's start, never later than a little while ago."""
    moment = datetime.combine(congress.starts_on - timedelta(days=days_before), time(hour, minute), AMSTERDAM)
    latest = utcnow() - timedelta(minutes=5 + days_before * 7)
    return min(moment, latest.astimezone(AMSTERDAM))


def _stamp(when: datetime) -> None:
    """Date the event just written (record() writes "now")."""
    last = db.session.scalar(sa.select(sa.func.max(AuditEvent.id)))
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == last).values(occurred_at=when))


def _trail(congress: Congress, organiser) -> None:
    people = db.session.scalars(sa.select(Registration).where(Registration.congress_id == congress.id)
                                .order_by(Registration.id)).all()
    workshop = db.session.scalars(sa.select(ProgrammeSession).where(
        ProgrammeSession.congress_id == congress.id, ProgrammeSession.signup_required.is_(True))
        .order_by(ProgrammeSession.id)).first()
    for days, hour, minute, action, fmt in TRAIL:
        when = _when(congress, days, hour, minute)
        if action != "user.login" and not people:
            continue  # an edition without registrations (the archived one) has nothing to export
        if action == "user.login":
            record(action, organiser, actor=organiser, demo=MARK)
        elif action == "export.registrations":
            record(action, None, congress_id=congress.id, actor=organiser, count=len(people), format=fmt)
        elif action == "export.attendance" and workshop is not None:
            record(action, None, congress_id=congress.id, actor=organiser, format=fmt, session_id=workshop.id,
                   count=sum(1 for p in people for e in p.enrolments if e.session_id == workshop.id))
        elif action == "registration.update" and people:
            record(action, Ref("Registration", people[0].id, congress.id), actor=organiser,
                   fields=["dietary", "accessibility"])
        else:
            continue
        _stamp(when)


def _outbox(congress: Congress) -> None:
    people = db.session.scalars(sa.select(Registration).where(
        Registration.congress_id == congress.id, Registration.email != "").order_by(Registration.id).limit(6)).all()
    title = congress.title_nl
    if not people:
        _speaker_mails(congress)
    for i, person in enumerate(people):
        sent_at = _when(congress, 20 - i, 9, 30 + i)
        message = _message(person.email, congress, f"Bevestiging van uw aanmelding: {title}",
                           f"Beste {person.name},\n\nU bent aangemeld voor {title} op "
                           f"{congress.starts_on:%d-%m-%Y}. Uw e-ticket zit als bijlage bij deze e-mail.\n\n"
                           "Met vriendelijke groet,\nDe organisatie", MailStatus.SENT.value, sent_at)
        message.attempts, message.sent_at, message.smtp_code = 1, sent_at, 250
        message.smtp_reply = f"250 2.0.0 Ok: queued as {4711 + i:X}C{congress.id}"
        message.attachments = [OutboxAttachment(filename="", content_type="", source=f"ticket:{person.id}")]
    for i, (local, name, status, code, reply, attempts) in enumerate(REFUSALS):
        to = f"{local}@voorbeeldgemeente.nl"
        when = _when(congress, 6 - i, 11, 15)
        message = _message(to, congress, f"Bevestig uw aanmelding: {title}",
                           f"Beste {name},\n\nBevestig uw aanmelding voor {title} met de link in deze e-mail.\n\n"
                           "Met vriendelijke groet,\nDe organisatie", status, when)
        message.attempts, message.smtp_code, message.smtp_reply = attempts, code, reply.format(to=to)
        message.last_error = f"SMTPRecipientsRefused: {message.smtp_reply}"
        message.next_attempt_at = utcnow() + timedelta(hours=2) if status == MailStatus.QUEUED.value else None
    db.session.flush()


def _speaker_mails(congress: Congress) -> None:
    """The archived edition has no registrations: its speakers were asked for their contribution."""
    speakers = db.session.scalars(sa.select(Person).join(ProgrammeSession.speakers).where(
        ProgrammeSession.congress_id == congress.id, Person.email.is_not(None), Person.email != "")
        .distinct().order_by(Person.id)).all()
    for i, person in enumerate(speakers):
        sent_at = _when(congress, -3 - i, 10, 5)  # a few days after the congress
        message = _message(person.email, congress, f"Deel uw bijdrage in de kennisbank: {congress.title_nl}",
                           f"Beste {person.name},\n\nDank voor uw bijdrage aan {congress.title_nl}. Wilt u uw "
                           "presentatie en een korte samenvatting delen in de kennisbank? Dat kan met de link "
                           "in deze e-mail.\n\nMet vriendelijke groet,\nDe organisatie", MailStatus.SENT.value, sent_at)
        message.template = "archive/speaker_invitation"
        message.attempts, message.sent_at, message.smtp_code = 1, sent_at, 250
        message.smtp_reply = f"250 2.0.0 Ok: queued as {9120 + i:X}A{congress.id}"


def _message(to: str, congress: Congress, subject: str, text: str, status: str, when: datetime) -> OutboxMessage:
    html = "".join(f"<p>{escape(part)}</p>" for part in text.split("\n\n"))
    message = OutboxMessage(to_address=to, template="registration/confirmed", locale="nl", subject=subject,
                            body_text=text, body_html=html, status=status, congress_id=congress.id, created_at=when,
                            message_id_header=new_message_id(), last_error="")
    db.session.add(message)
    return message
