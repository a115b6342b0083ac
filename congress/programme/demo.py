"""Demo data for the programme: publish version 1 of every public edition's programme (idempotent),
give several speakers a photo and a biography in Dutch and English, and publish a second version of
the upcoming edition's programme (two lunch lectures added, the closing debate moved), so that the programme
page has something to show a returning visitor ("since your last visit: 2 new, 1 moved").

The demo programmes have no hard conflicts; should an edited demo have some, it is published all
the same (the schedule editor shows them) so that the public pages have a programme to show. The
photos are drawn here (a coloured background, a head and shoulders): no image files from elsewhere.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from PIL import Image, ImageDraw

from congress.core import services as core
from congress.core.models import Congress, CongressStatus, Person
from congress.extensions import db
from congress.programme import services
from congress.programme.models import ProgrammeSession, SessionFormat

UPCOMING_SLUG = "congres-2025"
# Speaker (by e-mail) → (background, foreground) of the drawn portrait; the others keep their initials.
PORTRAITS = {
    "vermeulen@sprekers.example": ((21, 66, 115), (214, 228, 242)),
    "dejong@sprekers.example": ((122, 46, 14), (247, 222, 205)),
    "yilmaz@sprekers.example": ((91, 42, 110), (233, 216, 240)),
    "osei@sprekers.example": ((39, 89, 55), (214, 236, 220)),
    "visser@sprekers.example": ((61, 74, 92), (226, 231, 238)),
}
BIOS = {
    "vermeulen@sprekers.example": (
        "Sanne Vermeulen onderzoekt bij het Kennisinstituut Weerbare Samenleving welke interventies jongeren en "
        "gezinnen weerbaarder maken. Ze promoveerde op beschermende factoren tegen polarisatie en begeleidt "
        "gemeenten bij het meten van effecten.",
        "Sanne Vermeulen researches at the Knowledge Institute for a Resilient Society which interventions make "
        "young people and families more resilient. Her PhD was on protective factors against polarisation; she "
        "helps municipalities measure effects."),
    "dejong@sprekers.example": (
        "Marieke de Jong geeft al tien jaar gastlessen en trainingen mediawijsheid aan leerlingen, docenten en "
        "jongerenwerkers.",
        "Marieke de Jong has given guest lessons and media literacy training to pupils, teachers and youth "
        "workers for ten years."),
    "yilmaz@sprekers.example": (
        "Ayşe Yılmaz is ervaringsdeskundige en traint professionals in het bespreekbaar maken van "
        "zelfbeschikking, in het Nederlands en het Turks.",
        "Ayşe Yılmaz speaks from her own experience and trains professionals to talk about self-determination, "
        "in Dutch and Turkish."),
    "osei@sprekers.example": (
        "Kwame Osei is lector burgerschap aan de Hogeschool van Amsterdam en schrijft over democratische "
        "vaardigheden in het beroepsonderwijs.",
        "Kwame Osei is professor of citizenship at the Amsterdam University of Applied Sciences and writes "
        "about democratic skills in vocational education."),
    "visser@sprekers.example": (
        "Linda Visser leidt namens het ministerie van Sociale Zaken en Werkgelegenheid de Agenda Veerkrachtige "
        "& Weerbare Samenleving.",
        "Linda Visser leads the Agenda for a Resilient Society on behalf of the Ministry of Social Affairs and "
        "Employment."),
    "elhaddad@sprekers.example": (
        "Youssef El Haddad adviseert de gemeente Rotterdam over veerkracht in wijken en werkt samen met "
        "sleutelfiguren uit gemeenschappen.",
        ""),
}
# (start, end, format, track index or None, room index, title, abstract, English title and abstract,
#  speakers' e-mail keys)
ADDED_2025 = [
    ("12:15", "13:15", SessionFormat.LECTURE, 0, 1, "Lunchlezing: deepfakes in de klas",
     "Wat doen leerlingen met gemanipuleerde beelden, en hoe bespreek je dat? Met voorbeelden uit de praktijk.",
     "Lunch lecture: deepfakes in the classroom",
     "What do pupils do with manipulated images, and how do you talk about them? With examples from practice.",
     ["osei"]),
    ("12:15", "13:15", SessionFormat.LECTURE, 2, 3, "Lunchlezing: jongeren aan het woord",
     "Jongeren uit de werkplaatsen vertellen wat hen helpt, en wat niet. Neem uw lunch mee.",
     "Lunch lecture: young people speak",
     "Young people from the workshops tell what helps them, and what does not. Bring your lunch.", ["bakker"]),
]
MOVED_2025 = ("Slotdebat: veerkracht en weerbaarheid na 2025", "15:15", "16:15")


def load(report: list[str]) -> None:
    editions = db.session.scalars(
        sa.select(Congress).where(Congress.status != CongressStatus.DRAFT.value).order_by(Congress.starts_on)
    ).all()
    _speakers(report)
    for congress in editions:
        if services.latest_version(congress) is not None or not congress.sessions:
            continue
        hard = [c for c in services.find_conflicts(congress) if c.is_hard]
        version = services.publish(congress, None, "Eerste versie van het programma.", allow_conflicts=True)
        report.append(f"Programme of {congress.slug} published as version {version.number}"
                      + (f" ({len(hard)} conflicts to solve in the schedule editor)." if hard else "."))
    upcoming = next((c for c in editions if c.slug == UPCOMING_SLUG), None)
    if upcoming is not None:
        _second_version(upcoming, report)


def portrait(background: tuple[int, int, int], foreground: tuple[int, int, int], side: int = 512) -> bytes:
    """A placeholder portrait as a PNG: a head and shoulders on a coloured background."""
    image = Image.new("RGB", (side, side), background)
    draw = ImageDraw.Draw(image)
    s = side / 512
    draw.ellipse((176 * s, 96 * s, 336 * s, 272 * s), fill=foreground)  # head
    draw.ellipse((86 * s, 300 * s, 426 * s, 640 * s), fill=foreground)  # shoulders
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _speakers(report: list[str]) -> None:
    people = {p.email: p for p in db.session.scalars(sa.select(Person).where(Person.email.in_(list(BIOS))))}
    photos = 0
    for email, (nl, en) in BIOS.items():
        person = people.get(email)
        if person is None:
            continue
        if not person.bio_en and (not person.bio or person.bio.endswith(f"bij {person.organisation}.")):
            person.bio, person.bio_en = nl, en
        if email in PORTRAITS and not person.photo:
            core.set_photo(person, portrait(*PORTRAITS[email]))
            photos += 1
    if photos:
        report.append(f"Photos for {photos} demo speakers, biographies in Dutch and English.")


def _at(congress: Congress, day: date, hhmm: str) -> datetime:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=ZoneInfo(congress.timezone))


def _second_version(congress: Congress, report: list[str]) -> None:
    """Once, after version 1: two lunch lectures added and the closing debate a quarter later, published."""
    latest = services.latest_version(congress)
    if latest is None or latest.number != 1:
        return
    if any(s.title == ADDED_2025[0][5] for s in congress.sessions):
        return
    day = congress.starts_on
    speakers = {p.email.split("@")[0]: p for p in db.session.scalars(
        sa.select(Person).where(Person.email.like("%@sprekers.example")))}
    for start, end, fmt, track, room, title, abstract, title_en, abstract_en, keys in ADDED_2025:
        db.session.add(ProgrammeSession(
            congress=congress, title=title, abstract=abstract, title_en=title_en, abstract_en=abstract_en,
            format=fmt.value, language="nl",
            track=congress.tracks[track] if track is not None else None, room=congress.rooms[room],
            starts_at=_at(congress, day, start), ends_at=_at(congress, day, end),
            speakers=[speakers[k] for k in keys if k in speakers],
        ))
    moved_title, start, end = MOVED_2025
    moved = next((s for s in congress.sessions if s.title == moved_title), None)
    if moved is not None and moved.starts_at is not None:
        moved.starts_at, moved.ends_at = _at(congress, day, start), _at(congress, day, end)
    db.session.flush()
    version = services.publish(congress, None, "Twee lunchlezingen toegevoegd; het slotdebat begint een kwartier "
                               "later.", allow_conflicts=True)
    report.append(f"Programme of {congress.slug}: version {version.number} published (2 new, 1 moved).")
