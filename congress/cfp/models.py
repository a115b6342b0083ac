"""Call for proposals: settings per edition, proposals with their speakers, invitations, review,
decisions and uploaded slides."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from congress.accounts.models import User
from congress.core.models import Congress, Person, Track
from congress.database import UTCDateTime, utcnow
from congress.extensions import db
from congress.i18n import bilingual
from congress.programme.models import ProgrammeSession


class ProposalStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    HELD = "held"
    REJECTED = "rejected"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"


PROTECTIVE_FACTORS = (
    "positieve identiteitsontwikkeling",
    "digitale weerbaarheid",
    "ondersteunende gezinsstructuren",
    "democratisch burgerschap",
    "sociale cohesie",
)

_STATUSES = ", ".join(f"'{s.value}'" for s in ProposalStatus)


class CfpSettings(db.Model):
    """The call of one edition: its window, limits and texts."""

    __tablename__ = "cfp_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), unique=True)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    max_proposals_per_speaker: Mapped[int] = mapped_column(Integer, default=5)
    title_max: Mapped[int] = mapped_column(Integer, default=150)
    abstract_max: Mapped[int] = mapped_column(Integer, default=1000)
    description_max: Mapped[int] = mapped_column(Integer, default=5000)
    notes_max: Mapped[int] = mapped_column(Integer, default=2000)
    bio_max: Mapped[int] = mapped_column(Integer, default=1500)
    call_text_nl: Mapped[str] = mapped_column(Text, default="")
    call_text_en: Mapped[str] = mapped_column(Text, default="")
    anonymised: Mapped[bool] = mapped_column(Boolean, default=False)

    congress: Mapped[Congress] = relationship()

    __table_args__ = (
        CheckConstraint("max_proposals_per_speaker >= 1", name="max_proposals_positive"),
        CheckConstraint("closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at", name="closes_after_open"),
    )

    call_text = bilingual("call_text")

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return (
            self.opens_at is not None and self.closes_at is not None and self.opens_at <= now < self.closes_at
        )


class CfpTrack(db.Model):
    """A track that takes proposals in this call."""

    __tablename__ = "cfp_tracks"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"), unique=True)

    track: Mapped[Track] = relationship()


class CfpFormat(db.Model):
    """A kind of session speakers may propose, with the durations allowed."""

    __tablename__ = "cfp_formats"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    name_nl: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    durations: Mapped[list[int]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("congress_id", "name_nl"),
        CheckConstraint(
            "kind IN ('plenair', 'workshop', 'lezing', 'paneldiscussie', 'dialoogsessie')", name="kind_known"
        ),
    )

    name = bilingual("name")


class ReviewCriterion(db.Model):
    __tablename__ = "cfp_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    name_nl: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    weight: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (CheckConstraint("weight >= 1", name="weight_positive"),)

    name = bilingual("name")


class Proposal(db.Model):
    __tablename__ = "cfp_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=ProposalStatus.DRAFT.value, index=True)
    title: Mapped[str] = mapped_column(String(300))
    abstract: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    format_id: Mapped[int | None] = mapped_column(ForeignKey("cfp_formats.id", ondelete="SET NULL"))
    duration: Mapped[int | None] = mapped_column(Integer)
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="SET NULL"), index=True)
    language: Mapped[str] = mapped_column(String(8), default="nl")
    target_audience: Mapped[str] = mapped_column(String(250), default="")
    protective_factor: Mapped[str] = mapped_column(String(100), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_mail_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_sessions.id", ondelete="SET NULL"), unique=True
    )

    congress: Mapped[Congress] = relationship()
    format: Mapped[CfpFormat | None] = relationship()
    track: Mapped[Track | None] = relationship()
    session: Mapped[ProgrammeSession | None] = relationship()
    speakers: Mapped[list[ProposalSpeaker]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalSpeaker.position"
    )
    reviews: Mapped[list[Review]] = relationship(back_populates="proposal", cascade="all, delete-orphan")

    __table_args__ = (CheckConstraint(f"status IN ({_STATUSES})", name="status_known"),)

    @property
    def people(self) -> list[Person]:
        return [s.person for s in self.speakers]


class ProposalSpeaker(db.Model):
    __tablename__ = "cfp_proposal_speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("cfp_proposals.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    is_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The speaker's consent that the session is recorded and the recording published in the knowledge
    # archive (and so in OAI-PMH, DCAT and the sitemap), given on the speaker's page, and when. A
    # recording of the session is public only while every speaker of the proposal consents.
    recording_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    recording_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposal: Mapped[Proposal] = relationship(back_populates="speakers")
    person: Mapped[Person] = relationship()

    __table_args__ = (UniqueConstraint("proposal_id", "person_id"),)


class CoSpeakerInvitation(db.Model):
    """A single-use link for one e-mail address to join a proposal as co-speaker."""

    __tablename__ = "cfp_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("cfp_proposals.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    proposal: Mapped[Proposal] = relationship()


class ReviewAssignment(db.Model):
    """A reviewer assigned to a whole track or to one proposal."""

    __tablename__ = "cfp_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("cfp_proposals.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reviewer: Mapped[User] = relationship()
    track: Mapped[Track | None] = relationship()
    proposal: Mapped[Proposal | None] = relationship()

    __table_args__ = (
        CheckConstraint("(track_id IS NULL) <> (proposal_id IS NULL)", name="one_target"),
        UniqueConstraint("reviewer_id", "track_id", "proposal_id"),
    )


class ConflictOfInterest(db.Model):
    __tablename__ = "cfp_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("cfp_proposals.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("proposal_id", "reviewer_id"),)


class Review(db.Model):
    __tablename__ = "cfp_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("cfp_proposals.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # {criterion id (as text): score 1..5}
    scores: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    comment_organisers: Mapped[str] = mapped_column(Text, default="")
    comment_speaker: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("proposal_id", "reviewer_id"),)


class SlideUpload(db.Model):
    """Slides a speaker uploaded; the file is stored outside the static folder under its SHA-256."""

    __tablename__ = "cfp_slides"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("cfp_proposals.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_sessions.id", ondelete="SET NULL"), index=True
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The speaker's consent to publish the slides in the knowledge archive, and under which licence.
    publication_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    licence: Mapped[str] = mapped_column(String(64), default="", server_default="")

    proposal: Mapped[Proposal] = relationship()
