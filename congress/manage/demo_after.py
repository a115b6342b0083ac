"""Demo data that makes the cockpit of every demo edition look alive (idempotent; congress/demo.py
calls every ``<capability>/demo_after.py`` after all the capabilities' demo data, which this builds on).

Per edition: some 120 registrations made over several weeks (more after each mailing), in every
status, with sectors, dietary wishes and accessibility needs, enrolled in the workshops until they
are full and then on their waiting lists; mail in every state of the outbox. An edition whose day has
come gets check-ins at the entrance from a quarter past eight until eleven, and in the workshops.

Rows are written directly, with times in the past (the services stamp "now" and would mail everyone):
demo data only, never a path for real registrations.
"""

from __future__ import annotations

import random
import secrets
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from congress.checkin.models import VENUE, CheckIn, list_key
from congress.core.models import Congress
from congress.database import utcnow
from congress.extensions import db
from congress.mail.models import OutboxMessage
from congress.programme.models import ProgrammeSession
from congress.registration import services as registration_services
from congress.registration.models import Enrolment, Registration, Sector
from congress.tokens import hash_secret

DOMAIN = "@gemeente-voorbeeld.example"  # marks the rows of this module (idempotence)
PEOPLE = 120
FIRST = ["Aylin", "Bas", "Cor", "Dewi", "Eline", "Faisal", "Gerrit", "Hatice", "Ivo", "Joyce", "Karim", "Lieke",
         "Maarten", "Nadia", "Okke", "Petra", "Ruben", "Selin", "Thijs", "Ursula", "Vera", "Wouter", "Yara", "Zeynep"]
LAST = ["van Dijk", "El Amrani", "de Jong", "Kaya", "Hendriks", "Willems", "Bos", "Yilmaz", "Kuipers", "Vos",
        "Peters", "Brouwer", "Koster", "Boukhari", "Dekker"]
ORGANISATIONS = ["Gemeente Amersfoort", "Gemeente Zwolle", "Veiligheidsregio Utrecht", "GGD Hollands Midden",
                 "Stichting JOU", "Movisie", "Hogeschool Utrecht", "Politie Midden-Nederland",
                 "Raad voor de Kinderbescherming", "Stichting Vluchtelingenwerk", "Gemeente Rotterdam",
                 "Nederlands Jeugdinstituut"]
DIETARY = ["vegetarisch", "vegetarisch", "vegetarisch", "veganistisch", "halal", "halal", "glutenvrij",
           "lactosevrij", "notenallergie"]
ACCESSIBILITY = ["rolstoelplek in de zaal", "ringleiding", "tolk Nederlandse Gebarentaal",
                 "prikkelarme ruimte om even bij te komen", "parkeerplaats dicht bij de ingang"]
FAILURES = ["550 5.1.1 Het adres bestaat niet bij de ontvangende server.",
            "452 4.2.2 De mailbox van de ontvanger is vol; later opnieuw geprobeerd."]


def load(report: list[str]) -> None:
    for congress in db.session.scalars(sa.select(Congress).order_by(Congress.starts_on)):
        done = db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
            Registration.congress_id == congress.id, Registration.email.like(f"%{DOMAIN}")))
        if done:
            continue
        # Never more holders than the edition's capacity (the registration demo may have filled it: the
        # past edition's waiting list); the check-ins and mail then use the people already registered.
        holders = db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
            Registration.congress_id == congress.id, Registration.status.in_(("confirmed", "pending"))))
        room = PEOPLE if congress.capacity is None else max(0, min(PEOPLE, congress.capacity - holders))
        if not room and db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn).where(
                CheckIn.congress_id == congress.id)):
            continue  # done before, on the people already registered
        people = _registrations(congress, room) if room else _dated(congress)
        _mail(congress, people)
        arrived = _checkins(congress, people) if congress.starts_on <= date.today() else 0
        report.append(f"Cockpit of {congress.slug}: {len(people)} registrations over several weeks, "
                      f"mail in every state, {arrived} check-ins.")


def _dated(congress: Congress) -> list[Registration]:
    """The registrations another demo made (all "now"), spread over the weeks before the edition."""
    people = list(db.session.scalars(
        sa.select(Registration).where(Registration.congress_id == congress.id).order_by(Registration.id)))
    moments = _moments(congress, len(people), random.Random(f"dated-{congress.slug}"))
    for i, (person, moment) in enumerate(zip(people, moments, strict=True)):
        if i % 9 == 4 and not person.accessibility:
            person.accessibility = ACCESSIBILITY[i % len(ACCESSIBILITY)]
        shift = moment - person.created_at
        person.created_at = moment
        if person.confirmed_at:
            person.confirmed_at += shift
        if person.cancelled_at:
            person.cancelled_at += shift
    return people


def _moments(congress: Congress, n: int, rng: random.Random) -> list[datetime]:
    """When the registrations came in: over six weeks, with a rush after each of three mailings."""
    zone = ZoneInfo(congress.timezone)
    end = min(datetime.combine(congress.starts_on, time(8, 0), tzinfo=zone) - timedelta(days=2),
              utcnow() - timedelta(hours=1))
    start = end - timedelta(days=42)
    mailings = [start, start + timedelta(days=14), start + timedelta(days=30)]
    out = []
    for i in range(n):
        if i % 3 == 0:
            moment = start + timedelta(seconds=rng.uniform(0, (end - start).total_seconds()))
        else:
            moment = rng.choice(mailings) + timedelta(hours=rng.expovariate(1 / 30))
        local = moment.astimezone(zone)
        # Office hours, mostly.
        local = local.replace(hour=8 + (local.hour % 10), minute=rng.randrange(60))
        out.append(min(local.astimezone(UTC), end))
    return sorted(out)


def _registrations(congress: Congress, count: int = PEOPLE) -> list[Registration]:
    rng = random.Random(f"cockpit-{congress.slug}")
    sectors = list(db.session.scalars(sa.select(Sector).where(Sector.congress_id == congress.id)
                                      .order_by(Sector.position)))
    workshops = list(db.session.scalars(sa.select(ProgrammeSession).where(
        ProgrammeSession.congress_id == congress.id, ProgrammeSession.is_cancelled.is_(False),
        sa.or_(ProgrammeSession.signup_round_id.is_not(None), ProgrammeSession.signup_required.is_(True)))
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)))
    taken = dict(db.session.execute(
        sa.select(Enrolment.session_id, sa.func.count()).where(Enrolment.status == "enrolled")
        .group_by(Enrolment.session_id)).all())
    last_position = dict(db.session.execute(
        sa.select(Enrolment.session_id, sa.func.max(Enrolment.position)).group_by(Enrolment.session_id)).all())
    by_round: dict[int | None, list[ProgrammeSession]] = {}
    for session in workshops:
        by_round.setdefault(session.signup_round_id, []).append(session)
    people = []
    for i, created in enumerate(_moments(congress, count, rng)):
        status = "cancelled" if i % 11 == 4 else ("pending" if i % 9 == 7 and created > utcnow() - timedelta(days=3)
                                                   else "confirmed")
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}"
        person = Registration(
            congress_id=congress.id, name=name, email=f"aanmelding{i + 1}{DOMAIN}",
            organisation=ORGANISATIONS[i % len(ORGANISATIONS)], function="beleidsmedewerker",
            sector_id=sectors[rng.randrange(len(sectors))].id if sectors else None,
            dietary=DIETARY[i % len(DIETARY)] if i % 4 == 0 else "",
            accessibility=ACCESSIBILITY[i % len(ACCESSIBILITY)] if i % 17 == 3 else "",
            answers={}, consent_privacy=True, consent_attendee_list=i % 3 != 0, consent_photos=i % 2 == 0,
            status=status, locale="nl" if i % 8 else "en", source="form",
            manage_secret_hash="", manage_nonce=secrets.token_urlsafe(24),
            created_at=created, updated_at=created,
            confirmed_at=created + timedelta(minutes=rng.randrange(5, 600)) if status == "confirmed" else None,
            cancelled_at=created + timedelta(days=rng.randrange(1, 10)) if status == "cancelled" else None,
        )
        # The personal link works as for any registration (its secret derives from the nonce).
        person.manage_secret_hash = hash_secret(registration_services.manage_secret(person))
        db.session.add(person)
        if status != "cancelled":
            for sessions in by_round.values():
                session = sessions[0] if i % 2 == 0 else sessions[rng.randrange(len(sessions))]
                capacity = session.effective_capacity
                if capacity is None or taken.get(session.id, 0) < capacity:
                    taken[session.id] = taken.get(session.id, 0) + 1
                    person.enrolments.append(Enrolment(session_id=session.id, round_id=session.signup_round_id,
                                                       status="enrolled", position=None, created_at=created))
                else:
                    last_position[session.id] = (last_position.get(session.id) or 0) + 1
                    person.enrolments.append(Enrolment(session_id=session.id, round_id=session.signup_round_id,
                                                       status="waitlisted", position=last_position[session.id],
                                                       created_at=created))
        people.append(person)
    db.session.flush()
    return people


def _mail(congress: Congress, people: list[Registration]) -> None:
    """A confirmation per registration: sent, but a few failed and a few still waiting (retry later)."""
    now = utcnow()
    for i, person in enumerate(people):
        status = "failed" if i % 37 == 5 else ("queued" if i >= len(people) - 4 else "sent")
        db.session.add(OutboxMessage(
            to_address=person.email, template="registration/confirm", locale=person.locale,
            subject=f"Bevestig uw aanmelding voor {congress.title_nl}",
            body_text="Bevestig uw aanmelding met de link in dit bericht.",
            body_html="<p>Bevestig uw aanmelding met de link in dit bericht.</p>",
            status=status, attempts=0 if status == "queued" else (6 if status == "failed" else 1),
            last_error=FAILURES[i % len(FAILURES)] if status == "failed" else "",
            congress_id=congress.id, created_at=person.created_at,
            next_attempt_at=now + timedelta(days=2) if status == "queued" else None,
            sent_at=person.created_at + timedelta(seconds=20) if status == "sent" else None,
        ))


def _checkins(congress: Congress, people: list[Registration]) -> int:
    """Arrivals at the entrance on the first day, most before the opening, and in the workshops."""
    rng = random.Random(f"arrivals-{congress.slug}")
    zone = ZoneInfo(congress.timezone)
    doors = datetime.combine(congress.starts_on, time(8, 15), tzinfo=zone)
    count = 0
    for i, person in enumerate(p for p in people if p.status == "confirmed"):
        if i % 8 == 6:
            continue  # did not come
        arrival = doors + timedelta(minutes=min(rng.expovariate(1 / 40), 165))
        db.session.add(CheckIn(congress_id=congress.id, registration_id=person.id, list_key=VENUE,
                               station_name="Hoofdingang", scanned_at=arrival, received_at=arrival))
        count += 1
        for enrolment in person.enrolments:
            session = db.session.get(ProgrammeSession, enrolment.session_id)
            if enrolment.status == "enrolled" and session.starts_at and i % 5:
                at = max(session.starts_at - timedelta(minutes=rng.randrange(1, 12)), arrival)
                db.session.add(CheckIn(congress_id=congress.id, registration_id=person.id,
                                       list_key=list_key(session.id), session_id=session.id,
                                       station_name=f"Zaal {session.room.name if session.room else ''}".strip(),
                                       scanned_at=at, received_at=at))
    return count
