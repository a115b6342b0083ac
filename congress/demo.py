"""Demo data: the Congres Veerkrachtige & Weerbare Samenleving, an upcoming and a past edition.

Texts are Dutch (the source language of the content) and follow the Agenda's letters to the
House of Representatives (7 July 2023 and 26 November 2024). Loading is idempotent: an edition that
exists is left as it is.

The editions are dated relative to the day the demo is loaded, so that ``make run`` always shows an
open registration and a finished congress: the upcoming one on a Thursday about three and a half months
ahead, registration open since a month ago until it starts; the past one 52 weeks before it, archived
with its knowledge base. Their titles carry the year of their date. Their slugs stay ``congres-2025``
(upcoming) and ``congres-2024`` (past): the capabilities' demo modules and tests find them by these.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from congress import capabilities
from congress.accounts import services as accounts
from congress.accounts.models import Role
from congress.core import services as core
from congress.core.models import Congress, CongressStatus, Person
from congress.database import utcnow, write_transaction
from congress.extensions import db
from congress.programme.models import ProgrammeSession, SessionFormat, SignupRound

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ORGANISER_EMAIL = "organisator@congres.example"

TRACKS = [
    (
        "Digitale weerbaarheid",
        "Digital resilience",
        "#0b5cad",
        "Mediawijsheid, online polarisatie en desinformatie: hoe professionals jongeren en volwassenen "
        "weerbaar maken in de digitale wereld.",
        "Media literacy, online polarisation and disinformation: how professionals make young people "
        "and adults resilient in the digital world.",
    ),
    (
        "Zelfbeschikking en emancipatie",
        "Self-determination and emancipation",
        "#8a2a72",
        "Vrij zijn om eigen keuzes te maken: positieve identiteitsontwikkeling, gelijkwaardigheid en het "
        "voorkomen van schadelijke praktijken.",
        "Being free to make your own choices: positive identity development, equality and preventing "
        "harmful practices.",
    ),
    (
        "Preventie van jeugdcriminaliteit",
        "Preventing youth crime",
        "#a04000",
        "Primaire preventie met jongeren in de wijk: jongerenwerkplaatsen, Social Labs en ondersteunende "
        "gezinsstructuren.",
        "Primary prevention with young people in the neighbourhood: youth workshops, Social Labs and "
        "supportive family structures.",
    ),
    (
        "Netwerken en participatie",
        "Networks and participation",
        "#1e6b3a",
        "Sociale cohesie, ontmoeting en democratisch burgerschap: samenwerken tussen gemeenten, "
        "maatschappelijke organisaties en inwoners.",
        "Social cohesion, meeting each other and democratic citizenship: cooperation between "
        "municipalities, civil-society organisations and residents.",
    ),
]

ROOMS = [
    ("Grote zaal", 400, "Rolstoeltoegankelijk; ringleiding; tolk Nederlandse Gebarentaal bij plenaire delen."),
    ("Zaal Utrecht", 40, "Rolstoeltoegankelijk; ringleiding."),
    ("Zaal Rotterdam", 30, "Rolstoeltoegankelijk via de lift."),
    ("Zaal Eindhoven", 30, "Rolstoeltoegankelijk via de lift."),
    ("Zaal Groningen", 25, "Rolstoeltoegankelijk; prikkelarme ruimte ernaast."),
]

SPEAKERS = {
    "vermeulen": ("Dr. Sanne Vermeulen", "Kennisinstituut Weerbare Samenleving", "onderzoeker"),
    "elhaddad": ("Youssef El Haddad", "Gemeente Rotterdam", "beleidsadviseur veerkracht"),
    "dejong": ("Marieke de Jong", "Stichting Mediawijs Onderwijs", "trainer mediawijsheid"),
    "bakker": ("Ruben Bakker", "Jongerenwerkplaats Homebase", "jongerenwerker"),
    "yilmaz": ("Ayşe Yılmaz", "Netwerk Zelfbeschikking", "ervaringsdeskundige en trainer"),
    "vanderberg": ("Thomas van der Berg", "Gemeente Eindhoven", "community builder Woensel Zuid"),
    "osei": ("Kwame Osei", "Hogeschool van Amsterdam", "lector burgerschap"),
    "visser": ("Linda Visser", "Ministerie van Sociale Zaken en Werkgelegenheid", "programmamanager Agenda"),
}

# (start, end, format, track index or None, room index, title, abstract, speakers)
PROGRAMME_2025 = [
    ("09:30", "10:30", SessionFormat.PLENARY, None, 0,
     "Opening: van testen wat werkt naar doen wat werkt",
     "De Agenda Veerkrachtige & Weerbare Samenleving sluit haar ontwikkelfase af. Welke methodes en interventies "
     "hebben zich in de praktijk bewezen, en hoe gaan gemeenten en professionals ze landelijk gebruiken?",
     ["visser", "vermeulen"]),
    ("11:00", "12:00", SessionFormat.WORKSHOP, 0, 1,
     "Gastlessen mediawijsheid die blijven hangen",
     "Hoe bespreek je desinformatie en online polarisatie in de klas? Ervaringen uit gemeenten die met de "
     "decentrale uitkering gastlessen over mediawijsheid en democratische waarden organiseren.",
     ["dejong"]),
    ("11:00", "12:00", SessionFormat.WORKSHOP, 1, 2,
     "Eigen keuzes maken: zelfbeschikking in het gesprek met jongeren",
     "Een praktische werkvorm om met jongeren en ouders te praten over vrijheid, identiteit en de grenzen "
     "die anderen stellen.",
     ["yilmaz"]),
    ("11:00", "12:00", SessionFormat.WORKSHOP, 2, 3,
     "Homebase: wat maakt een jongerenwerkplaats succesvol?",
     "Het onderzoek naar bestaande jongerenwerkplaatsen leverde succesfactoren op. In drie wijken worden nu "
     "nieuwe werkplaatsen opgezet: wat leren we tot nu toe?",
     ["bakker", "vermeulen"]),
    ("11:00", "12:00", SessionFormat.WORKSHOP, 3, 4,
     "Community builders in de wijk",
     "In Woensel Zuid brengen community builders bewoners, verenigingen en bedrijven met elkaar in contact. "
     "Wat werkt om sociale cohesie te versterken en polarisatie te verminderen?",
     ["vanderberg"]),
    ("13:30", "14:30", SessionFormat.WORKSHOP, 0, 1,
     "Desinformatie herkennen: een training voor professionals",
     "Professionals die direct met inwoners werken oefenen met het herkennen en bespreekbaar maken van "
     "desinformatie en online haat.",
     ["dejong", "osei"]),
    ("13:30", "14:30", SessionFormat.DIALOGUE, 1, 2,
     "Dialoogsessie: schadelijke praktijken voorkomen met sleutelfiguren",
     "Sleutelfiguren uit gemeenschappen, professionals en beleidsmakers gaan in gesprek over preventie en "
     "samenwerking.",
     ["yilmaz", "elhaddad"]),
    ("13:30", "14:30", SessionFormat.WORKSHOP, 2, 3,
     "Social Labs: jongeren weerbaar tegen criminele verleiding",
     "Social Labs vergroten de veerkracht van jongeren, zodat zij minder vatbaar zijn als zij met "
     "criminaliteit in aanraking komen. Een kijkje in de keuken.",
     ["bakker", "vermeulen"]),
    ("13:30", "14:30", SessionFormat.WORKSHOP, 3, 4,
     "Ouder-netwerken die dragen",
     "Ondersteunende gezinsstructuren als beschermende factor: hoe gemeenten ouders en ouder-netwerken "
     "ondersteunen.",
     ["vanderberg"]),
    ("15:00", "16:00", SessionFormat.PANEL, None, 0,
     "Slotdebat: veerkracht en weerbaarheid na 2025",
     "Met de Maatschappelijke Raad en deelnemers over de toekomst van de Agenda: welke interventies verdienen "
     "landelijke inzet, en wat hebben gemeenten daarvoor nodig?",
     ["visser", "osei", "elhaddad"]),
]

# The English title and abstract of several sessions of the upcoming edition (issue 18: both languages);
# the others show their Dutch texts to English readers.
ENGLISH_2025 = {
    "Opening: van testen wat werkt naar doen wat werkt": (
        "Opening: from testing what works to doing what works",
        "The Agenda for a Resilient Society closes its development phase. Which methods and interventions have "
        "proven themselves in practice, and how will municipalities and professionals use them nationwide?"),
    "Gastlessen mediawijsheid die blijven hangen": (
        "Media literacy guest lessons that stick",
        "How do you discuss disinformation and online polarisation in class? Experiences of municipalities that "
        "organise guest lessons on media literacy and democratic values with the decentralised grant."),
    "Eigen keuzes maken: zelfbeschikking in het gesprek met jongeren": (
        "Making your own choices: self-determination in conversations with young people",
        "A practical method for talking with young people and parents about freedom, identity and the limits "
        "others set."),
    "Homebase: wat maakt een jongerenwerkplaats succesvol?": (
        "Homebase: what makes a youth workshop succeed?",
        "Research into existing youth workshops found what makes them succeed. New workshops are now being set "
        "up in three neighbourhoods: what have we learned so far?"),
    "Slotdebat: veerkracht en weerbaarheid na 2025": (
        "Closing debate: resilience after 2025",
        "With the Social Council and participants on the future of the Agenda: which interventions deserve "
        "national use, and what do municipalities need for it?"),
}

PROGRAMME_2024 = [
    ("09:30", "10:15", SessionFormat.PLENARY, None, 0,
     "Opening van het eerste Congres Veerkrachtige & Weerbare Samenleving",
     "Experts van ministeries, gemeenten, maatschappelijke organisaties, burgers en wetenschappers in gesprek.",
     ["visser"]),
    ("10:30", "11:30", SessionFormat.WORKSHOP, 0, 1,
     "Digitale weerbaarheid bij jongeren: wat weten we?",
     "Een overzicht van onderzoek naar digitale weerbaarheid als beschermende factor.",
     ["vermeulen"]),
    ("10:30", "11:30", SessionFormat.WORKSHOP, 1, 2,
     "Zelfbeschikking en emancipatie in de praktijk",
     "Gemeenten delen hun aanpak om zelfbeschikking te versterken.",
     ["yilmaz"]),
    ("10:30", "11:30", SessionFormat.WORKSHOP, 2, 3,
     "Preventie van jeugdcriminaliteit: de rol van de wijk",
     "Over primaire preventie en de samenwerking tussen jongerenwerk, school en gemeente.",
     ["bakker"]),
    ("10:30", "11:30", SessionFormat.WORKSHOP, 3, 4,
     "Netwerken en participatie: ontmoeting organiseren",
     "Buurtinitiatieven professionaliseren en bewoners activeren.",
     ["vanderberg"]),
]


def _at(day: date, hhmm: str) -> datetime:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=AMSTERDAM)


def _speaker(key: str) -> Person:
    name, organisation, function = SPEAKERS[key]
    email = f"{key}@sprekers.example"
    person = db.session.scalar(sa.select(Person).where(Person.email == email))
    if person is None:
        person = Person(name=name, email=email, organisation=organisation, function=function,
                        bio=f"{name} werkt als {function} bij {organisation}.")
        db.session.add(person)
    return person


UPCOMING_SLUG = "congres-2025"
PAST_SLUG = "congres-2024"
THURSDAY = 3


def edition_days(today: date) -> tuple[date, date]:
    """(upcoming, past): a Thursday about 105 days after ``today``, and the Thursday 52 weeks (or 53, so that
    the years in the titles differ) before it."""
    upcoming = today + timedelta(days=105)
    upcoming += timedelta(days=(THURSDAY - upcoming.weekday()) % 7)
    past = upcoming - timedelta(weeks=52)
    if past.year == upcoming.year:
        past -= timedelta(weeks=1)
    return upcoming, past


def _build_edition(slug: str, day: date, status: str, title_suffix: str, programme: list) -> Congress:
    congress = core.create_congress(
        slug,
        title_nl=f"Congres Veerkrachtige & Weerbare Samenleving {title_suffix}",
        title_en=f"Congress on a Resilient Society {title_suffix}",
        tagline_nl="Kennis delen over het versterken van beschermende factoren",
        tagline_en="Sharing knowledge on strengthening protective factors",
        description_nl=(
            "Het congres van de Agenda Veerkrachtige & Weerbare Samenleving brengt professionals van gemeenten, "
            "maatschappelijke organisaties, onderwijsinstellingen en de wetenschap samen. In workshops over "
            "digitale weerbaarheid, zelfbeschikking en emancipatie, preventie van jeugdcriminaliteit en netwerken "
            "en participatie delen zij wat werkt om de veerkracht en weerbaarheid van inwoners te vergroten."
        ),
        description_en=(
            "The congress of the Agenda for a Resilient Society brings together professionals from municipalities, "
            "civil-society organisations, schools and science. In workshops on digital resilience, "
            "self-determination and emancipation, preventing youth crime, and networks and participation they "
            "share what works to strengthen people's resilience."
        ),
        starts_on=day,
        ends_on=day,
        venue_name="Jaarbeurs Utrecht",
        venue_address="Jaarbeursplein 6, 3521 AL Utrecht",
        starts_at_time=time(9, 0),
        ends_at_time=time(16, 30),
        contact_email="congres@veerkrachtigesamenleving.example",
        status=status,
    )
    for name_nl, name_en, colour, description_nl, description_en in TRACKS:
        core.add_track(congress, name_nl, name_en, colour=colour, description_nl=description_nl,
                       description_en=description_en)
    for name, capacity, notes in ROOMS:
        core.add_room(congress, name, capacity, accessibility_notes=notes)
    db.session.flush()
    rounds: dict[str, SignupRound] = {}
    for start, end, fmt, track_index, room_index, title, abstract, speaker_keys in programme:
        signup_round = None
        if track_index is not None:
            if start not in rounds:
                number = len(rounds) + 1
                rounds[start] = SignupRound(congress=congress, name_nl=f"Workshopronde {number}",
                                            name_en=f"Workshop round {number}", position=number)
            signup_round = rounds[start]
        title_en, abstract_en = ENGLISH_2025.get(title, ("", "")) if programme is PROGRAMME_2025 else ("", "")
        congress.sessions.append(
            ProgrammeSession(
                title=title,
                abstract=abstract,
                title_en=title_en,
                abstract_en=abstract_en,
                format=fmt.value,
                track=congress.tracks[track_index] if track_index is not None else None,
                room=congress.rooms[room_index],
                starts_at=_at(day, start),
                ends_at=_at(day, end),
                speakers=[_speaker(key) for key in speaker_keys],
                language="nl",
                target_audience="Professionals van gemeenten, maatschappelijke organisaties en onderwijs",
                signup_round=signup_round,
                signup_required=signup_round is not None,
            )
        )
    return congress


def load_demo() -> list[str]:
    """Each part in its own write transaction; the services it calls join it."""
    report: list[str] = []
    with write_transaction():
        _load_editions(report)
    # Each capability adds its own demo data (registrations, archive items, …), idempotently.
    for module in capabilities.modules("demo"):
        with write_transaction():
            module.load(report)
    # Demo data built on every capability's (the cockpit's figures: congress/manage/demo_after.py), last.
    for module in capabilities.modules("demo_after"):
        with write_transaction():
            module.load(report)
    with write_transaction():
        _staff_per_edition(report)
    # Then what describes the others' data (the audit trail, the outbox): <capability>/demo_late.py.
    for module in capabilities.modules("demo_late"):
        with write_transaction():
            module.load(report)
    return report


def _open_registration(congress: Congress) -> None:
    """Registration open since a month ago, closing when the edition starts; 250 places."""
    congress.registration_opens_at = (utcnow() - timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
    congress.registration_closes_at = congress.starts_at
    congress.capacity = 250


def _load_editions(report: list[str], today: date | None = None) -> None:
    upcoming, past = edition_days(today or date.today())
    editions = [
        (UPCOMING_SLUG, upcoming, CongressStatus.PUBLISHED.value, PROGRAMME_2025),
        (PAST_SLUG, past, CongressStatus.ARCHIVED.value, PROGRAMME_2024),
    ]
    for slug, day, status, programme in editions:
        if core.congress_by_slug(slug) is not None:
            report.append(f"Edition {slug} exists; left as it is.")
            continue
        congress = _build_edition(slug, day, status, str(day.year), programme)
        if slug == UPCOMING_SLUG:
            _open_registration(congress)
        report.append(f"Edition {slug} loaded ({day.isoformat()}).")

    organiser = accounts.find_user(ORGANISER_EMAIL)
    if organiser is None:
        password = os.environ.get("DEMO_PASSWORD") or accounts.generate_password()
        accounts.create_user(ORGANISER_EMAIL, name="Demo organisator", password=password,
                             roles=(Role.ORGANISER.value,))
        report.append(f"Organiser login: {ORGANISER_EMAIL} / {password}")
    else:
        report.append(f"Organiser {ORGANISER_EMAIL} exists (reset: flask --app wsgi congress create-user "
                      f"{ORGANISER_EMAIL} --role organiser).")


# --- staff with roles per edition (issue 14) -----------------------------------------------------

STAFF_EDITION = "congres-2025"  # the upcoming edition
STAFF = (  # e-mail, name, role, the track a track manager manages (by its Dutch name)
    ("trackmanager@congres.example", "Tineke de Vries", Role.TRACK_MANAGER.value, "Digitale weerbaarheid"),
    ("incheck@congres.example", "Youssef El Amrani", Role.CHECKIN.value, None),
    ("beoordelaar@congres.example", "Bert Beoordelaar", Role.REVIEWER.value, None),
)


def _staff_per_edition(report: list[str]) -> None:
    """A track manager of one track, a check-in staff member and a reviewer, each for the upcoming
    edition only (the reviewer of the call's demo data keeps his account; his role moves to it)."""
    congress = core.congress_by_slug(STAFF_EDITION)
    if congress is None:
        return
    password = os.environ.get("DEMO_PASSWORD") or accounts.generate_password()
    for email, name, role, track_name in STAFF:
        user = accounts.find_user(email)
        if user is not None and any(g.role == role and g.congress_id == congress.id for g in user.grants):
            continue
        if user is None:
            user = accounts.create_user(email, name=name, password=password)
            report.append(f"{name} ({role}, {congress.slug} only): {email} / {password}")
        else:
            report.append(f"{name} ({role}) now holds the role for {congress.slug} only.")
        for grant in [g for g in user.grants if g.role == role and g.congress_id is None]:
            user.grants.remove(grant)
        tracks = [t.id for t in congress.tracks if t.name_nl == track_name] if track_name else []
        accounts.grant_role(user, role, congress_ids=(congress.id,), track_ids=tuple(tracks))
    db.session.flush()
