"""The archive's business rules: items and their versions, the editorial workflow, files,
archiving an edition's sessions and inviting its speakers."""

from __future__ import annotations

import difflib
import io
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlparse

import sqlalchemy as sa
from flask_babel import gettext as _

from congress.archive import files as filestore
from congress.archive import search
from congress.archive.errors import ArchiveConflict, ArchiveError
from congress.archive.labels import EVIDENCE_LABELS, LANGUAGE_LABELS, TYPE_LABELS
from congress.archive.models import (
    ItemStatus,
    ItemType,
    KnowledgeFile,
    KnowledgeItem,
    KnowledgeTerm,
    KnowledgeVersion,
    RecognitionLevel,
    SessionEvaluation,
    SpeakerInvitation,
    TermKind,
)

# How items relate lives beside this module (relations.py) and is part of its face: re-exported.
from congress.archive.relations import (  # noqa: F401 - re-exported
    SessionFigures,
    _link_evaluation,
    interventions_by_keys,
    item_by_key,
    presented,
    relations_of,
    session_evaluation,
    session_item,
    set_presented,
    set_related,
    set_related_keys,
)

# The search's synonym list lives beside this module (synonyms.py) and is part of its face: re-exported.
from congress.archive.synonyms import delete_synonym, save_synonym, synonyms  # noqa: F401 - re-exported
from congress.audit.queries import detail_line, field_label
from congress.audit.services import current_actor, record
from congress.cfp.queries import slide_files
from congress.core.models import Congress, Track
from congress.database import insert_unless_exists, transactional, utcnow
from congress.extensions import db
from congress.i18n import current_language
from congress.mail.services import queue_mail
from congress.programme.models import ProgrammeSession
from congress.tokens import hash_secret, new_secret
from congress.uploads import DEFAULT_PUBLICATION_LICENCE, PUBLICATION_LICENCES
from congress.urls import external_url

INVITATION_DAYS = 60
KEY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"

# The protective factors of the Agenda (letter of 7 July 2023) and social cohesion (26 November 2024).
PROTECTIVE_FACTORS = (
    "positieve identiteitsontwikkeling",
    "digitale weerbaarheid",
    "ondersteunende gezinsstructuren",
    "democratisch burgerschap",
    "sociale cohesie",
)

# Which status may follow which (the editorial workflow).
TRANSITIONS: dict[str, set[str]] = {
    ItemStatus.DRAFT.value: {ItemStatus.IN_REVIEW.value},
    ItemStatus.IN_REVIEW.value: {ItemStatus.DRAFT.value, ItemStatus.PUBLISHED.value},
    ItemStatus.PUBLISHED.value: {ItemStatus.WITHDRAWN.value},
    ItemStatus.WITHDRAWN.value: {ItemStatus.DRAFT.value},
}

# The fields a version records (and a restore puts back).
VERSIONED = (
    "type", "title", "title_en", "summary", "summary_en", "body", "congress_id", "track_id", "session_id", "authors",
    "organisations",
    "links", "language", "licence", "publication_date", "evidence_status", "setting", "tags", "factors",
    "target_groups", "aim", "approach", "active_ingredients", "implementers", "tested_at", "manual", "manual_url",
    "databank_url",
)
# The intervention's descriptive texts (the databanks' fields) and how long each may be.
DATABANK_TEXTS = {"aim": 5000, "approach": 10_000, "active_ingredients": 5000, "tested_at": 2000, "manual": 2000}
DATABANK_URLS = ("manual_url", "databank_url")


def is_web_address(value: str) -> bool:
    """An absolute http(s) address without spaces (what a link on a public page may point to)."""
    parsed = urlparse(value)
    return (parsed.scheme in ("https", "http") and bool(parsed.netloc) and not any(c.isspace() for c in value)
            and len(value) <= 500)


def new_key() -> str:
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(10))


def _clean_list(values: Any) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = values.replace("\n", ",").split(",")
    seen: list[str] = []
    for value in values:
        value = " ".join(str(value).split())[:120]
        if value and value not in seen:
            seen.append(value)
    return seen


def _set_terms(item: KnowledgeItem, kind: TermKind, values: Any) -> None:
    wanted = _clean_list(values)
    item.terms = [t for t in item.terms if t.kind != kind.value or t.value in wanted]
    have = {t.value for t in item.terms if t.kind == kind.value}
    for value in wanted:
        if value not in have:
            item.terms.append(KnowledgeTerm(kind=kind.value, value=value))


def _apply(item: KnowledgeItem, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name not in VERSIONED:
            raise TypeError(f"unknown field {name}")
        if name == "type":
            item.type = ItemType(value).value
        elif name == "evidence_status":
            level = RecognitionLevel(value).value if value else None
            if level != item.evidence_status:
                item.evidence_review = False  # an editor chose the level: nothing left to check
            item.evidence_status = level
        elif name in DATABANK_TEXTS:
            setattr(item, name, str(value or "").strip()[:DATABANK_TEXTS[name]])
        elif name in DATABANK_URLS:
            address = str(value or "").strip()
            if address and not is_web_address(address):
                raise ArchiveError(_("Give an address starting with https://."))
            setattr(item, name, address)
        elif name in ("authors", "organisations", "implementers"):
            setattr(item, name, _clean_list(value))
        elif name == "links":
            item.links = [
                {"title": str(link.get("title", ""))[:200], "url": str(link["url"])[:500]}
                for link in (value or []) if str(link.get("url", "")).startswith(("https://", "http://"))
            ]
        elif name == "tags":
            _set_terms(item, TermKind.TAG, value)
        elif name == "factors":
            _set_terms(item, TermKind.FACTOR, value)
        elif name == "target_groups":
            _set_terms(item, TermKind.TARGET_GROUP, value)
        elif name == "publication_date":
            item.publication_date = date.fromisoformat(value) if isinstance(value, str) and value else (value or None)
        elif name in ("title",):
            title = " ".join(str(value or "").split())
            if not title:
                raise ArchiveError("A title is required.")
            item.title = title[:300]
        elif name == "title_en":  # optional: English readers see the Dutch title without it
            item.title_en = " ".join(str(value or "").split())[:300]
        elif name == "summary_en":
            item.summary_en = str(value or "").strip()[:5000]
        else:
            setattr(item, name, value if value is not None or name.endswith("_id") else "")
    if "track_id" in fields:
        track = db.session.get(Track, item.track_id) if item.track_id else None
        item.track = track
        item.track_name = track.name_nl if track else ""
    if "congress_id" in fields:
        item.congress = db.session.get(Congress, item.congress_id) if item.congress_id else None
    if item.publication_date is not None:
        item.year = item.publication_date.year
    elif item.congress is not None:
        item.year = item.congress.starts_on.year
    else:
        item.year = None


def snapshot(item: KnowledgeItem) -> dict[str, Any]:
    return {
        "type": item.type,
        "title": item.title,
        "summary": item.summary,
        "body": item.body,
        # The English texts only once given: versions saved before items were bilingual stay equal.
        **({"title_en": item.title_en} if item.title_en else {}),
        **({"summary_en": item.summary_en} if item.summary_en else {}),
        "congress_id": item.congress_id,
        "track_id": item.track_id,
        "session_id": item.session_id,
        "authors": list(item.authors or []),
        "organisations": list(item.organisations or []),
        "links": list(item.links or []),
        "language": item.language,
        "licence": item.licence,
        "publication_date": item.publication_date.isoformat() if item.publication_date else None,
        "evidence_status": item.evidence_status,
        "setting": item.setting,
        "tags": item.tags,
        "factors": item.factors,
        "target_groups": item.target_groups,
        "aim": item.aim,
        "approach": item.approach,
        "active_ingredients": item.active_ingredients,
        "implementers": list(item.implementers or []),
        "tested_at": item.tested_at,
        "manual": item.manual,
        "manual_url": item.manual_url,
        "databank_url": item.databank_url,
    }


def _add_version(item: KnowledgeItem, note: str) -> KnowledgeVersion | None:
    data = snapshot(item)
    if item.versions and item.versions[-1].data == data:
        return None
    _, actor = current_actor()
    version = KnowledgeVersion(number=len(item.versions) + 1, data=data, note=note[:300], actor_label=actor)
    item.versions.append(version)
    return version


@transactional
def create_item(item_type: str, title: str, *, note: str = "", **fields: Any) -> KnowledgeItem:
    item = KnowledgeItem(key=new_key(), type=ItemType(item_type).value, title=title, status=ItemStatus.DRAFT.value,
                         summary="", body="", authors=[], organisations=[], links=[], language="nl",
                         licence="CC BY 4.0", setting="", withdrawal_reason="", track_name="", aim="", approach="",
                         active_ingredients="", implementers=[], tested_at="", manual="", manual_url="",
                         databank_url="", evidence_review=False)
    db.session.add(item)
    _apply(item, {"title": title, **fields})
    db.session.flush()
    _add_version(item, note or "created")
    search.index_item(item)
    record("archive.item.create", item, congress_id=item.congress_id, key=item.key, type=item.type)
    return item


@transactional
def update_item(item: KnowledgeItem, *, note: str = "", **fields: Any) -> KnowledgeVersion | None:
    """Change fields; every change becomes a version (unchanged saves add none)."""
    _apply(item, fields)
    item.updated_at = utcnow()
    version = _add_version(item, note or "edited")
    db.session.flush()
    search.index_item(item)
    if version is not None:
        record("archive.item.edit", item, congress_id=item.congress_id, version=version.number,
               fields=sorted(fields))
    return version


@transactional
def add_session_evaluation(session: ProgrammeSession, title: str, *, summary: str, body: str, language: str,
                           figures: SessionFigures) -> tuple[SessionEvaluation, bool]:
    """The session's evaluation item: made as a draft (type evaluatie) the first time, with its key
    figures, related to the session's item and a process evaluation of each intervention that item
    presents. (row, True) when this call made it; (row, False) when it was there: its item is left as
    it is, whatever an editor did with it, and only relations to interventions linked since are added.

    One per session whatever runs at once: the row is claimed first with ``INSERT … ON CONFLICT DO
    NOTHING`` on the unique ``session_id``; the run whose insert made it makes the item."""
    claimed = db.session.execute(
        insert_unless_exists(SessionEvaluation, index_elements=["session_id"]).returning(SessionEvaluation.id),
        {"session_id": session.id, "congress_id": session.congress_id, "session_title": session.title[:300],
         "responses": figures.responses, "checked_in": figures.checked_in, "mean": figures.mean,
         "scale_high": figures.scale_high, "created_at": utcnow()}).scalar()
    archived = session_item(session.id)
    if claimed is None:
        row = session_evaluation(session.id)
        assert row is not None and row.item_id is not None
        _link_evaluation(row.item_id, archived)
        return row, False
    row = db.session.get(SessionEvaluation, claimed)
    assert row is not None
    item = create_item(
        ItemType.EVALUATION.value, title, note="made from the session's evaluation",
        summary=summary, body=body, congress_id=session.congress_id, track_id=session.track_id,
        language=language, publication_date=None,
        organisations=[], authors=[],
    )
    row.item_id = item.id
    db.session.flush()
    _link_evaluation(item.id, archived)
    record("archive.session.evaluation", item, congress_id=session.congress_id, session_id=session.id,
           responses=figures.responses)
    return row, True



def items_to_review() -> sa.Select:
    """The items whose level migration archive_0006 converted and no editor has checked yet."""
    return items_for_editors().where(KnowledgeItem.evidence_review.is_(True))


@transactional
def confirm_level(item: KnowledgeItem) -> None:
    """An editor checked the level the migration converted, and keeps it."""
    if not item.evidence_review:
        return
    item.evidence_review = False
    record("archive.item.level_confirm", item, congress_id=item.congress_id, level=item.evidence_status)


@transactional
def recordings_consent_changed(session_id: int) -> int:
    """A speaker of the session gave or withdrew their recording consent (``cfp.signals``, inside their
    transaction): the session's recordings (``opname`` items, items with recordings) change now — the next
    incremental harvest gets them (as records or deleted ones), their caches are rewritten. How many."""
    result = db.session.execute(
        sa.update(KnowledgeItem)
        .where(KnowledgeItem.session_id == session_id, sa.or_(KnowledgeItem.type == ItemType.RECORDING.value,
                                                               KnowledgeItem.recordings.any()))
        .values(updated_at=utcnow()).execution_options(synchronize_session="fetch"))
    return int(result.rowcount or 0)


@transactional
def set_status(item: KnowledgeItem, status: str, *, reason: str = "") -> None:
    status = ItemStatus(status).value
    if status not in TRANSITIONS[item.status]:
        raise ArchiveConflict(f"An item cannot go from {item.status} to {status}.", code="transition")
    previous = item.status
    item.status = status
    if status == ItemStatus.PUBLISHED.value:
        item.published_at = utcnow()
        item.withdrawal_reason = ""
        if item.publication_date is None:
            item.publication_date = date.today()
            _apply(item, {})
    elif status == ItemStatus.WITHDRAWN.value:
        item.withdrawn_at = utcnow()
        item.withdrawal_reason = " ".join(reason.split())[:1000]
    db.session.flush()
    record(f"archive.item.{status}", item, congress_id=item.congress_id, previous=previous, reason=reason[:200])


@transactional
def restore_version(item: KnowledgeItem, number: int) -> KnowledgeVersion:
    version = next((v for v in item.versions if v.number == number), None)
    if version is None:
        raise ArchiveError("There is no such version.")
    # A version without English texts (none given then, or saved before items were bilingual) had none.
    data = {"title_en": "", "summary_en": "", **version.data}
    _apply(item, data)
    new = _add_version(item, f"restored version {number}")
    db.session.flush()
    search.index_item(item)
    record("archive.item.restore", item, congress_id=item.congress_id, restored=number)
    return new or item.versions[-1]


def _lines(data: dict[str, Any]) -> list[str]:
    """A version as lines a person reads: field names and values through the audit log's renderer."""
    locale = current_language()
    values = {"evidence_status": EVIDENCE_LABELS, "type": TYPE_LABELS, "language": LANGUAGE_LABELS}
    lines: list[str] = []
    for name in VERSIONED:
        value = data.get(name)
        if name in ("title_en", "summary_en") and not value:
            continue
        if name in ("summary", "summary_en", "body"):
            lines.append(f"{field_label(name, locale)}:")
            lines += [f"  {line}" for line in str(value or "").splitlines()]
        else:
            lines.append(detail_line(name, value, locale, values))
    return lines


def diff_version(item: KnowledgeItem, number: int) -> list[tuple[str, str]]:
    """The change that made version ``number``, as (kind, line) with kind '+', '-', ' ' or '@'."""
    versions = {v.number: v for v in item.versions}
    if number not in versions:
        raise ArchiveError("There is no such version.")
    before = _lines(versions[number - 1].data) if number - 1 in versions else []
    after = _lines(versions[number].data)
    result: list[tuple[str, str]] = []
    for line in difflib.unified_diff(before, after, lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        kind = line[:1] if line[:1] in "+- @" else " "
        result.append((kind, line[1:] if kind != "@" else line))
    return result


# ---------------------------------------------------------------- files

@transactional
def add_file(item: KnowledgeItem, stream: Any, filename: str, *, description: str = "",
             uploaded_by: str = "", publication_consent: bool = True, licence: str = "") -> KnowledgeFile:
    """Check, store and attach a file; its text joins the index. Raises ``UploadRefused``.

    ``publication_consent``: whether the file may be published with the item (an editor's upload is;
    a speaker's only when they agreed), under ``licence`` ("" = the item's licence).
    """
    checked = filestore.check_upload(stream, filename)
    filestore.store(checked)
    existing = next((f for f in item.files if f.sha256 == checked.sha256), None)
    if existing is not None:
        return existing
    stored = KnowledgeFile(
        sha256=checked.sha256, filename=checked.filename, kind=checked.kind, content_type=checked.content_type,
        size=checked.size, description=" ".join(description.split())[:300], extracted_text=checked.extracted_text,
        uploaded_by=uploaded_by or current_actor()[1], publication_consent=publication_consent,
        licence=licence if publication_consent else "",
    )
    item.files.append(stored)
    db.session.flush()
    search.index_item(item)
    record("archive.file.add", item, congress_id=item.congress_id, file=stored.filename, sha256=stored.sha256,
           size=stored.size, publication_consent=publication_consent, licence=stored.licence)
    return stored


@transactional
def remove_file(item: KnowledgeItem, file_id: int) -> None:
    stored = next((f for f in item.files if f.id == file_id), None)
    if stored is None:
        raise ArchiveError("There is no such file.")
    item.files.remove(stored)
    db.session.flush()
    search.index_item(item)
    record("archive.file.remove", item, congress_id=item.congress_id, file=stored.filename, sha256=stored.sha256)


# ---------------------------------------------------------------- from session to item

def sessions_of(congress: Congress) -> list[ProgrammeSession]:
    """The edition's programme sessions by start time (as ``Congress.sessions`` lists them)."""
    return list(db.session.scalars(
        sa.select(ProgrammeSession).where(ProgrammeSession.congress_id == congress.id)
        .order_by(ProgrammeSession.starts_at)
    ))


def archived_items_of(sessions: list[ProgrammeSession]) -> dict[int, KnowledgeItem]:
    """The items made from these sessions, by session id (a session is archived once)."""
    ids = [s.id for s in sessions]
    if not ids:
        return {}
    return {item.session_id: item for item in db.session.scalars(
        sa.select(KnowledgeItem).where(KnowledgeItem.session_id.in_(ids)))}


@dataclass
class ArchiveOutcome:
    items: list[KnowledgeItem]
    skipped: list[ProgrammeSession]
    refused_files: list[str]


def edition_has_ended(congress: Congress, today: date | None = None) -> bool:
    return congress.ends_on < (today or date.today())


@transactional
def archive_sessions(congress: Congress, session_ids: list[int] | None = None, *, today: date | None = None,
                     invite: bool = True, locale: str = "nl") -> ArchiveOutcome:
    """Each chosen session (all when ``session_ids`` is None) of an ended edition becomes a draft
    item with its abstract, speakers, track and the files other capabilities hold for it; the
    speakers get a personal link to add slides and a summary. Sessions archived before are skipped."""
    if not edition_has_ended(congress, today):
        raise ArchiveConflict("Sessions can be archived once the edition has ended.", code="not_ended")
    sessions = [s for s in sessions_of(congress) if not s.is_cancelled]
    if session_ids is not None:
        wanted = set(session_ids)
        sessions = [s for s in sessions if s.id in wanted]
    done = set(db.session.scalars(
        sa.select(KnowledgeItem.session_id).where(KnowledgeItem.session_id.in_([s.id for s in sessions]))
    ))
    outcome = ArchiveOutcome([], [], [])
    for session in sessions:
        if session.id in done:
            outcome.skipped.append(session)
            continue
        item = create_item(
            ItemType.SESSION_REPORT.value,
            session.title,
            note="archived from the programme",
            summary=session.abstract,
            title_en=session.title_en,
            summary_en=session.abstract_en,
            congress_id=congress.id,
            track_id=session.track_id,
            session_id=session.id,
            authors=[p.name for p in session.speakers],
            organisations=[p.organisation for p in session.speakers if p.organisation],
            language=session.language or "nl",
            publication_date=congress.ends_on,
            target_groups=[session.target_audience] if session.target_audience else [],
        )
        item.speakers = list(session.speakers)
        # The slides speakers uploaded in the call for proposals; each goes through the same content
        # checks as a direct upload (a refused one is reported, the others are taken up).
        for slide in slide_files(session.id):
            try:
                add_file(item, io.BytesIO(slide.data), slide.filename, description=_("Slides"),
                         publication_consent=slide.publication_consent, licence=slide.licence)
            except filestore.UploadRefused as exc:
                outcome.refused_files.append(f"{session.title}: {slide.filename}: {exc}")
        record("archive.session.archive", item, congress_id=congress.id, session_id=session.id)
        if invite:
            invite_speakers(item, locale=locale)
        outcome.items.append(item)
    db.session.flush()
    return outcome


@transactional
def invite_speakers(item: KnowledgeItem, *, locale: str = "nl") -> list[SpeakerInvitation]:
    invitations = []
    for person in item.speakers:
        if not person.email:
            continue
        secret = new_secret()
        invitation = SpeakerInvitation(item=item, person=person, email=person.email, token_hash=hash_secret(secret),
                                       expires_at=utcnow() + timedelta(days=INVITATION_DAYS))
        db.session.add(invitation)
        queue_mail(person.email, "archive/speaker_invitation", locale=locale, congress_id=item.congress_id,
                   name=person.name, title=item.title, days=INVITATION_DAYS,
                   link=external_url("archive.contribute", token=secret))
        invitations.append(invitation)
    if invitations:
        record("archive.speakers.invite", item, congress_id=item.congress_id, count=len(invitations))
    return invitations


def invitation_for(secret: str) -> SpeakerInvitation | None:
    """A valid invitation for the link's secret; None when unknown, expired or the item moved on."""
    if not secret or len(secret) > 200:
        return None
    invitation = db.session.scalar(
        sa.select(SpeakerInvitation).where(SpeakerInvitation.token_hash == hash_secret(secret))
    )
    if invitation is None or invitation.expires_at <= utcnow():
        return None
    if invitation.item.status not in (ItemStatus.DRAFT.value, ItemStatus.IN_REVIEW.value):
        return None
    return invitation


@transactional
def contribute(invitation: SpeakerInvitation, *, summary: str | None = None,
               uploads: list[tuple[Any, str]] = (), consent: bool = False,
               licence: str = DEFAULT_PUBLICATION_LICENCE) -> list[KnowledgeFile]:
    """A speaker adds a summary and files through their link (files checked like any upload); with
    ``consent`` the files are published with the item under ``licence``, without it only editors see them."""
    if licence not in PUBLICATION_LICENCES:
        raise ArchiveError(_("Choose one of the licences offered."))
    item = invitation.item
    label = f"speaker:{invitation.email}"
    added = [add_file(item, stream, name, description="", uploaded_by=label, publication_consent=consent,
                      licence=licence) for stream, name in uploads]
    if summary is not None and summary.strip() and summary.strip() != item.summary:
        item.summary = summary.strip()[:5000]
        _add_version(item, f"summary by speaker {invitation.email}")
        search.index_item(item)
    invitation.last_used_at = utcnow()
    record("archive.speaker.contribute", item, congress_id=item.congress_id, actor_label=label,
           files=[f.filename for f in added], summary=bool(summary and summary.strip()))
    db.session.flush()
    return added



# ---------------------------------------------------------------- reads for the editorial pages

def items_for_editors(status: str | None = None) -> sa.Select:
    """Every item (or those with ``status``), last changed first: the editors' list, to paginate."""
    query = sa.select(KnowledgeItem).order_by(KnowledgeItem.updated_at.desc(), KnowledgeItem.id.desc())
    if status is not None:
        query = query.where(KnowledgeItem.status == status)
    return query


def file_of(item: KnowledgeItem, file_id: int, *, public: bool = False) -> KnowledgeFile | None:
    """The item's file with this id (None when it is another item's or gone; with ``public``, also
    when it may not be published)."""
    return next((f for f in item.files if f.id == file_id and (f.public or not public)), None)


def editions() -> list[Congress]:
    """Every edition, newest first (an item may belong to any of them)."""
    return list(db.session.scalars(sa.select(Congress).order_by(Congress.starts_on.desc())))


def tracks_of_editions() -> list[Track]:
    """Every edition's tracks, newest edition first, in their order."""
    return list(db.session.scalars(sa.select(Track).join(Congress).order_by(Congress.starts_on.desc(),
                                                                             Track.position)))

