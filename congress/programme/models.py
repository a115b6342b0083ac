"""Programme items ("sessions" in the programme; not database sessions)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    update,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship
from sqlalchemy.orm import Session as OrmSession

from congress.core.models import Congress, Person, Room, Track
from congress.database import UTCDateTime, utcnow
from congress.extensions import db
from congress.i18n import bilingual


class SessionFormat(enum.StrEnum):
    PLENARY = "plenair"
    WORKSHOP = "workshop"
    LECTURE = "lezing"
    PANEL = "paneldiscussie"
    DIALOGUE = "dialoogsessie"


session_speakers = Table(
    "session_speakers",
    db.metadata,
    Column("session_id", ForeignKey("programme_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)


class SignupRound(db.Model):
    """A time slot with parallel workshops; an attendee picks at most one session per round."""

    __tablename__ = "signup_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    name_nl: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    congress: Mapped[Congress] = relationship()
    sessions: Mapped[list[ProgrammeSession]] = relationship(
        back_populates="signup_round", order_by="ProgrammeSession.starts_at"
    )

    __table_args__ = (UniqueConstraint("congress_id", "name_nl"),)

    name = bilingual("name")


class ProgrammeSession(db.Model):
    __tablename__ = "programme_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="SET NULL"), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(250))
    abstract: Mapped[str] = mapped_column(Text, default="")
    # The English title and abstract (optional): ``title`` and ``abstract`` are the Dutch ones.
    title_en: Mapped[str] = mapped_column(String(250), default="", server_default="")
    abstract_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    format: Mapped[str] = mapped_column(String(32), default=SessionFormat.WORKSHOP.value)
    language: Mapped[str] = mapped_column(String(8), default="nl")
    target_audience: Mapped[str] = mapped_column(String(250), default="")
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Planned length (from an accepted proposal), so that a session without times can be scheduled.
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    capacity: Mapped[int | None] = mapped_column(Integer)
    signup_round_id: Mapped[int | None] = mapped_column(
        ForeignKey("signup_rounds.id", ondelete="SET NULL"), index=True
    )
    signup_required: Mapped[bool] = mapped_column(Boolean, default=False)
    is_cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    # A stream or meeting link (else the room's): shown only to registrants, on their personal page,
    # and opened through /my/<secret>/join/<id>, which records online attendance. Never public.
    stream_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # Raised when a published session changes, so that calendar apps replace their copy.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Declares ``Congress.sessions`` from this side, so that core does not name the programme.
    congress: Mapped[Congress] = relationship(
        backref=backref("sessions", order_by="ProgrammeSession.starts_at", cascade="all, delete-orphan")
    )
    track: Mapped[Track | None] = relationship()
    room: Mapped[Room | None] = relationship()
    signup_round: Mapped[SignupRound | None] = relationship(back_populates="sessions")
    speakers: Mapped[list[Person]] = relationship(
        secondary=session_speakers, order_by=session_speakers.c.position
    )

    __table_args__ = (
        CheckConstraint("ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint(
            "format IN ('plenair', 'workshop', 'lezing', 'paneldiscussie', 'dialoogsessie')", name="format_known"
        ),
    )

    # The title and abstract in the reader's language, the other as fallback: ``title_for(locale)``.
    title_for = bilingual("title", nl="title")
    abstract_for = bilingual("abstract", nl="abstract")

    @property
    def effective_capacity(self) -> int | None:
        """The session's own capacity, else its room's."""
        if self.capacity is not None:
            return self.capacity
        return self.room.capacity if self.room is not None else None

    @property
    def effective_stream_url(self) -> str:
        """The session's own stream or meeting link, else its room's ("" for none)."""
        return self.stream_url or (self.room.stream_url if self.room is not None else "") or ""


class ProgrammeVersion(db.Model):
    """A published state of an edition's programme: a number, a changelog and a snapshot to diff against."""

    __tablename__ = "programme_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    # [{"session_id", "title", "kinds": ["new"|"moved"|"room"|"cancelled"|"changed"|"removed"], ...}]
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # {session_id: {...}} as published, to compute the next version's changelog.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    congress: Mapped[Congress] = relationship()

    __table_args__ = (
        UniqueConstraint("congress_id", "number"),
        CheckConstraint("number > 0", name="number_positive"),
    )


_PROGRAMME_CLASSES = (ProgrammeSession, Track, Room, SignupRound, ProgrammeVersion)
# Only these attributes of a changed row matter to the public programme; columns other
# capabilities may add (counters and the like) do not invalidate its cache nor lock the edition.
_WATCHED = {
    ProgrammeSession: ("title", "abstract", "title_en", "abstract_en", "format", "language", "target_audience",
                       "starts_at", "ends_at", "room_id", "track_id", "room", "track", "capacity", "signup_round_id",
                       "signup_required", "is_cancelled", "sequence", "speakers"),
    Person: ("name", "organisation", "function", "bio", "bio_en", "photo", "email"),
    Congress: ("slug", "title_nl", "title_en", "description_nl", "description_en", "starts_on", "ends_on",
               "timezone", "venue_name", "venue_address", "status"),
}


def _changed(obj: Any) -> bool:
    watched = _WATCHED.get(type(obj))
    if watched is None:
        return True
    state = sa_inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in watched)


@event.listens_for(OrmSession, "after_flush")
def _stamp_programme_changes(session: OrmSession, _context: Any) -> None:
    """Raise ``Congress.programme_changed_at`` whenever anything shown in the programme changes.

    Public pages and feeds are cached under that stamp, so every writer (this capability, the
    demo loader, the call for proposals …) invalidates them without knowing about the cache.
    """
    congress_ids: set[int] = set()
    person_ids: set[int] = set()
    dirty = [obj for obj in session.dirty if _changed(obj)]
    for obj in (*session.new, *dirty, *session.deleted):
        if isinstance(obj, _PROGRAMME_CLASSES):
            congress_id = obj.congress_id or (obj.congress.id if obj.congress is not None else None)
            if congress_id:
                congress_ids.add(congress_id)
        elif isinstance(obj, Person) and obj.id:
            person_ids.add(obj.id)
        elif isinstance(obj, Congress) and obj.id and obj not in session.new:
            congress_ids.add(obj.id)
    if person_ids:
        rows = session.execute(
            ProgrammeSession.__table__.select()
            .with_only_columns(ProgrammeSession.__table__.c.congress_id)
            .join(session_speakers, session_speakers.c.session_id == ProgrammeSession.__table__.c.id)
            .where(session_speakers.c.person_id.in_(person_ids))
        )
        congress_ids.update(row[0] for row in rows)
    if congress_ids:
        session.execute(
            update(Congress.__table__)
            .where(Congress.__table__.c.id.in_(congress_ids))
            .values(programme_changed_at=utcnow())
        )


def format_label(value: str) -> str:
    """The session format in the reader's language."""
    labels = {
        SessionFormat.PLENARY.value: _("Plenary"),
        SessionFormat.WORKSHOP.value: _("Workshop"),
        SessionFormat.LECTURE.value: _("Lecture"),
        SessionFormat.PANEL.value: _("Panel discussion"),
        SessionFormat.DIALOGUE.value: _("Dialogue session"),
    }
    return labels.get(value, value)
