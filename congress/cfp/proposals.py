"""Call for proposals: a speaker's proposals — written, checked, submitted, withdrawn.

The number of proposals per speaker holds under concurrency: each change runs inside
:func:`write_transaction` with the speaker (and the proposal) locked.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from congress.accounts.models import User
from congress.audit.services import record
from congress.cfp.errors import CfpError
from congress.cfp.models import PROTECTIVE_FACTORS, CfpFormat, CfpSettings, Proposal, ProposalSpeaker, ProposalStatus
from congress.cfp.questions import check_answers
from congress.cfp.settings import open_tracks, settings_for
from congress.cfp.speakers import person_for
from congress.core.models import Congress, Person
from congress.database import lock_for_update, utcnow, write_transaction
from congress.extensions import db

LANGUAGES = ("nl", "en")
# Statuses a speaker may still withdraw from.
WITHDRAWABLE = {ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.HELD, ProposalStatus.ACCEPTED}


# --- proposals -----------------------------------------------------------------------------


def _check_open(settings: CfpSettings | None) -> CfpSettings:
    if settings is None or not settings.is_open():
        raise CfpError(_("The call for proposals is closed."))
    return settings


def _count_active(person: Person, congress_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Proposal.id))
        .join(ProposalSpeaker, ProposalSpeaker.proposal_id == Proposal.id)
        .where(
            ProposalSpeaker.person_id == person.id,
            Proposal.congress_id == congress_id,
            Proposal.status != ProposalStatus.WITHDRAWN.value,
        )
    ) or 0


def _lock_user(user: User) -> None:
    """Serialise one speaker's changes (their profile made on first use, their count of proposals):
    a row lock on the user on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers."""
    db.session.execute(lock_for_update(sa.select(User.id).where(User.id == user.id)))


@dataclass
class ProposalData:
    title: str
    abstract: str = ""
    description: str = ""
    format_id: int | None = None
    duration: int | None = None
    track_id: int | None = None
    language: str = "nl"
    target_audience: str = ""
    protective_factor: str = ""
    notes: str = ""
    answers: dict[str, Any] = field(default_factory=dict)


def validate_proposal(congress: Congress, settings: CfpSettings, data: ProposalData, *, complete: bool) -> list[str]:
    """Every problem with the data, as translated messages (empty when fine).

    Drafts (``complete=False``) need only a title within limits; a submission needs everything.
    """
    problems = []
    limits = (
        ("title", _("Title"), settings.title_max), ("abstract", _("Abstract"), settings.abstract_max),
        ("description", _("Description"), settings.description_max), ("notes", _("Notes for the organisers"),
                                                                       settings.notes_max),
    )
    for attr, label, limit in limits:
        if len(getattr(data, attr) or "") > limit:
            problems.append(_("%(field)s is too long: at most %(n)d characters.", field=label, n=limit))
    if len(data.target_audience) > 250:
        problems.append(_("%(field)s is too long: at most %(n)d characters.", field=_("Target audience"), n=250))
    if not data.title.strip():
        problems.append(_("Fill in a title."))
    fmt = db.session.get(CfpFormat, data.format_id) if data.format_id else None
    if data.format_id and (fmt is None or fmt.congress_id != congress.id):
        problems.append(_("Choose one of the formats."))
        fmt = None
    if fmt is not None and data.duration is not None and data.duration not in fmt.durations:
        problems.append(_("Choose one of the durations of this format."))
    tracks = {t.id for t in open_tracks(congress)}
    if data.track_id and data.track_id not in tracks:
        problems.append(_("This track does not take proposals."))
    if data.language not in LANGUAGES:
        problems.append(_("Choose a language."))
    if data.protective_factor and data.protective_factor not in PROTECTIVE_FACTORS:
        problems.append(_("Choose one of the protective factors."))
    if complete:
        if not data.abstract.strip():
            problems.append(_("Fill in an abstract."))
        if fmt is None:
            problems.append(_("Choose a format."))
        elif data.duration is None:
            problems.append(_("Choose a duration."))
        if tracks and not data.track_id:
            problems.append(_("Choose a track."))
        if not data.protective_factor:
            problems.append(_("Choose the protective factor your session strengthens."))
    problems.extend(check_answers(congress, data.answers, complete=complete))
    return problems


def _apply(proposal: Proposal, data: ProposalData) -> None:
    proposal.title = data.title.strip()
    proposal.abstract = data.abstract
    proposal.description = data.description
    proposal.format_id = data.format_id
    proposal.duration = data.duration
    if proposal.duration is None and data.format_id:
        fmt = db.session.get(CfpFormat, data.format_id)
        if fmt is not None and len(fmt.durations) == 1:
            proposal.duration = fmt.durations[0]
    proposal.track_id = data.track_id
    proposal.language = data.language
    proposal.target_audience = data.target_audience
    proposal.protective_factor = data.protective_factor
    proposal.notes = data.notes
    proposal.answers = dict(data.answers)


def create_proposal(congress: Congress, user: User, data: ProposalData, *, submit: bool = False) -> Proposal:
    """A new proposal (draft, or submitted at once) with ``user`` as its first speaker."""
    congress_id = congress.id
    with write_transaction():
        settings = _check_open(settings_for(congress))
        _lock_user(user)
        person = person_for(user)
        problems = validate_proposal(congress, settings, data, complete=submit)
        if problems:
            raise CfpError(" ".join(problems))
        if _count_active(person, congress_id) >= settings.max_proposals_per_speaker:
            raise CfpError(
                _("You can have at most %(n)d proposals in this call.", n=settings.max_proposals_per_speaker)
            )
        proposal = Proposal(congress_id=congress_id, guid=str(uuid.uuid4()), title=data.title)
        _apply(proposal, data)
        proposal.speakers.append(ProposalSpeaker(person=person, is_owner=True, position=0))
        if submit:
            proposal.status = ProposalStatus.SUBMITTED.value
            proposal.submitted_at = utcnow()
        db.session.add(proposal)
        db.session.flush()
        record("cfp.proposal_submitted" if submit else "cfp.proposal_created", proposal, congress_id=congress_id)
    return proposal


def update_proposal(proposal: Proposal, user: User, data: ProposalData) -> Proposal:
    with write_transaction():
        proposal = _locked(proposal.id)
        _require_speaker(proposal, user)
        settings = _check_open(settings_for(proposal.congress))
        if proposal.status not in (ProposalStatus.DRAFT.value, ProposalStatus.SUBMITTED.value):
            raise CfpError(_("This proposal can no longer be changed."))
        problems = validate_proposal(
            proposal.congress, settings, data, complete=proposal.status == ProposalStatus.SUBMITTED.value
        )
        if problems:
            raise CfpError(" ".join(problems))
        _apply(proposal, data)
        record("cfp.proposal_updated", proposal)
    return proposal


def submit_proposal(proposal: Proposal, user: User) -> Proposal:
    with write_transaction():
        proposal = _locked(proposal.id)
        _require_speaker(proposal, user)
        settings = _check_open(settings_for(proposal.congress))
        if proposal.status != ProposalStatus.DRAFT.value:
            raise CfpError(_("Only a draft can be submitted."))
        problems = validate_proposal(proposal.congress, settings, _data_of(proposal), complete=True)
        if problems:
            raise CfpError(" ".join(problems))
        proposal.status = ProposalStatus.SUBMITTED.value
        proposal.submitted_at = utcnow()
        record("cfp.proposal_submitted", proposal)
    return proposal


def withdraw_proposal(proposal: Proposal, user: User | None) -> Proposal:
    """Withdraw (by a speaker of the proposal, or through the decision link when ``user`` is None)."""
    with write_transaction():
        proposal = _locked(proposal.id)
        if user is not None:
            _require_speaker(proposal, user)
        if ProposalStatus(proposal.status) not in WITHDRAWABLE:
            raise CfpError(_("This proposal can no longer be withdrawn; contact the organisers."))
        proposal.status = ProposalStatus.WITHDRAWN.value
        proposal.confirm_token_hash = None
        record("cfp.proposal_withdrawn", proposal)
    return proposal


def _data_of(proposal: Proposal) -> ProposalData:
    return ProposalData(
        title=proposal.title, abstract=proposal.abstract, description=proposal.description,
        format_id=proposal.format_id, duration=proposal.duration, track_id=proposal.track_id,
        language=proposal.language, target_audience=proposal.target_audience,
        protective_factor=proposal.protective_factor, notes=proposal.notes, answers=dict(proposal.answers or {}),
    )


def _locked(proposal_id: int) -> Proposal:
    proposal = db.session.scalar(lock_for_update(sa.select(Proposal).where(Proposal.id == proposal_id)))
    if proposal is None:
        raise CfpError(_("This proposal does not exist."))
    return proposal


def is_speaker(proposal: Proposal, user: User) -> bool:
    return any(s.person.user_id == user.id for s in proposal.speakers)


def _require_speaker(proposal: Proposal, user: User) -> None:
    if not is_speaker(proposal, user):
        raise PermissionError("not a speaker of this proposal")


def proposals_of(user: User) -> list[Proposal]:
    """A speaker sees only their own proposals."""
    return list(
        db.session.scalars(
            sa.select(Proposal)
            .join(ProposalSpeaker, ProposalSpeaker.proposal_id == Proposal.id)
            .join(Person, Person.id == ProposalSpeaker.person_id)
            .where(Person.user_id == user.id)
            .options(selectinload(Proposal.session), selectinload(Proposal.speakers))
            .order_by(Proposal.created_at.desc())
        )
    )
