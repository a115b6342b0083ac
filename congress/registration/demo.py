"""Demo data for registration (idempotent).

The demo editions lie in the past on today's calendar, which would leave nothing to try. So
``congres-2025`` (published) gets a registration window that opened on 1 September 2025 and stays open
for a year after the demo is loaded, a capacity of 250, the demo sectors, one custom question, a small
workshop (12 seats) that is full with a waiting list, and 40 confirmed demo registrations. No mail is
sent for them. ``congres-2024`` (archived) stays closed.

Waiting lists: the upcoming edition offers the edition-wide waiting list (it has places left, so the
form stays an ordinary registration until it is full). The past edition had one: a capacity of 30, 36
registrations, six of them on the waiting list, and three cancellations that promoted the first three
waiting (through the services, so the audit log tells it; their promotion mails went to the demo's
``.example`` addresses, which no server delivers).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from congress.core import services as core
from congress.database import utcnow
from congress.extensions import db
from congress.questions.models import Question
from congress.questions.queries import Target
from congress.registration import services
from congress.registration.models import Registration

FIRST = ["Anouk", "Bram", "Chantal", "Daan", "Esra", "Fleur", "Gijs", "Hanna", "Imran", "Jasmijn", "Koen", "Lotte",
         "Mohamed", "Noor", "Olaf", "Priya", "Quinten", "Rosa", "Sem", "Tamara"]
LAST = ["de Vries", "Jansen", "Bakker", "Öztürk", "Visser", "Smit", "Meijer", "Benali", "Mulder", "de Boer"]
ORGANISATIONS = [("Gemeente Utrecht", 0), ("Stichting Buurtwerk Noord", 1), ("ROC Midden Nederland", 2),
                 ("Universiteit Utrecht", 3), ("Ministerie van Justitie en Veiligheid", 4), ("", 5),
                 ("Gemeente Tilburg", 0), ("Jeugdfonds Sport & Cultuur", 1)]
FUNCTIONS = ["beleidsadviseur", "jongerenwerker", "docent burgerschap", "onderzoeker", "programmamanager",
             "ervaringsdeskundige", "wijkcoördinator"]


UPCOMING, PAST = "congres-2025", "congres-2024"
PAST_CAPACITY, PAST_REGISTRATIONS, PAST_CANCELLED = 30, 36, 3


def _waiting_lists(report: list[str]) -> None:
    """The upcoming edition offers its waiting list; the past one had one, with people promoted."""
    upcoming = core.congress_by_slug(UPCOMING)
    if upcoming is not None and not services.offers_waiting_list(upcoming.id):
        services.set_waiting_list(upcoming, True)
        report.append(f"{upcoming.slug} offers a waiting list when it is full.")
    past = core.congress_by_slug(PAST)
    if past is None or db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
            Registration.congress_id == past.id)):
        return
    services.ensure_default_sectors(past)
    past.capacity = PAST_CAPACITY
    services.set_waiting_list(past, True)
    sectors = services.sectors(past)
    results = []
    for i in range(PAST_REGISTRATIONS):
        organisation, sector_index = ORGANISATIONS[(i + 3) % len(ORGANISATIONS)]
        data = services.RegistrationData(
            name=f"{FIRST[(i + 7) % len(FIRST)]} {LAST[(i * 7 + 1) % len(LAST)]}",
            email=f"deelnemer{i + 1}@deelnemers-2024.example", organisation=organisation,
            function=FUNCTIONS[(i + 2) % len(FUNCTIONS)], sector_id=sectors[sector_index].id if sectors else None,
            consent_privacy=True, consent_attendee_list=i % 3 != 0, dietary="halal" if i % 9 == 4 else "")
        results.append(services.register(past, data, confirmed=True, source="organiser", ignore_window=True,
                                         notify=False))
    # Three people with a place could not come after all: the first three waiting got their places.
    for result in results[2:2 + PAST_CANCELLED * 4:4]:
        services.cancel(result.registration, reason="attendee", notify=False)
    report.append(f"{past.slug}: {PAST_REGISTRATIONS} registrations for {PAST_CAPACITY} places; "
                  f"{PAST_CANCELLED} cancelled and the first {PAST_CANCELLED} waiting promoted, "
                  f"{services.edition_waiting_count(past.id)} still waiting.")


def load(report: list[str]) -> None:
    _waiting_lists(report)
    congress = core.congress_by_slug("congres-2025")
    if congress is None:
        return
    if congress.registration_opens_at is None:
        congress.registration_opens_at = datetime(2025, 9, 1, 7, 0, tzinfo=UTC)
        congress.registration_closes_at = utcnow() + timedelta(days=365)
        congress.capacity = 250
    services.ensure_default_sectors(congress)
    if not services.questions(congress):
        db.session.add(Question(
            congress_id=congress.id, target=Target.REGISTRATION.value, kind="single_choice",
            label_nl="Hoe heeft u van het congres gehoord?", label_en="How did you hear about the congress?",
            required=False, position=0,
            options=[{"value": "1", "nl": "Uitnodiging per e-mail", "en": "Invitation by e-mail"},
                     {"value": "2", "nl": "Via een collega", "en": "Through a colleague"},
                     {"value": "3", "nl": "Website of sociale media", "en": "Website or social media"}]))
    db.session.flush()
    exists = db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.congress_id == congress.id))
    if exists:
        report.append(f"Registrations for {congress.slug} exist; left as they are.")
        return
    sessions = services.signup_sessions(congress)
    small = next((s for s in sessions if s.title.startswith("Gastlessen")), None)
    if small is not None and small.capacity is None:
        small.capacity = 12
        db.session.flush()
    sectors = services.sectors(congress)
    by_round: dict[int | None, list] = {}
    for s in sessions:
        by_round.setdefault(s.signup_round_id, []).append(s)
    for i in range(40):
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i * 3) % len(LAST)]}"
        organisation, sector_index = ORGANISATIONS[i % len(ORGANISATIONS)]
        choice = []
        for round_sessions in by_round.values():
            # Most people want the small workshop, so that it fills up and has a waiting list.
            wanted = small if small in round_sessions and i % 3 != 2 else round_sessions[i % len(round_sessions)]
            choice.append(wanted.id)
        data = services.RegistrationData(
            name=name, email=f"deelnemer{i + 1}@deelnemers.example", organisation=organisation,
            function=FUNCTIONS[i % len(FUNCTIONS)], sector_id=sectors[sector_index].id if sectors else None,
            consent_privacy=True, consent_attendee_list=i % 4 != 0, consent_photos=i % 2 == 0,
            dietary="vegetarisch" if i % 5 == 0 else "",
        )
        services.register(congress, data, choice, confirmed=i % 6 != 5, source="organiser", ignore_window=True,
                          notify=False, role="pers" if i == 7 else ("vrijwilliger" if i == 11 else "deelnemer"))
    report.append(f"Registration for {congress.slug} is open until "
                  f"{congress.registration_closes_at:%Y-%m-%d}; 40 demo registrations added.")
    _online(congress, sectors, report)


STREAM_HOST = "https://live.congres.example"  # the organisers' own streaming (example.org-style name)


def _online(congress, sectors: list, report: list[str]) -> None:
    """Online places beside the venue's: 150, the plenary sessions streamed, eight people online."""
    services.save_window(congress, opens_at=congress.registration_opens_at,
                         closes_at=congress.registration_closes_at, capacity=congress.capacity,
                         waiting_list=services.offers_waiting_list(congress.id), online_places=True,
                         online_capacity=150)
    streamed = [s for s in congress.sessions if not s.is_cancelled and s.starts_at and not s.signup_required
                and s.signup_round_id is None]
    for s in streamed:
        s.stream_url = f"{STREAM_HOST}/{congress.slug}/sessie-{s.id}"
    db.session.flush()
    for i in range(8):
        organisation, sector_index = ORGANISATIONS[(i * 5 + 2) % len(ORGANISATIONS)]
        data = services.RegistrationData(
            name=f"{FIRST[(i * 7 + 3) % len(FIRST)]} {LAST[(i * 5 + 1) % len(LAST)]}",
            email=f"deelnemer{i + 1}@online.example", organisation=organisation,
            function=FUNCTIONS[(i + 2) % len(FUNCTIONS)], sector_id=sectors[sector_index].id if sectors else None,
            consent_privacy=True, attendance_mode="online")
        services.register(congress, data, [], confirmed=True, source="organiser", ignore_window=True, notify=False)
    report.append(f"{congress.slug} offers 150 online places; {len(streamed)} plenary sessions are streamed; "
                  "8 people take part online.")
