"""Recordings of a session's knowledge item, added after the congress, with WebVTT captions.

A recording is an uploaded video (MP4 or WebM, checked by its content, at most
``ARCHIVE_MAX_VIDEO_BYTES``, stored under its SHA-256 in the archive's storage area) or an https
link to the organisation's own video platform (``RECORDING_URL_HOSTS`` names the hosts allowed;
shown as a link, never embedded). Each has at most one captions file per language (nl, en).

**The consent gate.** A recording is published only when every speaker of the session consented to
the publication of its recording (the speakers' consent of the call for proposals, migration
cfp_0002): publishing without it is refused with the names of those who have not, and a published
recording whose consent is withdrawn later is shown nowhere until it is given again
(:func:`is_public` is checked on every page, file and record). Sessions that did not come through
the call have no consent rows: their speakers' permission is the organiser's to obtain.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from congress.archive import files as filestore
from congress.archive.errors import ArchiveConflict, ArchiveError
from congress.archive.models import (
    ItemStatus,
    KnowledgeCaption,
    KnowledgeItem,
    KnowledgeRecording,
    RecordingSource,
)
from congress.archive.webvtt import CaptionsRefused, Cue, parse
from congress.audit.services import current_actor, record
from congress.cfp import queries as cfp
from congress.database import transactional, utcnow
from congress.extensions import db
from congress.uploads import UploadRefused, check_filename, read_limited

DEFAULT_MAX_VIDEO_BYTES = 50 * 1024 * 1024
CAPTION_LANGUAGES = ("nl", "en")
VIDEO_TYPES = {"mp4": "video/mp4", "webm": "video/webm"}
# ISO base media brands of MP4 video (QuickTime, HEIF images and audio-only M4A are not accepted).
MP4_BRANDS = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash",
              b"M4V ", b"mmp4", b"MSNV", b"XAVC"}
MAX_BOXES = 10_000


class RecordingRefused(ArchiveError):
    """The recording (its file, address or captions) is not accepted; next to ``field``."""


class ConsentMissing(ArchiveConflict):
    """Not every speaker of the session consents to the recording's publication (409)."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(_("Nothing was published: not every speaker of the session has consented to the "
                           "publication of the recording. Consent is still missing from: %(names)s.",
                           names=", ".join(names)), code="consent", field="publish")
        self.names = names


def max_video_bytes() -> int:
    return int(current_app.config.get("ARCHIVE_MAX_VIDEO_BYTES", DEFAULT_MAX_VIDEO_BYTES))


# --- checks -----------------------------------------------------------------------------------------

def _mp4_ok(data: bytes) -> bool:
    """An ISO base media file of a video brand: ``ftyp`` first, boxes that fit, a ``moov`` box."""
    if len(data) < 16 or data[4:8] != b"ftyp":
        return False
    compatible = {data[i:i + 4] for i in range(16, min(struct.unpack(">I", data[:4])[0], 64), 4)}
    if data[8:12] not in MP4_BRANDS and not compatible & MP4_BRANDS:
        return False
    offset, seen = 0, set()
    for _box in range(MAX_BOXES):
        if offset == len(data):
            break
        if offset + 8 > len(data):
            return False
        size, kind = struct.unpack(">I", data[offset:offset + 4])[0], data[offset + 4:offset + 8]
        if size == 1:
            if offset + 16 > len(data):
                return False
            size = struct.unpack(">Q", data[offset + 8:offset + 16])[0]
        elif size == 0:
            size = len(data) - offset
        if size < 8 or offset + size > len(data):
            return False
        seen.add(kind)
        offset += size
    return b"moov" in seen


def _webm_ok(data: bytes) -> bool:
    """An EBML file whose document type is ``webm`` (Matroska files in general are not accepted)."""
    return data.startswith(b"\x1a\x45\xdf\xa3") and b"\x42\x82\x84webm" in data[:64]


def check_video(stream: BinaryIO, filename: str) -> filestore.CheckedFile:
    """An uploaded video checked by its content (not its name or the browser's type)."""
    stem = check_filename(filename)
    data = read_limited(stream, max_video_bytes())
    kind = "mp4" if _mp4_ok(data) else "webm" if _webm_ok(data) else None
    if kind is None:
        raise UploadRefused(_l("Only MP4 and WebM video files are accepted."))
    return filestore.CheckedFile(data=data, sha256=hashlib.sha256(data).hexdigest(), kind=kind,
                                 content_type=VIDEO_TYPES[kind], filename=f"{stem[:190]}.{kind}", extracted_text="")


def allowed_hosts() -> list[str]:
    value = current_app.config.get("RECORDING_URL_HOSTS", "") or ""
    hosts = value if isinstance(value, list | tuple) else value.split(",")
    return [h.strip().lower().strip(".") for h in hosts if h.strip()]


def check_url(url: str) -> str:
    """An https address on the organisation's video platform; RecordingRefused next to ``url``."""
    url = (url or "").strip()
    refused = RecordingRefused(_("Enter an https address of the organisation's video platform "
                                 "(https://…, at most 500 characters)."), field="url")
    if not url or len(url) > 500 or any(c.isspace() or ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in url):
        raise refused
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        raise refused from None
    if parts.scheme != "https" or not host or parts.username or parts.password or port not in (None, 443):
        raise refused
    hosts = allowed_hosts()
    if hosts and not any(host == h or host.endswith("." + h) for h in hosts):
        raise RecordingRefused(_("Recordings may only link to the organisation's video platform (%(hosts)s).",
                                 hosts=", ".join(hosts)), field="url")
    return url


def check_captions(data: bytes, field: str) -> Any:
    try:
        return parse(data)
    except CaptionsRefused as exc:
        raise RecordingRefused(str(exc), field=field) from exc


# --- consent and what is public --------------------------------------------------------------------

def consent_missing(item: KnowledgeItem) -> list[str]:
    """The speakers of the item's session who have not consented to the recording's publication."""
    return cfp.speakers_without_recording_consent(item.session_id) if item.session_id is not None else []


def public_clause() -> sa.ColumnElement[bool]:
    """For a query joined with the items: the recordings the public sees."""
    return sa.and_(KnowledgeRecording.published.is_(True), KnowledgeItem.status == ItemStatus.PUBLISHED.value,
                   sa.or_(KnowledgeItem.session_id.is_(None),
                          KnowledgeItem.session_id.not_in(cfp.sessions_without_recording_consent())))


def is_public(recording: KnowledgeRecording) -> bool:
    return bool(recording.published and recording.item.is_public and not consent_missing(recording.item))


def public_recordings(item: KnowledgeItem) -> list[KnowledgeRecording]:
    """The item's recordings the public sees (none while a speaker's consent is missing)."""
    if not item.is_public or not any(r.published for r in item.recordings) or consent_missing(item):
        return []
    return [r for r in item.recordings if r.published]


@dataclass(frozen=True)
class Transcript:
    language: str
    cues: tuple[Cue, ...]


def transcripts(recording: KnowledgeRecording) -> list[Transcript]:
    """The captions' text per language (already checked when stored), for the transcript on the page."""
    found = []
    for caption in recording.captions:
        try:
            found.append(Transcript(caption.language, parse(caption.text.encode("utf-8"), limit=10**9).cues))
        except CaptionsRefused:
            continue
    return found


def recording_of(item: KnowledgeItem, recording_id: int) -> KnowledgeRecording | None:
    return next((r for r in item.recordings if r.id == recording_id), None)


# --- commands --------------------------------------------------------------------------------------

def _touch(item: KnowledgeItem) -> None:
    """The item changed (a harvester's next incremental harvest and the record caches follow)."""
    item.updated_at = utcnow()


def _set_caption(recording: KnowledgeRecording, language: str, captions: Any) -> KnowledgeCaption:
    existing = recording.caption(language)
    if existing is None:
        existing = KnowledgeCaption(language=language, text=captions.text, cue_count=len(captions.cues))
        recording.captions.append(existing)
    else:
        existing.text, existing.cue_count, existing.created_at = captions.text, len(captions.cues), utcnow()
    return existing


@transactional
def add_recording(item: KnowledgeItem, *, video: tuple[BinaryIO, str] | None = None, url: str = "",
                  title: str = "", title_en: str = "", captions: dict[str, bytes] | None = None,
                  publish: bool = False) -> KnowledgeRecording:
    """Add a recording (a file or an address, not both) with its captions; published at once when
    asked and every speaker consents (else ConsentMissing, and nothing is stored)."""
    if (video is None) == (not url.strip()):
        raise RecordingRefused(_("Upload a video file or enter the address of the recording, one of the two."),
                               field="video")
    checked_captions = {}
    for language, data in (captions or {}).items():
        if language not in CAPTION_LANGUAGES:
            raise RecordingRefused(_("Captions are kept in Dutch and English."), field=f"captions_{language}")
        checked_captions[language] = check_captions(data, f"captions_{language}")
    if publish:
        missing = consent_missing(item)
        if missing:
            raise ConsentMissing(missing)
    recording = KnowledgeRecording(title=" ".join(title.split())[:200], title_en=" ".join(title_en.split())[:200],
                                   added_by=current_actor()[1])
    if video is not None:
        try:
            checked = check_video(*video)
        except UploadRefused as exc:
            raise RecordingRefused(str(exc), field="video") from exc
        filestore.store(checked)
        recording.source, recording.sha256 = RecordingSource.FILE.value, checked.sha256
        recording.filename, recording.content_type = checked.filename, checked.content_type
        recording.size = checked.size
    else:
        recording.source, recording.url = RecordingSource.URL.value, check_url(url)
    for language, parsed in checked_captions.items():
        _set_caption(recording, language, parsed)
    if publish:
        recording.published, recording.published_at = True, utcnow()
    item.recordings.append(recording)
    _touch(item)
    db.session.flush()
    record("archive.recording.add", item, congress_id=item.congress_id, recording_id=recording.id,
           source=recording.source, file=recording.filename or None, url=recording.url or None,
           captions=sorted(checked_captions), published=recording.published)
    return recording


@transactional
def set_captions(recording: KnowledgeRecording, language: str, data: bytes) -> KnowledgeCaption:
    """Add or replace the recording's captions in one language."""
    if language not in CAPTION_LANGUAGES:
        raise RecordingRefused(_("Captions are kept in Dutch and English."), field="language")
    caption = _set_caption(recording, language, check_captions(data, "file"))
    _touch(recording.item)
    db.session.flush()
    record("archive.recording.captions", recording.item, congress_id=recording.item.congress_id,
           recording_id=recording.id, language=language, cues=caption.cue_count)
    return caption


@transactional
def remove_captions(recording: KnowledgeRecording, language: str) -> None:
    caption = recording.caption(language)
    if caption is None:
        raise ArchiveError(_("These captions do not exist."))
    recording.captions.remove(caption)
    _touch(recording.item)
    record("archive.recording.captions_remove", recording.item, congress_id=recording.item.congress_id,
           recording_id=recording.id, language=language)


@transactional
def publish_recording(recording: KnowledgeRecording) -> None:
    """Publish it with the item; refused (ConsentMissing, with the names) while a speaker's consent is missing."""
    missing = consent_missing(recording.item)
    if missing:
        raise ConsentMissing(missing)
    if recording.published:
        return
    recording.published, recording.published_at = True, utcnow()
    _touch(recording.item)
    record("archive.recording.publish", recording.item, congress_id=recording.item.congress_id,
           recording_id=recording.id)


@transactional
def unpublish_recording(recording: KnowledgeRecording) -> None:
    if not recording.published:
        return
    recording.published = False
    _touch(recording.item)
    record("archive.recording.unpublish", recording.item, congress_id=recording.item.congress_id,
           recording_id=recording.id)


@transactional
def remove_recording(recording: KnowledgeRecording) -> None:
    """Remove it from the item (its stored file stays under its hash, as a removed document's does)."""
    item = recording.item
    item.recordings.remove(recording)
    _touch(item)
    db.session.flush()
    record("archive.recording.remove", item, congress_id=item.congress_id, recording_id=recording.id,
           file=recording.filename or None, url=recording.url or None)
