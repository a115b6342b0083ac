"""Knowledge items, their versions, files, terms (facets), relations and speaker invitations.

The full-text index (``knowledge_search``) is not an ORM table: its shape differs per database
(an FTS5 virtual table on SQLite, a tsvector table with a GIN index on PostgreSQL). The migration
creates it and :mod:`congress.archive.search` reads and writes it.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from congress.core.models import Congress, Person, Track
from congress.database import UTCDateTime, utcnow
from congress.extensions import db
from congress.i18n import bilingual

if TYPE_CHECKING:
    from congress.programme.models import ProgrammeSession

# Tables the archive manages outside the ORM; Alembic's comparison leaves them alone.
SEARCH_TABLE = "knowledge_search"
# The search's narrow copy of each item's facets, kept by database triggers (migration archive_0002).
FACETS_TABLE = "knowledge_search_facets"
db.metadata.info.setdefault("unmanaged_table_prefixes", set()).update({SEARCH_TABLE, FACETS_TABLE})


class ItemType(enum.StrEnum):
    SESSION_REPORT = "sessieverslag"
    PRESENTATION = "presentatie"
    RECORDING = "opname"
    INTERVENTION = "interventie"
    EVALUATION = "evaluatie"
    REPORT = "rapport"
    NEWS = "nieuws"
    MILESTONE = "mijlpaal"


class ItemStatus(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class RecognitionLevel(enum.StrEnum):
    """The levels of the Dutch databanks of effective interventions (erkenningsniveaus), lowest first.

    Stored in ``knowledge_items.evidence_status`` (the column and every JSON field keep that name).
    Migration archive_0006 mapped the archive's earlier scale onto these (``OLD_LEVELS``)."""

    NOT_ASSESSED = "nog_niet_beoordeeld"
    WELL_DESCRIBED = "goed_beschreven"
    WELL_FOUNDED = "goed_onderbouwd"
    EFFECTIVE_FIRST = "effectief_eerste"
    EFFECTIVE_GOOD = "effectief_goede"
    EFFECTIVE_STRONG = "effectief_sterke"


# The earlier, home-made scale and the level each value became (migration archive_0006); the way
# back (its downgrade) takes each level to the nearest old value and loses the difference.
OLD_LEVELS = {
    "in_ontwikkeling": RecognitionLevel.NOT_ASSESSED.value,
    "getest": RecognitionLevel.WELL_DESCRIBED.value,
    "bewezen_effectief": RecognitionLevel.EFFECTIVE_FIRST.value,
}
LEVELS_BACK = {
    RecognitionLevel.NOT_ASSESSED.value: "in_ontwikkeling",
    RecognitionLevel.WELL_DESCRIBED.value: "getest",
    RecognitionLevel.WELL_FOUNDED.value: "getest",
    RecognitionLevel.EFFECTIVE_FIRST.value: "bewezen_effectief",
    RecognitionLevel.EFFECTIVE_GOOD.value: "bewezen_effectief",
    RecognitionLevel.EFFECTIVE_STRONG.value: "bewezen_effectief",
}


class RelationKind(enum.StrEnum):
    """What a related item is to an intervention: any related item, or one of its evaluations; and
    what an intervention is to a session's item: the intervention the session presents."""

    RELATED = ""
    PROCESS_EVALUATION = "process"
    EFFECT_EVALUATION = "effect"
    PRESENTS = "presents"


# The kinds an editor sets in the item form's key fields (the intervention presented has its own).
EDITED_RELATIONS = (RelationKind.RELATED.value, RelationKind.PROCESS_EVALUATION.value,
                    RelationKind.EFFECT_EVALUATION.value)


class TermKind(enum.StrEnum):
    TAG = "tag"
    FACTOR = "factor"
    TARGET_GROUP = "target_group"


def _in(column: str, values: Any) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


knowledge_item_speakers = Table(
    "knowledge_item_speakers",
    db.metadata,
    Column("item_id", ForeignKey("knowledge_items.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)

# An intervention and the evaluations (or reports) that study it.
knowledge_relations = Table(
    "knowledge_relations",
    db.metadata,
    Column("item_id", ForeignKey("knowledge_items.id", ondelete="CASCADE"), primary_key=True),
    Column("related_id", ForeignKey("knowledge_items.id", ondelete="CASCADE"), primary_key=True),
    # "" for any related item; "process" / "effect" for an intervention's process and effect evaluations;
    # "presents" from a session's item to the intervention the session presents.
    Column("kind", String(16), nullable=False, default="", server_default=""),
    # Harvest records name relations in both directions: the items that relate to one, found by index.
    Index("ix_knowledge_relations_related_id", "related_id"),
)


class KnowledgeItem(db.Model):
    __tablename__ = "knowledge_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The permalink key: random, given at creation, never changed.
    key: Mapped[str] = mapped_column(String(16), unique=True)
    type: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ItemStatus.DRAFT.value, index=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    # The English title and summary (optional): ``title`` and ``summary`` are the Dutch ones.
    title_en: Mapped[str] = mapped_column(String(300), default="", server_default="")
    summary_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    body: Mapped[str] = mapped_column(Text, default="")
    congress_id: Mapped[int | None] = mapped_column(ForeignKey("congresses.id", ondelete="SET NULL"), index=True)
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="SET NULL"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_sessions.id", ondelete="SET NULL"), index=True
    )
    # Track name kept on the item so that facets group the same track across editions.
    track_name: Mapped[str] = mapped_column(String(200), default="", index=True)
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    organisations: Mapped[list[str]] = mapped_column(JSON, default=list)
    links: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(8), default="nl", index=True)
    licence: Mapped[str] = mapped_column(String(64), default="CC BY 4.0")
    publication_date: Mapped[date | None] = mapped_column(Date, index=True)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    # The recognition level (RecognitionLevel) of an intervention; the name is the API's and open data's.
    evidence_status: Mapped[str | None] = mapped_column(String(24))
    # Set by migration archive_0006 on the items whose level it converted from the earlier scale:
    # the editors' list shows them until an editor confirms or changes the level.
    evidence_review: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    setting: Mapped[str] = mapped_column(String(300), default="")
    # What the databanks of effective interventions describe of an intervention (in the item's language).
    aim: Mapped[str] = mapped_column(Text, default="", server_default="")
    approach: Mapped[str] = mapped_column(Text, default="", server_default="")
    active_ingredients: Mapped[str] = mapped_column(Text, default="", server_default="")
    implementers: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    tested_at: Mapped[str] = mapped_column(Text, default="", server_default="")
    manual: Mapped[str] = mapped_column(Text, default="", server_default="")
    manual_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    databank_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="")

    congress: Mapped[Congress | None] = relationship()
    track: Mapped[Track | None] = relationship()
    session: Mapped[ProgrammeSession | None] = relationship()
    speakers: Mapped[list[Person]] = relationship(
        secondary=knowledge_item_speakers, order_by=knowledge_item_speakers.c.position
    )
    terms: Mapped[list[KnowledgeTerm]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="KnowledgeTerm.id"
    )
    files: Mapped[list[KnowledgeFile]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="KnowledgeFile.id"
    )
    recordings: Mapped[list[KnowledgeRecording]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="KnowledgeRecording.id"
    )
    versions: Mapped[list[KnowledgeVersion]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="KnowledgeVersion.number"
    )
    related: Mapped[list[KnowledgeItem]] = relationship(
        secondary=knowledge_relations,
        primaryjoin=lambda: KnowledgeItem.id == knowledge_relations.c.item_id,
        secondaryjoin=lambda: KnowledgeItem.id == knowledge_relations.c.related_id,
    )

    __table_args__ = (
        CheckConstraint(_in("type", ItemType), name="type_known"),
        CheckConstraint(_in("status", ItemStatus), name="status_known"),
        CheckConstraint(
            "evidence_status IS NULL OR " + _in("evidence_status", RecognitionLevel), name="evidence_known"
        ),
        Index("ix_knowledge_items_status_date", "status", "publication_date"),
        # Facet counts group the published items by these columns: a covering index.
        Index("ix_knowledge_items_facets", "status", "type", "year", "language", "track_name"),
        # Harvesters (OAI-PMH) page by the last change: keyset on (updated_at, id), status filtered in the index.
        Index("ix_knowledge_items_harvest", "updated_at", "id", "status"),
    )

    # The title and summary in the reader's language, the other as fallback: ``title_for(locale)``.
    title_for = bilingual("title", nl="title")
    summary_for = bilingual("summary", nl="summary")

    def term_values(self, kind: str) -> list[str]:
        return [t.value for t in self.terms if t.kind == kind]

    @property
    def tags(self) -> list[str]:
        return self.term_values(TermKind.TAG.value)

    @property
    def factors(self) -> list[str]:
        return self.term_values(TermKind.FACTOR.value)

    @property
    def target_groups(self) -> list[str]:
        return self.term_values(TermKind.TARGET_GROUP.value)

    @property
    def is_intervention(self) -> bool:
        return self.type == ItemType.INTERVENTION.value

    @property
    def databank_fields(self) -> list[tuple[str, str]]:
        """The filled-in descriptive fields of an intervention, as (field name, text), in the databanks' order."""
        names = ("aim", "approach", "active_ingredients", "tested_at", "manual")
        return [(name, getattr(self, name)) for name in names if (getattr(self, name) or "").strip()]

    @property
    def public_files(self) -> list[KnowledgeFile]:
        """The files that may be published with the item (their uploader agreed): what the public sees."""
        return [f for f in self.files if f.public]

    @property
    def is_public(self) -> bool:
        return self.status == ItemStatus.PUBLISHED.value


class KnowledgeTerm(db.Model):
    """A tag, protective factor or target group of an item: the facets count these rows."""

    __tablename__ = "knowledge_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("knowledge_items.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(120))

    item: Mapped[KnowledgeItem] = relationship(back_populates="terms")

    __table_args__ = (
        UniqueConstraint("item_id", "kind", "value"),
        Index("ix_knowledge_terms_kind_value", "kind", "value", "item_id"),
        CheckConstraint(_in("kind", TermKind), name="kind_known"),
    )


class KnowledgeFile(db.Model):
    """An uploaded file, stored under its SHA-256 outside the static folder."""

    __tablename__ = "knowledge_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("knowledge_items.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(String(300), default="")
    extracted_text: Mapped[str] = mapped_column(Text, default="")
    uploaded_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Rights: whoever uploads agrees (or not) to its publication, under a licence ("" = the item's).
    # An editor's upload is published by the editor; a speaker's only with the speaker's consent.
    # Without it the file stays with the editors: never on the public page, in OAI-PMH or in DCAT.
    publication_consent: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    licence: Mapped[str] = mapped_column(String(64), default="", server_default="")

    item: Mapped[KnowledgeItem] = relationship(back_populates="files")

    @property
    def public(self) -> bool:
        return self.publication_consent

    def licence_or(self, item_licence: str) -> str:
        return self.licence or item_licence

    __table_args__ = (CheckConstraint("kind IN ('pdf', 'pptx', 'docx', 'png', 'jpeg')", name="kind_known"),)


class KnowledgeVersion(db.Model):
    """A snapshot of the editable fields after each edit: the history, the diff and the restore."""

    __tablename__ = "knowledge_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("knowledge_items.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(300), default="")
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[KnowledgeItem] = relationship(back_populates="versions")

    __table_args__ = (UniqueConstraint("item_id", "number"),)


class SpeakerInvitation(db.Model):
    """A personal link for a speaker to add slides and a summary to a draft item (hash stored)."""

    __tablename__ = "knowledge_speaker_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("knowledge_items.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item: Mapped[KnowledgeItem] = relationship()
    person: Mapped[Person | None] = relationship()


class SessionEvaluation(db.Model):
    """The evaluation item made from one session's aggregated answers, and its key figures.

    One per session, guaranteed by the unique ``session_id``: the run that inserts the row (``INSERT …
    ON CONFLICT DO NOTHING``) makes the item, in the same transaction; any other run finds the row.
    The figures are what the intervention's page lists across editions (the item's text has them all)."""

    __tablename__ = "knowledge_session_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_sessions.id", ondelete="SET NULL"), unique=True)
    # Set in the transaction that claims the session; NULL only inside it.
    item_id: Mapped[int | None] = mapped_column(ForeignKey("knowledge_items.id", ondelete="CASCADE"), unique=True)
    congress_id: Mapped[int | None] = mapped_column(ForeignKey("congresses.id", ondelete="SET NULL"), index=True)
    session_title: Mapped[str] = mapped_column(String(300), default="")
    responses: Mapped[int] = mapped_column(Integer, default=0)
    checked_in: Mapped[int | None] = mapped_column(Integer)
    # The mean of the form's first rating question (the overall rating) and that scale's top.
    mean: Mapped[float | None] = mapped_column(Float)
    scale_high: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[KnowledgeItem | None] = relationship()
    congress: Mapped[Congress | None] = relationship()

    __table_args__ = (CheckConstraint("responses >= 0", name="responses_positive"),)


class SearchSynonym(db.Model):
    """A group of words (or phrases) the search treats as one: a query for any of them also finds
    the others ("jongeren", "jeugd"; "jeugdcriminaliteit", "jeugd criminaliteit"). Editors keep the
    list in the back office; the search reads it for every query."""

    __tablename__ = "knowledge_search_synonyms"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The words as the editor wrote them, comma-separated (two or more).
    words: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def members(self) -> list[str]:
        return [w.strip() for w in self.words.split(",") if w.strip()]


class SearchWord(db.Model):
    """A word (folded, as written) that occurs in an indexed item: the vocabulary a "did you mean"
    suggestion is taken from. Added as items are indexed, never counted: a suggestion is only
    offered after the suggested query was found to give results."""

    __tablename__ = "knowledge_search_words"

    word: Mapped[str] = mapped_column(String(40), primary_key=True)


class RecordingSource(enum.StrEnum):
    FILE = "file"  # a video uploaded to the archive's storage (MP4 or WebM)
    URL = "url"  # a page on the organisation's own video platform: shown as a link, never embedded


class KnowledgeRecording(db.Model):
    """A recording of the session an item belongs to, added after the congress (congress/archive/recordings.py).

    Public only while ``published``, the item is published and every speaker of the session consents
    to the recording's publication (``cfp.queries.sessions_without_recording_consent``), checked
    whenever it is shown: a consent withdrawn later takes it off at once."""

    __tablename__ = "knowledge_recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("knowledge_items.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    title_en: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # An uploaded file: stored under its SHA-256 in the archive's storage area.
    sha256: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200), default="", server_default="")
    content_type: Mapped[str] = mapped_column(String(40), default="", server_default="")
    size: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # An external recording: an https address on the organisation's video platform.
    url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    added_by: Mapped[str] = mapped_column(String(254), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[KnowledgeItem] = relationship(back_populates="recordings")
    captions: Mapped[list[KnowledgeCaption]] = relationship(
        back_populates="recording", cascade="all, delete-orphan", order_by="KnowledgeCaption.language"
    )

    title_for = bilingual("title", nl="title")

    def caption(self, language: str) -> KnowledgeCaption | None:
        return next((c for c in self.captions if c.language == language), None)

    __table_args__ = (
        CheckConstraint("source IN ('file', 'url')", name="source_known"),
        CheckConstraint("(source = 'file' AND sha256 IS NOT NULL) OR (source = 'url' AND url <> '')",
                        name="source_complete"),
    )


class KnowledgeCaption(db.Model):
    """The WebVTT captions of a recording in one language (checked by congress/archive/webvtt.py)."""

    __tablename__ = "knowledge_recording_captions"

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("knowledge_recordings.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(2))
    # The file as checked: UTF-8, newlines normalised (at most ARCHIVE_MAX_CAPTION_BYTES).
    text: Mapped[str] = mapped_column(Text)
    cue_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recording: Mapped[KnowledgeRecording] = relationship(back_populates="captions")

    __table_args__ = (
        UniqueConstraint("recording_id", "language"),
        CheckConstraint("language IN ('nl', 'en')", name="language_known"),
    )
