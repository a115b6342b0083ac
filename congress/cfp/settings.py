"""Call for proposals: the call's settings (window, limits, texts, open tracks, formats, review
criteria), and the organiser's settings page written as text."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from congress.audit.services import record
from congress.cfp.errors import CfpError
from congress.cfp.models import CfpFormat, CfpSettings, CfpTrack, ReviewCriterion
from congress.cfp.questions import sync_questions
from congress.core.models import Congress, Track
from congress.database import transactional, write_transaction
from congress.extensions import db
from congress.programme.models import SessionFormat

# --- settings ------------------------------------------------------------------------------


def settings_for(congress: Congress) -> CfpSettings | None:
    return db.session.scalar(sa.select(CfpSettings).where(CfpSettings.congress_id == congress.id))


def ensure_settings(congress: Congress) -> CfpSettings:
    found = settings_for(congress)
    if found is not None:
        return found
    with write_transaction():  # joins the caller's when there is one
        found = settings_for(congress)
        if found is None:
            found = CfpSettings(congress_id=congress.id)
            db.session.add(found)
            db.session.flush()
    return found


def formats(congress: Congress) -> list[CfpFormat]:
    return list(
        db.session.scalars(
            sa.select(CfpFormat).where(CfpFormat.congress_id == congress.id).order_by(CfpFormat.position)
        )
    )


def criteria(congress: Congress) -> list[ReviewCriterion]:
    return list(
        db.session.scalars(
            sa.select(ReviewCriterion)
            .where(ReviewCriterion.congress_id == congress.id)
            .order_by(ReviewCriterion.position)
        )
    )


def open_tracks(congress: Congress) -> list[Track]:
    return list(
        db.session.scalars(
            sa.select(Track).join(CfpTrack, CfpTrack.track_id == Track.id)
            .where(CfpTrack.congress_id == congress.id).order_by(Track.position)
        )
    )


@transactional
def update_settings(congress: Congress, **values: Any) -> CfpSettings:
    """Change the call's window, limits, texts and mode. Unknown keys are refused."""
    settings = ensure_settings(congress)
    allowed = {
        "opens_at", "closes_at", "max_proposals_per_speaker", "title_max", "abstract_max", "description_max",
        "notes_max", "bio_max", "call_text_nl", "call_text_en", "anonymised",
    }
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    for key, value in values.items():
        setattr(settings, key, value)
    if settings.opens_at and settings.closes_at and settings.closes_at <= settings.opens_at:
        raise CfpError(_("The call must close after it opens."))
    if settings.max_proposals_per_speaker < 1:
        raise CfpError(_("Allow at least one proposal per speaker."))
    record("cfp.settings", settings, congress_id=congress.id, changed=sorted(values))
    return settings


@transactional
def set_open_tracks(congress: Congress, track_ids: Iterable[int]) -> None:
    wanted = {t.id for t in congress.tracks} & set(track_ids)
    rows = db.session.scalars(sa.select(CfpTrack).where(CfpTrack.congress_id == congress.id))
    existing = {ct.track_id: ct for ct in rows}
    for track_id, row in existing.items():
        if track_id not in wanted:
            db.session.delete(row)
    for track_id in wanted - set(existing):
        db.session.add(CfpTrack(congress_id=congress.id, track_id=track_id))
    record("cfp.tracks", congress, congress_id=congress.id, track_ids=sorted(wanted))


@transactional
def save_call_settings(congress: Congress, settings: dict[str, Any], *, track_ids: Iterable[int], formats_text: str,
                       criteria_text: str, questions_text: str | None = None) -> None:
    """Everything on the call's settings page in one transaction. The questions are edited in the
    questions editor; ``questions_text`` (the older text form) replaces them only when given."""
    update_settings(congress, **settings)
    set_open_tracks(congress, track_ids)
    sync_formats(congress, formats_text)
    if questions_text is not None:
        sync_questions(congress, questions_text)
    sync_criteria(congress, criteria_text)


# --- settings as text (the organiser's form) -----------------------------------------------


def text_rows(text: str, width: int) -> Iterator[tuple[int, str, list[str]]]:
    """The one parser of the settings written as text (formats, criteria, questions): every
    non-empty line as (position, the line itself for messages, exactly ``width`` cells), the cells
    split at ``|`` and trimmed; missing cells are "" and cells beyond ``width`` are ignored."""
    for position, line in enumerate(x for x in text.splitlines() if x.strip()):
        yield position, line, ([c.strip() for c in line.split("|")] + [""] * width)[:width]


@transactional
def sync_formats(congress: Congress, text: str) -> None:
    """``kind | name NL | name EN | 60, 90`` per line; formats matched by Dutch name."""
    existing = {f.name_nl: f for f in formats(congress)}
    seen = set()
    for position, line, cells in text_rows(text, 4):
        kind, name_nl, name_en, durations = cells
        if kind not in {k.value for k in SessionFormat} or not name_nl:
            raise CfpError(_("Line “%(line)s”: give a known kind and a name.", line=line.strip()))
        try:
            minutes = sorted({int(d) for d in durations.replace(";", ",").split(",") if d.strip()})
        except ValueError:
            raise CfpError(_("Line “%(line)s”: durations are whole minutes.", line=line.strip())) from None
        if not minutes or any(m <= 0 or m > 840 for m in minutes):
            raise CfpError(_("Give each format one or more durations between 1 and 840 minutes."))
        fmt = existing.get(name_nl)
        if fmt is None:
            fmt = CfpFormat(congress_id=congress.id, name_nl=name_nl)
            db.session.add(fmt)
        fmt.kind, fmt.name_en, fmt.durations, fmt.position = kind, name_en, minutes, position
        seen.add(name_nl)
    for name, fmt in existing.items():
        if name not in seen:
            db.session.delete(fmt)


@transactional
def sync_criteria(congress: Congress, text: str) -> None:
    existing = {c.name_nl: c for c in criteria(congress)}
    seen = set()
    for position, line, cells in text_rows(text, 3):
        name_nl, name_en, weight = cells
        try:
            weight_value = int(weight or "1")
        except ValueError:
            weight_value = 0
        if not name_nl or weight_value < 1:
            raise CfpError(_("Line “%(line)s”: give a name and a whole weight of at least 1.", line=line.strip()))
        criterion = existing.get(name_nl)
        if criterion is None:
            criterion = ReviewCriterion(congress_id=congress.id, name_nl=name_nl)
            db.session.add(criterion)
        criterion.name_en, criterion.weight, criterion.position = name_en, weight_value, position
        seen.add(name_nl)
    for name, criterion in existing.items():
        if name not in seen:
            db.session.delete(criterion)


def formats_text(congress: Congress) -> str:
    return "\n".join(f"{f.kind} | {f.name_nl} | {f.name_en} | {', '.join(map(str, f.durations))}"
                     for f in formats(congress))


def criteria_text(congress: Congress) -> str:
    return "\n".join(f"{c.name_nl} | {c.name_en} | {c.weight}" for c in criteria(congress))
