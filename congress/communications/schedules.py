"""Scheduled mails: rules per edition that send a mailing by themselves at a moment relative to the
congress, e.g. "3 days before the start, to confirmed attendees: their programme, e-ticket and route"
and "1 day after the end, to attendees who were checked in: thanks, the evaluations, the certificate".

A rule fires once. Its moment is 09:00 in the edition's timezone, ``days`` before the first day or
after the last. The periodic job :func:`fire_due` (``tasks.fire_scheduled_mails``) finds every rule
whose moment has passed. For each, one transaction under the rule's row lock marks it fired and
starts an ordinary mailing for the rule's audience. The mailing's machinery then sends each recipient
exactly once (``UNIQUE(mailing_id, email)``), also across worker crashes, and keeps the history and
counts. A rule that is paused, or whose window has passed (a "before" rule after the congress has
started, an "after" rule more than :data:`LATE_DAYS` late), does not fire. People who register after
a "before" rule fired do not receive it: their confirmation carries the same personal link.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from congress.audit.services import record
from congress.communications.audience import Audience
from congress.communications.mailings import (
    SUBJECT_MAX,
    Draft,
    Mailing,
    MailingError,
    Preview,
    check_draft,
    create_mailing,
    preview,
    start_sending,
)
from congress.core.models import Congress
from congress.database import UTCDateTime, lock_for_update, utcnow, write_transaction
from congress.errors import Conflict
from congress.extensions import db

SEND_HOUR = time(9, 0)  # local time of the edition
MAX_DAYS = 90
LATE_DAYS = 7  # an "after" rule the worker could not fire for a week is left alone


class Moment(enum.StrEnum):
    BEFORE_START = "before_start"
    AFTER_END = "after_end"


MOMENT_LABELS = {
    Moment.BEFORE_START.value: _l("Days before the start, to confirmed attendees"),
    Moment.AFTER_END.value: _l("Days after the end, to attendees who were checked in"),
}
_MOMENTS = ", ".join(f"'{m.value}'" for m in Moment)

# The texts a new rule starts with (the organiser edits them); placeholders as in every mailing.
DEFAULT_TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    Moment.BEFORE_START.value: {
        "nl": ("Over een paar dagen: {{ edition }}",
               "Beste {{ name }},\n\nOver een paar dagen is het zover: {{ edition }}. Op uw persoonlijke pagina "
               "vindt u uw programma met de workshops die u koos, uw e-ticket met de QR-code voor de ingang "
               "en de route naar de locatie:\n\n{{ manage_url }}\n\nNeem het e-ticket mee op uw telefoon of "
               "op papier. Kunt u toch niet komen? Meld u dan af via dezelfde pagina, zodat iemand van de "
               "wachtlijst uw plaats krijgt.\n\nTot ziens!"),
        "en": ("In a few days: {{ edition }}",
               "Dear {{ name }},\n\nIn a few days it is time for {{ edition }}. Your personal page has your "
               "programme with the workshops you chose, your e-ticket with the QR code for the entrance and "
               "the route to the venue:\n\n{{ manage_url }}\n\nBring the e-ticket on your phone or on paper. "
               "Cannot come after all? Cancel on the same page, so that someone on the waiting list gets "
               "your place.\n\nSee you there!"),
    },
    Moment.AFTER_END.value: {
        "nl": ("Bedankt voor uw komst naar {{ edition }}",
               "Beste {{ name }},\n\nBedankt dat u erbij was.\n\n{% if evaluations_url %}Wilt u ons helpen het "
               "congres en de workshops beter te maken? Evalueer de workshops die u bezocht; het kost een paar "
               "minuten en uw antwoorden blijven anoniem:\n\n{{ evaluations_url }}\n\n{% endif %}"
               "{% if certificate_url %}Uw bewijs van deelname, met de uren die u aanwezig was en de "
               "accreditatiepunten, downloadt u hier (geef daar eerst uw registratienummer op als u punten wilt "
               "laten bijschrijven):\n\n{{ certificate_url }}\n\n{% endif %}Uw persoonlijke pagina:\n\n"
               "{{ manage_url }}\n\nDe presentaties en verslagen komen in de kennisbank, zodat wat werkt ook in "
               "uw gemeente of organisatie gebruikt kan worden."),
        "en": ("Thank you for coming to {{ edition }}",
               "Dear {{ name }},\n\nThank you for taking part.\n\n{% if evaluations_url %}Would you help us make "
               "the congress and its workshops better? Evaluate the workshops you attended; it takes a few "
               "minutes and your answers stay anonymous:\n\n{{ evaluations_url }}\n\n{% endif %}"
               "{% if certificate_url %}Download your certificate of attendance, with the hours you attended and "
               "the accredited points, here (first give your registration number there if you want the points "
               "registered):\n\n{{ certificate_url }}\n\n{% endif %}Your personal page:\n\n{{ manage_url }}"
               "\n\nThe presentations and reports go into the knowledge base, so that what works can be used in "
               "your municipality or organisation too."),
    },
}


class ScheduledMail(db.Model):
    """A rule of one edition: at its moment it starts a mailing to its audience, once."""

    __tablename__ = "communication_scheduled_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    moment: Mapped[str] = mapped_column(String(16))
    days: Mapped[int] = mapped_column(Integer)
    subject_nl: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    text_nl: Mapped[str] = mapped_column(Text)
    subject_en: Mapped[str] = mapped_column(String(SUBJECT_MAX), default="")
    text_en: Mapped[str] = mapped_column(Text, default="")
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The mailing it started: its history, counts and progress.
    mailing_id: Mapped[int | None] = mapped_column(ForeignKey("communication_mailings.id", ondelete="SET NULL"))

    congress: Mapped[Congress] = relationship()
    mailing: Mapped[Mailing | None] = relationship()

    __table_args__ = (CheckConstraint(f"moment IN ({_MOMENTS})", name="moment_known"),
                      CheckConstraint(f"days >= 0 AND days <= {MAX_DAYS}", name="days_in_range"))

    @property
    def moment_label(self) -> str:
        return str(MOMENT_LABELS.get(self.moment, self.moment))

    @property
    def audience(self) -> Audience:
        if self.moment == Moment.AFTER_END.value:
            return Audience(status="confirmed", checked_in="yes")
        return Audience(status="confirmed")

    @property
    def due_at(self) -> datetime:
        """09:00 local, ``days`` before the first day or after the last, in UTC."""
        zone = ZoneInfo(self.congress.timezone or "Europe/Amsterdam")
        if self.moment == Moment.AFTER_END.value:
            day = self.congress.ends_on + timedelta(days=self.days)
        else:
            day = self.congress.starts_on - timedelta(days=self.days)
        return datetime.combine(day, SEND_HOUR, tzinfo=zone).astimezone(UTC)

    @property
    def closes_at(self) -> datetime:
        """After this it does not fire any more (too late to be of use)."""
        if self.moment == Moment.AFTER_END.value:
            return self.due_at + timedelta(days=LATE_DAYS)
        return self.congress.starts_at

    def state(self, now: datetime | None = None) -> str:
        """``fired``, ``paused``, ``missed`` (its window passed unfired) or ``waiting``."""
        now = now or utcnow()
        if self.fired_at is not None:
            return "fired"
        if self.paused:
            return "paused"
        return "missed" if now >= self.closes_at else "waiting"


STATE_LABELS = {"fired": _l("Sent"), "paused": _l("Paused"), "missed": _l("Not sent: its moment has passed"),
                "waiting": _l("Scheduled")}


@dataclass(frozen=True)
class Rule:
    """What the rule form holds."""

    moment: str
    days: int | None
    subject_nl: str
    text_nl: str
    subject_en: str = ""
    text_en: str = ""


class ScheduleConflict(Conflict):
    """A rule that has fired cannot change any more (409)."""


def _checked(rule: Rule) -> None:
    if rule.moment not in MOMENT_LABELS:
        raise MailingError(_("Choose when the mail is sent."), field="moment")
    if rule.days is None or not 0 <= rule.days <= MAX_DAYS:
        raise MailingError(_("Give a number of days from 0 to %(max)d.", max=MAX_DAYS), field="days")
    # The texts as a mailing checks them (length, Dutch required, the template parses).
    check_draft(Draft(Audience(), rule.subject_nl, rule.text_nl, rule.subject_en, rule.text_en))


def _apply(target: ScheduledMail, rule: Rule) -> None:
    target.moment, target.days = rule.moment, int(rule.days or 0)
    target.subject_nl, target.text_nl = rule.subject_nl.strip(), rule.text_nl
    target.subject_en, target.text_en = rule.subject_en.strip(), rule.text_en


def default_rule(moment: str) -> Rule:
    texts = DEFAULT_TEXTS[moment]
    return Rule(moment, 3 if moment == Moment.BEFORE_START.value else 1, *texts["nl"], *texts["en"])


def create_rule(congress: Congress, rule: Rule, *, by: Any = None) -> ScheduledMail:
    _checked(rule)
    with write_transaction():
        target = ScheduledMail(congress_id=congress.id)
        _apply(target, rule)
        db.session.add(target)
        db.session.flush()
        record("mailing.scheduled", congress, actor=by, rule_id=target.id, moment=target.moment, days=target.days)
    return target


def _locked(rule_id: int) -> ScheduledMail:
    target = db.session.scalar(lock_for_update(sa.select(ScheduledMail).where(ScheduledMail.id == rule_id)))
    if target is None:
        raise MailingError(_("This scheduled mail does not exist any more."))
    return target


def update_rule(rule_id: int, rule: Rule, *, by: Any = None) -> ScheduledMail:
    _checked(rule)
    with write_transaction():
        target = _locked(rule_id)
        if target.fired_at is not None:
            raise ScheduleConflict(_("This mail has been sent; it cannot change any more."))
        _apply(target, rule)
        record("mailing.schedule_changed", target.congress, actor=by, rule_id=rule_id, moment=target.moment,
               days=target.days)
    return target


def set_paused(rule_id: int, paused: bool, *, by: Any = None) -> ScheduledMail:
    with write_transaction():
        target = _locked(rule_id)
        if target.fired_at is not None:
            raise ScheduleConflict(_("This mail has been sent; it cannot change any more."))
        target.paused = paused
        record("mailing.schedule_paused" if paused else "mailing.schedule_resumed", target.congress, actor=by,
               rule_id=rule_id)
    return target


def delete_rule(rule_id: int, *, by: Any = None) -> None:
    with write_transaction():
        target = _locked(rule_id)
        if target.fired_at is not None:
            raise ScheduleConflict(_("This mail has been sent; it stays in the history."))
        record("mailing.schedule_deleted", target.congress, actor=by, rule_id=rule_id)
        db.session.delete(target)


def rules_of(congress: Congress) -> list[ScheduledMail]:
    return list(db.session.scalars(sa.select(ScheduledMail).where(ScheduledMail.congress_id == congress.id)
                                   .order_by(ScheduledMail.moment.desc(), ScheduledMail.days.desc(),
                                             ScheduledMail.id)))


def preview_rule(congress: Congress, rule: Rule) -> Preview:
    """Who would receive it now and the message for the first of them (nothing is stored)."""
    draft = Mailing(congress=congress, audience=ScheduledMail(moment=rule.moment).audience.as_dict(),
                    subject_nl=rule.subject_nl, text_nl=rule.text_nl, subject_en=rule.subject_en,
                    text_en=rule.text_en)
    try:
        return preview(draft)
    finally:
        if draft in db.session:
            db.session.expunge(draft)


def fire(rule_id: int, now: datetime | None = None) -> int | None:
    """Fire the rule if it is due, not paused, not fired and its window is open: mark it and start its
    mailing in one transaction. The id of the mailing started, else None. Safe to run twice at once."""
    now = now or utcnow()
    with write_transaction():
        target = _locked(rule_id)
        if target.fired_at is not None or target.paused or now < target.due_at or now >= target.closes_at:
            return None
        target.fired_at = now
        congress = target.congress
        mailing = create_mailing(congress, Draft(target.audience, target.subject_nl, target.text_nl,
                                                 target.subject_en, target.text_en))
        target.mailing_id = mailing.id
        try:
            start_sending(mailing.id)
        except MailingError:
            # Nobody in the audience (nobody was checked in, nobody confirmed): fired, nothing to send.
            record("mailing.schedule_empty", congress, actor_label="worker", rule_id=rule_id)
            return None
        record("mailing.schedule_fired", congress, actor_label="worker", rule_id=rule_id, mailing_id=mailing.id)
        return mailing.id


def due_rules(now: datetime | None = None) -> list[int]:
    """The rules that may fire now (unfired, unpaused, their day has come; the window is checked by
    :func:`fire` under the lock)."""
    now = now or utcnow()
    candidates = db.session.scalars(sa.select(ScheduledMail).where(
        ScheduledMail.fired_at.is_(None), ScheduledMail.paused.is_(False)))
    return [r.id for r in candidates if r.due_at <= now < r.closes_at]


def fire_due(now: datetime | None = None) -> list[int]:
    """The periodic job's work: fire every due rule; the mailings started."""
    started = []
    for rule_id in due_rules(now):
        mailing_id = fire(rule_id, now)
        if mailing_id is not None:
            started.append(mailing_id)
    return started


def copy_rules(source: Congress, target: Congress) -> int:
    """Cloning an edition copies its rules, unfired and as they were (paused stays paused). Runs in the
    cloning's transaction."""
    copied = 0
    for rule in rules_of(source):
        db.session.add(ScheduledMail(congress_id=target.id, moment=rule.moment, days=rule.days,
                                     subject_nl=rule.subject_nl, text_nl=rule.text_nl, subject_en=rule.subject_en,
                                     text_en=rule.text_en, paused=rule.paused))
        copied += 1
    return copied
