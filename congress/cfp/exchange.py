"""Call for proposals: the proposals exchanged — the c3voc submission format (JSON), a CSV for
spreadsheets, and the accepted submissions for partners (the API)."""

from __future__ import annotations

import statistics
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from congress import spreadsheets
from congress.accounts.models import User
from congress.cfp.models import Proposal, ProposalSpeaker, ProposalStatus
from congress.cfp.review import for_viewer, names_hidden, redactor, visible_proposals, weighted_score
from congress.cfp.settings import criteria
from congress.core.models import Congress, Person
from congress.extensions import db
from congress.programme.models import SessionFormat

# --- exchange ------------------------------------------------------------------------------

C3VOC_TYPES = {
    SessionFormat.WORKSHOP.value: "workshop",
    SessionFormat.LECTURE.value: "talk",
    SessionFormat.PLENARY.value: "talk",
    SessionFormat.PANEL.value: "podium",
    SessionFormat.DIALOGUE.value: "meeting",
}


def _speaker_guid(person: Person) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"congres:person:{person.id}"))


def c3voc_submission(proposal: Proposal, *, hide_names: bool, private: bool = True) -> dict[str, Any]:
    """One proposal in the c3voc submission exchange format (draft-07 schema).

    ``hide_names`` leaves the speakers out (anonymised review); ``private=False`` leaves out
    e-mail addresses and the notes for the organisers (for partners reading the API)."""
    kind = proposal.format.kind if proposal.format else ""
    item: dict[str, Any] = {
        "guid": proposal.guid,
        "title": proposal.title,
        "abstract": proposal.abstract,
        "description": proposal.description or None,
        "duration": proposal.duration,
        "type": C3VOC_TYPES.get(kind, "other"),
        "track": proposal.track.name_nl if proposal.track else None,
        # The format knows only en/de: Dutch is "" with the code in the classifiers.
        "language": "en" if proposal.language == "en" else "",
        "speakers": [],
        "tags": [proposal.protective_factor] if proposal.protective_factor else [],
        "event_classifiers": {"language": proposal.language, "status": proposal.status,
                              "format": kind, "protective_factor": proposal.protective_factor,
                              "target_audience": proposal.target_audience},
    }
    if not hide_names:
        item["speakers"] = [
            {"name": s.person.name, "public_name": s.person.name, "guid": _speaker_guid(s.person),
             "biography": s.person.bio or None, **({"email": s.person.email or ""} if private else {})}
            for s in proposal.speakers
        ]
        if private:
            item["internal_notes"] = proposal.notes
    if hide_names:
        redact = redactor(proposal)
        for key in ("title", "abstract", "description", "track", "tags", "event_classifiers"):
            item[key] = redact(item[key])
    if proposal.session and proposal.session.starts_at and proposal.session.ends_at and proposal.session.room:
        item["slot"] = {"start": proposal.session.starts_at.isoformat(), "end": proposal.session.ends_at.isoformat(),
                        "room": proposal.session.room.name}
    return item


def export_json(congress: Congress, user: User) -> list[dict[str, Any]]:
    hide = names_hidden(congress, user)
    return [c3voc_submission(p, hide_names=hide) for p in visible_proposals(congress, user)]


def export_csv(congress: Congress, user: User) -> bytes:
    """For people (a spreadsheet): UTF-8 with BOM, ``;``-separated, formulas neutralised."""
    hide = names_hidden(congress, user)
    weights = {c.id: c.weight for c in criteria(congress)}
    rows = []
    header = ["id", "guid", "status", "title", "track", "format", "duration", "language", "protective_factor",
              "target_audience", "abstract", "reviews", "weighted_mean"]
    if not hide:
        header += ["speakers", "organisations", "emails"]
    for p in for_viewer(visible_proposals(congress, user), hide):
        values = [s for s in (weighted_score(r, weights) for r in p.reviews) if s is not None]
        row = [p.id, p.guid, p.status, p.title, p.track.name_nl if p.track else "",
               p.format.name_nl if p.format else "", p.duration or "", p.language, p.protective_factor,
               p.target_audience, p.abstract, len(values), round(statistics.fmean(values), 2) if values else ""]
        if not hide:
            row += ["; ".join(s.person.name for s in p.speakers),
                    "; ".join(s.person.organisation for s in p.speakers),
                    "; ".join(s.person.email or "" for s in p.speakers)]
        rows.append(row)
    return spreadsheets.to_csv(header, rows)


def accepted_submissions(congress: Congress) -> list[dict[str, Any]]:
    """Accepted and confirmed proposals, without private data (the API for partners)."""
    rows = db.session.scalars(
        sa.select(Proposal)
        .where(Proposal.congress_id == congress.id,
               Proposal.status.in_([ProposalStatus.ACCEPTED.value, ProposalStatus.CONFIRMED.value]))
        .options(selectinload(Proposal.speakers).selectinload(ProposalSpeaker.person),
                 selectinload(Proposal.track), selectinload(Proposal.format), selectinload(Proposal.session))
        .order_by(Proposal.id)
    )
    return [c3voc_submission(p, hide_names=False, private=False) for p in rows]
