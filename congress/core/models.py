"""Editions, tracks, rooms and people: what every other capability hangs from."""

from __future__ import annotations

import enum
import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from congress.database import UTCDateTime, utcnow
from congress.extensions import db
from congress.i18n import bilingual


class CongressStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    ARCHIVED = "archived"


# The moves of the lifecycle: draft → published → closed → archived, and back from closed to published
# (to reopen an edition closed too early). A draft is never archived without being held; an archived
# edition is final (its knowledge archive lives on). ``core.services.allowed_moves`` reads this.
STATUS_MOVES: dict[str, tuple[str, ...]] = {
    CongressStatus.DRAFT.value: (CongressStatus.PUBLISHED.value,),
    CongressStatus.PUBLISHED.value: (CongressStatus.CLOSED.value,),
    CongressStatus.CLOSED.value: (CongressStatus.PUBLISHED.value, CongressStatus.ARCHIVED.value),
    CongressStatus.ARCHIVED.value: (),
}


class Congress(db.Model):
    """One edition of the congress; several live side by side and public URLs carry the slug."""

    __tablename__ = "congresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title_nl: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    tagline_nl: Mapped[str] = mapped_column(String(300), default="")
    tagline_en: Mapped[str] = mapped_column(String(300), default="")
    description_nl: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    # Times of day in the edition's timezone (None: the day's start and end).
    starts_at_time: Mapped[time | None] = mapped_column(Time)
    ends_at_time: Mapped[time | None] = mapped_column(Time)
    # The organisers' address, shown to attendees and in mails.
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    status: Mapped[str] = mapped_column(String(16), default=CongressStatus.DRAFT.value)
    # Registration window and the capacity of the whole edition (None: no limit).
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Raised on every change to the programme (sessions, tracks, rooms, speakers): public pages and
    # feeds are cached under this stamp (programme capability).
    programme_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The event site's practical information (docs/event-site.md): the venue's accessibility, travel and
    # parking; the logo (a stored name, ``<sha256>.png`` in the storage area ``site``) and the accent colour
    # of buttons and headings (``#rrggbb``, at least 4.5:1 against white text; empty: the house colour).
    accessibility_nl: Mapped[str] = mapped_column(Text, default="", server_default="")
    accessibility_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    travel_nl: Mapped[str] = mapped_column(Text, default="", server_default="")
    travel_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    logo: Mapped[str | None] = mapped_column(String(80))
    accent_colour: Mapped[str] = mapped_column(String(7), default="", server_default="")

    tracks: Mapped[list[Track]] = relationship(
        back_populates="congress", order_by="Track.position", cascade="all, delete-orphan"
    )
    rooms: Mapped[list[Room]] = relationship(
        back_populates="congress", order_by="Room.position", cascade="all, delete-orphan"
    )
    faqs: Mapped[list[EditionFaq]] = relationship(
        back_populates="congress", order_by="EditionFaq.position", cascade="all, delete-orphan"
    )
    # ``sessions`` (the edition's programme sessions) is declared by the programme capability, which
    # sits above this one: ``ProgrammeSession.congress`` adds it as a backref.

    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        CheckConstraint("status IN ('draft', 'published', 'closed', 'archived')", name="status_known"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
    )

    title = bilingual("title")

    tagline = bilingual("tagline")

    description = bilingual("description")

    accessibility = bilingual("accessibility")

    travel = bilingual("travel")

    @property
    def is_public(self) -> bool:
        return self.status != CongressStatus.DRAFT.value

    @property
    def is_archived(self) -> bool:
        """Read-only everywhere except the knowledge archive."""
        return self.status == CongressStatus.ARCHIVED.value

    @property
    def starts_at(self) -> datetime:
        """When the edition begins (UTC): its first day at its start time (midnight if none)."""
        local = datetime.combine(self.starts_on, self.starts_at_time or time(0, 0), tzinfo=ZoneInfo(self.timezone))
        return local.astimezone(UTC)

    @property
    def venue_city(self) -> str:
        """The place of the venue, read from its address: what follows a Dutch postcode ("Jaarbeursplein
        6, 3521 AL Utrecht" → "Utrecht"), else the address's last part after a comma; "" without one."""
        parts = [part.strip() for part in self.venue_address.split(",") if part.strip()]
        if not parts:
            return ""
        match = _POSTCODE_AND_PLACE.match(parts[-1])
        if match:
            return match.group(1)
        return parts[-1] if len(parts) > 1 and not any(ch.isdigit() for ch in parts[-1]) else ""

    @property
    def registration_closes(self) -> datetime:
        """When registration closes: the window's close, else the edition's start."""
        return self.registration_closes_at or self.starts_at

    def __repr__(self) -> str:
        return f"<Congress {self.slug}>"


# "3521 AL Utrecht", "3521AL  Den Haag": a Dutch postcode and the place after it.
_POSTCODE_AND_PLACE = re.compile(r"^\d{4}\s?[A-Za-z]{2}\s+(\S.*)$")


class Track(db.Model):
    """A thematic line of workshops within one edition."""

    __tablename__ = "tracks"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    name_nl: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description_nl: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(7), default="#154273")
    position: Mapped[int] = mapped_column(Integer, default=0)

    congress: Mapped[Congress] = relationship(back_populates="tracks")

    __table_args__ = (UniqueConstraint("congress_id", "name_nl"),)

    name = bilingual("name")

    description = bilingual("description")


class EditionFaq(db.Model):
    """A question and its answer on the edition's site, in Dutch and English, in the organiser's order."""

    __tablename__ = "edition_faqs"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    question_nl: Mapped[str] = mapped_column(String(300))
    question_en: Mapped[str] = mapped_column(String(300), default="")
    answer_nl: Mapped[str] = mapped_column(Text)
    answer_en: Mapped[str] = mapped_column(Text, default="")

    congress: Mapped[Congress] = relationship(back_populates="faqs")

    question = bilingual("question")

    answer = bilingual("answer")


class Room(db.Model):
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    capacity: Mapped[int] = mapped_column(Integer)
    accessibility_notes: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The room's stream or meeting link, for its sessions without one of their own (never public).
    stream_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # When the room can be used (None: the whole congress); the schedule editor warns outside it.
    available_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    available_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    congress: Mapped[Congress] = relationship(back_populates="rooms")

    __table_args__ = (
        UniqueConstraint("congress_id", "name"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint(
            "available_until IS NULL OR available_from IS NULL OR available_until > available_from",
            name="availability_in_order",
        ),
    )


class Person(db.Model):
    """Someone who appears in the programme (a speaker); may or may not have a user account."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    function: Mapped[str] = mapped_column(String(200), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    # The English biography (optional): ``bio`` is the Dutch one; ``bio_for(locale)`` falls back.
    bio_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Stored name (``<sha256>.jpg``) of the re-encoded square photo in the storage area ``cfp``
    # (congress/core/photos.py); shown publicly only for speakers of the published programme.
    photo: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bio_for = bilingual("bio", nl="bio")
