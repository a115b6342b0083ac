"""Demo data for mailings (idempotent), loaded after every capability's own demo data and the cockpit's
check-ins (``demo_late``), because a mailing's audience is made of them.

The past edition gets one mailing sent to the attendees who were checked in ("Uitnodiging: terugblik en
presentaties"), its messages in the outbox as sent, and one address that unsubscribed and was skipped;
the upcoming edition gets a draft to its confirmed attendees. The look-back is the past edition's
scheduled mail "4 days after the end" (fired); the upcoming edition has a scheduled mail 3 days before
the start and one 1 day after the end, waiting. Nothing here is actually sent.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from congress.communications.mailings import (
    TEMPLATE,
    Audience,
    Mailing,
    MailingRecipient,
    MailingStatus,
    audience_recipients,
    render_message,
)
from congress.communications.mailtexts import MailText
from congress.communications.schedules import Moment, ScheduledMail, default_rule
from congress.communications.unsubscribe import OptOut, headers_for
from congress.core import queries as core
from congress.core.models import Congress
from congress.database import utcnow
from congress.extensions import db
from congress.mail.models import MailStatus, OutboxMessage
from congress.mail.services import new_message_id

PAST_SLUG = "congres-2024"
UPCOMING_SLUG = "congres-2025"

LOOKBACK_SUBJECT = "Uitnodiging: terugblik en presentaties"
LOOKBACK_TEXT = """Beste {{ name }},

Dank u wel voor uw komst naar **{{ edition }}**. Samen met gemeenten, maatschappelijke organisaties, scholen en
onderzoekers hebben we een dag lang gewerkt aan de Agenda Veerkrachtige & Weerbare Samenleving.

De presentaties en verslagen van de vier sporen staan nu in de kennisbank:

- **Digitale weerbaarheid**: online radicalisering, desinformatie en wat jongeren zelf helpen;
- **Zelfbeschikking en emancipatie**: de aanpak van schadelijke praktijken in de wijk;
- **Preventie van jeugdcriminaliteit**: wat werkt bij de overgang van school naar werk;
- **Netwerken en participatie**: samenwerken met sleutelfiguren en zelforganisaties.

Wij nodigen u uit voor een online terugblik van een uur, waarin de sprekers hun belangrijkste lessen delen
en u vragen kunt stellen. U ontvangt de uitnodiging voor die bijeenkomst via uw persoonlijke pagina:
{{ manage_url }}

Met vriendelijke groet,

Het organisatieteam"""
LOOKBACK_SUBJECT_EN = "Invitation: looking back, and the presentations"
LOOKBACK_TEXT_EN = """Dear {{ name }},

Thank you for coming to **{{ edition }}**. The presentations and reports of the four tracks are now in the
knowledge base, and we invite you to an online look back of one hour with the speakers. Your personal page:
{{ manage_url }}

Kind regards,

The organising team"""

PRACTICAL_SUBJECT = "Praktische informatie: route, programma en workshops"
PRACTICAL_TEXT = """Beste {{ name }},

Over een paar weken is het zover: **{{ edition }}**. Hieronder vindt u alvast het belangrijkste.

- Kies uw workshops in de sporen digitale weerbaarheid, zelfbeschikking en emancipatie, preventie van
  jeugdcriminaliteit en netwerken en participatie, als u dat nog niet gedaan hebt.
- Neem uw e-ticket mee (op papier of op uw telefoon); daarmee bent u snel binnen.
- Laat ons weten als u iets nodig hebt om goed mee te kunnen doen.

Uw aanmelding bekijken of wijzigen kan via uw persoonlijke link: {{ manage_url }}

Tot ziens!"""
UNSUBSCRIBED_INDEX = 3  # the fourth checked-in attendee unsubscribed before the mailing went out


CONFIRMED_SUBJECT = "Tot ziens op {{ edition }}, {{ name }}"
CONFIRMED_TEXT = (
    "Beste {{ name }},\n\n"
    "Uw aanmelding voor **{{ edition }}** is bevestigd. Uw e-ticket zit als bijlage bij deze mail; neem het "
    "mee op uw telefoon of geprint.\n\n"
    "Het congres is goed bereikbaar met het openbaar vervoer: vanaf het station loopt u in tien minuten "
    "naar de zaal.\n\n"
    "Via uw persoonlijke link ziet en wijzigt u uw aanmelding en uw workshops: {{ manage_url }}\n\n"
    "Met vriendelijke groet,\n\nhet congresteam\n"
)


def load(report: list[str]) -> None:
    past = core.congress_by_slug(PAST_SLUG)
    if past is not None and not _has_mailing(past):
        report.append(_sent_lookback(past))
    upcoming = core.congress_by_slug(UPCOMING_SLUG)
    if upcoming is not None and not _has_mailing(upcoming):
        db.session.add(Mailing(congress_id=upcoming.id, status=MailingStatus.DRAFT.value,
                               audience=Audience(status="confirmed").as_dict(), subject_nl=PRACTICAL_SUBJECT,
                               text_nl=PRACTICAL_TEXT, subject_en="", text_en=""))
        report.append(f"Mailings of {upcoming.slug}: a draft to the confirmed attendees.")
    if upcoming is not None and not db.session.scalar(sa.select(sa.func.count()).select_from(MailText).where(
            MailText.congress_id == upcoming.id)):
        db.session.add(MailText(congress_id=upcoming.id, kind="registration/confirmed", locale="nl",
                                subject=CONFIRMED_SUBJECT, text=CONFIRMED_TEXT))
        report.append(f"Mail texts of {upcoming.slug}: the confirmation mail in Dutch, edited.")
    if past is not None and upcoming is not None and not db.session.scalar(
            sa.select(sa.func.count()).select_from(ScheduledMail)):
        report.append(_scheduled(past, upcoming))


def _scheduled(past: Congress, upcoming: Congress) -> str:
    """The past edition's look-back went out as a rule four days after the end (fired, its mailing
    linked); the upcoming edition has its two rules waiting: 3 days before, 1 day after."""
    sent = db.session.scalar(sa.select(Mailing).where(Mailing.congress_id == past.id).order_by(Mailing.id))
    if sent is not None:
        db.session.add(ScheduledMail(congress_id=past.id, moment=Moment.AFTER_END.value, days=4,
                                     subject_nl=sent.subject_nl, text_nl=sent.text_nl, subject_en=sent.subject_en,
                                     text_en=sent.text_en, fired_at=sent.sending_at, mailing_id=sent.id))
    for moment in (Moment.BEFORE_START.value, Moment.AFTER_END.value):
        rule = default_rule(moment)
        db.session.add(ScheduledMail(congress_id=upcoming.id, moment=moment, days=rule.days,
                                     subject_nl=rule.subject_nl, text_nl=rule.text_nl, subject_en=rule.subject_en,
                                     text_en=rule.text_en))
    return (f"Scheduled mails: {past.slug}'s look-back sent 4 days after the end; {upcoming.slug} sends 3 days "
            "before the start and 1 day after the end.")


def _has_mailing(congress: Congress) -> bool:
    return bool(db.session.scalar(sa.select(sa.func.count()).select_from(Mailing).where(
        Mailing.congress_id == congress.id)))


def _sent_at(congress: Congress) -> datetime:
    """Four days after the edition ended, at ten in the morning (never in the future)."""
    local = datetime.combine(congress.ends_on + timedelta(days=4), time(10, 0), tzinfo=ZoneInfo(congress.timezone))
    return min(local, utcnow() - timedelta(hours=1))


def _sent_lookback(congress: Congress) -> str:
    audience = Audience(checked_in="yes")
    people = audience_recipients(congress, audience)
    when = _sent_at(congress)
    mailing = Mailing(congress_id=congress.id, status=MailingStatus.SENT.value, audience=audience.as_dict(),
                      subject_nl=LOOKBACK_SUBJECT, text_nl=LOOKBACK_TEXT, subject_en=LOOKBACK_SUBJECT_EN,
                      text_en=LOOKBACK_TEXT_EN, created_at=when - timedelta(days=1), sending_at=when,
                      progress_at=when, finished_at=when + timedelta(minutes=2), expected_count=len(people))
    db.session.add(mailing)
    db.session.flush()
    skipped = 0
    for i, person in enumerate(people):
        row = MailingRecipient(mailing_id=mailing.id, email=person.email, name=person.name[:200],
                               locale=person.locale, registration_id=person.registration_id, created_at=when)
        if i == UNSUBSCRIBED_INDEX:
            if db.session.get(OptOut, person.email) is None:
                db.session.add(OptOut(email=person.email, source="link", created_at=when - timedelta(days=20)))
            row.skipped = True
            skipped += 1
        else:
            message = render_message(mailing, congress, person)
            row.outbox_message = OutboxMessage(
                to_address=person.email, template=TEMPLATE, locale=message.locale, subject=message.subject,
                body_text=message.text, body_html=message.html, congress_id=congress.id,
                status=MailStatus.SENT.value, attempts=1, last_error="", created_at=when,
                sent_at=when + timedelta(seconds=1 + i // 20), message_id_header=new_message_id(),
                headers=headers_for(person.email), smtp_code=250, smtp_reply="250 2.0.0 Ok: queued (demo)")
        db.session.add(row)
    db.session.flush()
    return (f"Mailings of {congress.slug}: “{LOOKBACK_SUBJECT}” sent to {len(people) - skipped} checked-in "
            f"attendees, {skipped} skipped (unsubscribed).")
