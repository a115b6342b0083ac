"""Call for proposals: slides the speakers of an accepted proposal upload, recognised by their
content (PDF or PPTX) and kept in the storage area ``cfp`` under ``slides/``, named by their hash;
the knowledge archive reads them through :func:`slide_files` (``cfp.queries``)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _

from congress.accounts.models import User
from congress.audit.services import record
from congress.cfp.errors import CfpError
from congress.cfp.models import Proposal, ProposalStatus, SlideUpload
from congress.cfp.proposals import _require_speaker
from congress.cfp.speakers import person_for
from congress.database import transactional
from congress.extensions import db
from congress.storage import storage
from congress.uploads import CONTENT_TYPES, DEFAULT_PUBLICATION_LICENCE, PUBLICATION_LICENCES, sniff

SLIDES_MAX_BYTES = 40 * 1024 * 1024


# --- slides --------------------------------------------------------------------------------

PDF = CONTENT_TYPES["pdf"]
PPTX = CONTENT_TYPES["pptx"]


def slide_key(stored_name: str) -> str:
    """The storage key (area ``cfp``) of an uploaded deck."""
    return f"slides/{stored_name}"


def sniff_slides(data: bytes) -> tuple[str, str]:
    """(content type, extension) for a PDF or PPTX recognised by content; else CfpError."""
    if len(data) > SLIDES_MAX_BYTES:
        raise CfpError(_("The file is too large (at most %(mb)d MB).", mb=SLIDES_MAX_BYTES // (1024 * 1024)))
    kind = sniff(data)
    if kind == "pdf" and b"%%EOF" in data[-2048:]:
        return PDF, "pdf"
    if kind == "zip":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "[Content_Types].xml" in names and "ppt/presentation.xml" in names:
                    return PPTX, "pptx"
        except zipfile.BadZipFile:
            pass
    raise CfpError(_("Slides must be a PDF or PowerPoint (.pptx) file."))


@transactional
def upload_slides(proposal: Proposal, user: User, filename: str, data: bytes, *, consent: bool = False,
                  licence: str = DEFAULT_PUBLICATION_LICENCE) -> SlideUpload:
    """Store the speaker's slides; with ``consent`` the knowledge archive may publish them under ``licence``."""
    _require_speaker(proposal, user)
    if licence not in PUBLICATION_LICENCES:
        raise CfpError(_("Choose one of the licences offered."))
    if proposal.status not in (ProposalStatus.CONFIRMED.value, ProposalStatus.ACCEPTED.value):
        raise CfpError(_("Slides can be uploaded once the proposal has been accepted."))
    content_type, ext = sniff_slides(data)
    digest = hashlib.sha256(data).hexdigest()
    stored = f"{digest}.{ext}"
    files = storage("cfp")
    if not files.exists(slide_key(stored)):
        files.put(slide_key(stored), data)
    safe_name = Path(filename or f"slides.{ext}").name[:200] or f"slides.{ext}"
    upload = SlideUpload(proposal_id=proposal.id, session_id=proposal.session_id, uploaded_by_id=person_for(user).id,
                         original_name=safe_name, stored_name=stored, content_type=content_type, size=len(data),
                         publication_consent=bool(consent), licence=licence if consent else "")
    db.session.add(upload)
    db.session.flush()
    record("cfp.slides_uploaded", proposal, upload_id=upload.id, size=len(data), publication_consent=bool(consent),
           licence=upload.licence)
    return upload


@dataclass(frozen=True)
class SlideFile:
    """One uploaded slide deck of a session, for the knowledge archive."""

    id: int
    session_id: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    key: str  # in the storage area ``cfp``
    uploaded_at: datetime
    publication_consent: bool
    licence: str


def session_slides(session_id: int) -> list[SlideFile]:
    """Every slide deck uploaded for a programme session, oldest first (the archive reads this)."""
    rows = db.session.scalars(
        sa.select(SlideUpload).where(SlideUpload.session_id == session_id).order_by(SlideUpload.uploaded_at,
                                                                                     SlideUpload.id)
    ).all()
    return [
        SlideFile(id=r.id, session_id=session_id, original_name=r.original_name, content_type=r.content_type,
                  size=r.size, sha256=r.stored_name.split(".")[0], key=slide_key(r.stored_name),
                  uploaded_at=r.uploaded_at, publication_consent=r.publication_consent, licence=r.licence)
        for r in rows
    ]


def slides_of(proposal: Proposal) -> list[SlideUpload]:
    return list(db.session.scalars(
        sa.select(SlideUpload).where(SlideUpload.proposal_id == proposal.id).order_by(SlideUpload.id)
    ))


@dataclass(frozen=True)
class SlideContent:
    """A slide deck with its content and its rights, as the knowledge archive takes it up."""

    filename: str
    data: bytes
    publication_consent: bool
    licence: str


def slide_files(session_id: int) -> list[SlideContent]:
    """Every slide deck uploaded for a programme session with its content and the speaker's consent,
    oldest first: the knowledge archive takes them up when it archives the session."""
    files = storage("cfp")
    found = []
    for slide in session_slides(session_id):
        try:
            data = files.read(slide.key)
        except FileNotFoundError:  # removed (retention): nothing to take up
            continue
        found.append(SlideContent(slide.original_name, data, slide.publication_consent, slide.licence))
    return found
