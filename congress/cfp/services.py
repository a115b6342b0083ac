"""Call for proposals: the business rules.

Plain functions over values; views call them, tests call them without HTTP. Every state change
writes an audit event. Rules that must hold under concurrency (the number of proposals per speaker,
single-use links) run inside :func:`write_transaction` with the guarding rows locked.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import re
import secrets
import statistics
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from congress import spreadsheets
from congress.accounts import services as accounts
from congress.accounts.models import Role, User
from congress.audit.models import AuditEvent
from congress.audit.services import record
from congress.cfp.errors import CfpError
from congress.cfp.models import (
    PROTECTIVE_FACTORS,
    CfpFormat,
    CfpSettings,
    CfpTrack,
    ConflictOfInterest,
    CoSpeakerInvitation,
    Proposal,
    ProposalSpeaker,
    ProposalStatus,
    Review,
    ReviewAssignment,
    ReviewCriterion,
    SlideUpload,
)
from congress.cfp.questions import add_question as add_question  # the face re-exports
from congress.cfp.questions import answers_from_form as answers_from_form
from congress.cfp.questions import check_answers
from congress.cfp.questions import questions as questions
from congress.cfp.questions import questions_text as questions_text
from congress.cfp.questions import sync_questions as sync_questions
from congress.core.models import Congress, Person, Track
from congress.database import lock_for_update, transactional, utcnow, write_transaction
from congress.extensions import db
from congress.mail.services import queue_mail
from congress.programme.models import ProgrammeSession, SessionFormat
from congress.urls import external_url

PURPOSE_VERIFY = "verify"
VERIFY_DAYS = 3
INVITATION_DAYS = 14
SCORE_MIN, SCORE_MAX = 1, 5
PHOTO_MAX_BYTES = 3 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_MAX_SIDE = 1024
SLIDES_MAX_BYTES = 40 * 1024 * 1024
LANGUAGES = ("nl", "en")
# Statuses a speaker may still withdraw from.
WITHDRAWABLE = {ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.HELD, ProposalStatus.ACCEPTED}
DECISIONS = {
    "accept": ProposalStatus.ACCEPTED,
    "reject": ProposalStatus.REJECTED,
    "hold": ProposalStatus.HELD,
}
DECIDABLE = {ProposalStatus.SUBMITTED, ProposalStatus.HELD, ProposalStatus.ACCEPTED, ProposalStatus.REJECTED}


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
def add_format(congress: Congress, kind: str, name_nl: str, name_en: str, durations: list[int]) -> CfpFormat:
    SessionFormat(kind)
    if not durations or any(d <= 0 or d > 840 for d in durations):
        raise CfpError(_("Give each format one or more durations between 1 and 840 minutes."))
    position = db.session.scalar(
        sa.select(sa.func.count(CfpFormat.id)).where(CfpFormat.congress_id == congress.id)
    ) or 0
    fmt = CfpFormat(congress_id=congress.id, kind=kind, name_nl=name_nl, name_en=name_en,
                    durations=sorted(set(durations)), position=position)
    db.session.add(fmt)
    return fmt


@transactional
def add_criterion(congress: Congress, name_nl: str, name_en: str = "", weight: int = 1) -> ReviewCriterion:
    if weight < 1:
        raise CfpError(_("A weight is a whole number of at least 1."))
    position = db.session.scalar(
        sa.select(sa.func.count(ReviewCriterion.id)).where(ReviewCriterion.congress_id == congress.id)
    ) or 0
    criterion = ReviewCriterion(congress_id=congress.id, name_nl=name_nl, name_en=name_en, weight=weight,
                                position=position)
    db.session.add(criterion)
    return criterion


# --- speakers: sign-up, profile, photo -----------------------------------------------------


@transactional
def sign_up_speaker(email: str, name: str, locale: str, next_url: str | None = None) -> None:
    """Create an inactive speaker account and e-mail a verification link (which sets the password).

    The answer is the same whether or not the address already has an account: an existing
    account gets a message pointing to the login page instead.
    """
    email = accounts.normalise_email(email)
    existing = accounts.find_user(email)
    if existing is not None and existing.password_hash:
        queue_mail(email, "cfp/account_exists", locale=locale, user=existing,
                   login=external_url("accounts.login"),
                   reset=external_url("accounts.forgot_password"))
        record("cfp.signup_existing", existing)
        return
    user = accounts.create_user(email, name=name, roles=(Role.SPEAKER.value,))
    if existing is None:
        user.active = False
    user.locale = locale
    secret = accounts.issue_account_token(user, PURPOSE_VERIFY, timedelta(days=VERIFY_DAYS))
    if next_url and next_url.startswith("/") and not next_url.startswith("//"):
        link = external_url("cfp.verify", token=secret, next=next_url)
    else:
        link = external_url("cfp.verify", token=secret)
    queue_mail(email, "cfp/verify", locale=locale, user=user, link=link, days=VERIFY_DAYS)
    record("cfp.signup", user)


@transactional
def verify_speaker(secret: str, password: str) -> User:
    """Spend the verification token, set the password, activate the account (accounts service)."""
    try:
        user = accounts.redeem_account_token(secret, PURPOSE_VERIFY, password)
    except accounts.AccountError as exc:
        raise CfpError(str(exc)) from None
    person_for(user)
    return user


def person_for(user: User) -> Person:
    """The speaker profile of a user, made on first use."""
    person = db.session.scalar(sa.select(Person).where(Person.user_id == user.id))
    if person is not None:
        return person
    with write_transaction():  # joins the caller's when there is one
        person = db.session.scalar(sa.select(Person).where(Person.user_id == user.id))
        if person is None:
            person = Person(name=user.name or user.email.split("@")[0], email=user.email, user_id=user.id)
            db.session.add(person)
            db.session.flush()
    return person


@transactional
def update_profile(person: Person, *, name: str, organisation: str, function: str, bio: str,
                   bio_max: int = 1500) -> Person:
    name = name.strip()
    if not name:
        raise CfpError(_("Fill in your name."))
    if len(name) > 200 or len(organisation) > 200 or len(function) > 200:
        raise CfpError(_("Name, organisation and function may each be at most 200 characters."))
    if len(bio) > bio_max:
        raise CfpError(_("The biography may be at most %(n)d characters.", n=bio_max))
    person.name, person.organisation, person.function, person.bio = name, organisation.strip(), function.strip(), bio
    record("cfp.profile", person)
    return person


def storage_dir(kind: str) -> Path:
    """Uploaded files live under the instance folder, never under static/."""
    path = Path(current_app.config.get("CFP_UPLOAD_DIR") or Path(current_app.instance_path) / "cfp") / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def clean_photo(data: bytes) -> tuple[bytes, str]:
    """A JPEG or PNG re-encoded by Pillow without metadata, at most 1024 px a side.

    The type is read from the content, never from the name or the browser's claim; anything else
    (a script named .jpg, a GIF, a corrupt file, a decompression bomb) raises :class:`CfpError`.
    """
    from PIL import Image, UnidentifiedImageError

    if len(data) > PHOTO_MAX_BYTES:
        raise CfpError(_("The photo is too large (at most %(mb)d MB).", mb=PHOTO_MAX_BYTES // (1024 * 1024)))
    if not (data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n")):
        raise CfpError(_("The photo must be a JPEG or PNG image."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ("JPEG", "PNG"):
                raise CfpError(_("The photo must be a JPEG or PNG image."))
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise CfpError(_("The photo has too many pixels."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            fmt = image.format
            if fmt == "PNG":
                image = image.convert("RGBA") if image.mode in ("RGBA", "LA", "P") else image.convert("RGB")
            else:
                image = image.convert("RGB")
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            # A new image with only the pixels: no EXIF, ICC, text chunks or comments survive.
            clean = Image.new(image.mode, image.size)
            clean.paste(image)
            out = io.BytesIO()
            if fmt == "PNG":
                clean.save(out, "PNG", optimize=True)
                return out.getvalue(), "png"
            clean.save(out, "JPEG", quality=88)
            return out.getvalue(), "jpg"
    except CfpError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise CfpError(_("The photo must be a JPEG or PNG image.")) from None


class PhotoRefused(CfpError):
    """The photo of a profile was refused (the form shows it next to the photo field)."""


@transactional
def save_profile(person: Person, *, name: str, organisation: str, function: str, bio: str,
                 photo: bytes | None = None) -> Person:
    """The profile's text and photo together: nothing half-saved when either is refused."""
    update_profile(person, name=name, organisation=organisation, function=function, bio=bio)
    if photo is not None:
        try:
            set_photo(person, photo)
        except CfpError as exc:
            raise PhotoRefused(str(exc)) from None
    return person


@transactional
def save_call_settings(congress: Congress, settings: dict[str, Any], *, track_ids: Iterable[int], formats_text: str,
                       questions_text: str, criteria_text: str) -> None:
    """Everything on the call's settings page in one transaction."""
    update_settings(congress, **settings)
    set_open_tracks(congress, track_ids)
    sync_formats(congress, formats_text)
    sync_questions(congress, questions_text)
    sync_criteria(congress, criteria_text)


@transactional
def set_photo(person: Person, data: bytes) -> str:
    cleaned, ext = clean_photo(data)
    name = f"{hashlib.sha256(cleaned).hexdigest()}.{ext}"
    target = storage_dir("photos") / name
    if not target.exists():
        target.write_bytes(cleaned)
    person.photo = name
    record("cfp.photo", person)
    return name


def photo_path(name: str) -> Path | None:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = storage_dir("photos") / name
    return path if path.is_file() else None


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


# --- co-speakers ---------------------------------------------------------------------------


@transactional
def invite_co_speaker(proposal: Proposal, user: User, email: str, locale: str) -> CoSpeakerInvitation:
    _require_speaker(proposal, user)
    email = accounts.normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise CfpError(_("Enter a valid e-mail address."))
    if ProposalStatus(proposal.status) not in (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED):
        raise CfpError(_("This proposal can no longer be changed."))
    if any((s.person.email or "").lower() == email for s in proposal.speakers):
        raise CfpError(_("This person is already a speaker of this proposal."))
    secret = secrets.token_urlsafe(32)
    invitation = CoSpeakerInvitation(
        proposal_id=proposal.id, email=email, token_hash=accounts.hash_secret(secret),
        expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
    )
    db.session.add(invitation)
    db.session.flush()
    inviter = person_for(user)
    queue_mail(
        email, "cfp/co_speaker_invitation", locale=locale, congress_id=proposal.congress_id,
        inviter=inviter.name, title=proposal.title, congress=proposal.congress,
        link=external_url("cfp.join", token=secret),
        signup=external_url("cfp.signup", next=url_for("cfp.join", token=secret)), days=INVITATION_DAYS,
    )
    record("cfp.co_speaker_invited", proposal, invitation_id=invitation.id)
    return invitation


def invitation_for(secret: str) -> CoSpeakerInvitation | None:
    return db.session.scalar(
        sa.select(CoSpeakerInvitation).where(CoSpeakerInvitation.token_hash == accounts.hash_secret(secret))
    )


def accept_invitation(secret: str, user: User) -> Proposal:
    """Join the proposal as co-speaker: only the invited address, only once, nothing half-done."""
    with write_transaction():
        invitation = db.session.scalar(
            lock_for_update(
                sa.select(CoSpeakerInvitation).where(CoSpeakerInvitation.token_hash == accounts.hash_secret(secret))
            )
        )
        if invitation is None or invitation.expires_at <= utcnow():
            raise CfpError(_("This invitation link is invalid or has expired."))
        if invitation.accepted_at is not None:
            raise CfpError(_("This invitation has already been used."))
        if accounts.normalise_email(user.email) != invitation.email:
            raise CfpError(_("This invitation was sent to another e-mail address. Log in with that address."))
        proposal = _locked(invitation.proposal_id)
        if ProposalStatus(proposal.status) not in (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED):
            raise CfpError(_("This proposal can no longer be changed."))
        _lock_user(user)
        person = person_for(user)
        settings = settings_for(proposal.congress)
        if is_speaker(proposal, user):
            raise CfpError(_("You are already a speaker of this proposal."))
        limit = settings.max_proposals_per_speaker if settings else 5
        if _count_active(person, proposal.congress_id) >= limit:
            raise CfpError(_("You can have at most %(n)d proposals in this call.", n=limit))
        claimed = db.session.execute(
            sa.update(CoSpeakerInvitation)
            .where(CoSpeakerInvitation.id == invitation.id, CoSpeakerInvitation.accepted_at.is_(None))
            .values(accepted_at=utcnow(), accepted_by_id=user.id)
        ).rowcount
        if claimed != 1:
            raise CfpError(_("This invitation has already been used."))
        proposal.speakers.append(ProposalSpeaker(person=person, is_owner=False, position=len(proposal.speakers)))
        record("cfp.co_speaker_joined", proposal)
    return proposal


def pending_invitations(proposal: Proposal) -> list[CoSpeakerInvitation]:
    return list(
        db.session.scalars(
            sa.select(CoSpeakerInvitation).where(
                CoSpeakerInvitation.proposal_id == proposal.id, CoSpeakerInvitation.accepted_at.is_(None)
            )
        )
    )


# --- review: access ------------------------------------------------------------------------


def _conflicted_ids(user: User) -> sa.Select:
    return sa.select(ConflictOfInterest.proposal_id).where(ConflictOfInterest.reviewer_id == user.id)


def reviewer_proposals_query(congress: Congress, user: User) -> sa.Select:
    """Proposals assigned to the reviewer (by track or one by one), submitted, not in conflict."""
    by_track = sa.select(ReviewAssignment.track_id).where(
        ReviewAssignment.reviewer_id == user.id, ReviewAssignment.track_id.is_not(None),
        ReviewAssignment.congress_id == congress.id,
    )
    by_proposal = sa.select(ReviewAssignment.proposal_id).where(
        ReviewAssignment.reviewer_id == user.id, ReviewAssignment.proposal_id.is_not(None)
    )
    return sa.select(Proposal).where(
        Proposal.congress_id == congress.id,
        Proposal.status.not_in([ProposalStatus.DRAFT.value, ProposalStatus.WITHDRAWN.value]),
        sa.or_(Proposal.track_id.in_(by_track), Proposal.id.in_(by_proposal)),
        Proposal.id.not_in(_conflicted_ids(user)),
    )


def is_manager_view(user: User) -> bool:
    return user.has_role(Role.ORGANISER.value, Role.TRACK_MANAGER.value)


def visible_proposals(congress: Congress, user: User) -> list[Proposal]:
    """Organisers see every non-draft proposal; track managers those of their tracks; reviewers
    those assigned to them and not in conflict. Drafts are the speaker's own business."""
    base = sa.select(Proposal).where(
        Proposal.congress_id == congress.id, Proposal.status != ProposalStatus.DRAFT.value
    )
    if user.has_role(Role.ORGANISER.value):
        query = base
    elif user.has_role(Role.TRACK_MANAGER.value) or user.has_role(Role.REVIEWER.value):
        parts = []
        if user.has_role(Role.TRACK_MANAGER.value):
            parts.append(Proposal.id.in_(base.where(Proposal.track_id.in_(user.managed_track_ids() or {-1}))
                                         .with_only_columns(Proposal.id)))
        if user.has_role(Role.REVIEWER.value):
            parts.append(Proposal.id.in_(reviewer_proposals_query(congress, user).with_only_columns(Proposal.id)))
        query = base.where(sa.or_(*parts))
    else:
        return []
    return list(
        db.session.scalars(
            query.options(selectinload(Proposal.speakers).selectinload(ProposalSpeaker.person),
                          selectinload(Proposal.reviews), selectinload(Proposal.track),
                          selectinload(Proposal.format), selectinload(Proposal.session))
            .order_by(Proposal.track_id, Proposal.id)
        )
    )


def can_view(proposal: Proposal, user: User) -> bool:
    if proposal.status == ProposalStatus.DRAFT.value:
        return False
    if user.has_role(Role.ORGANISER.value):
        return True
    if user.has_role(Role.TRACK_MANAGER.value) and proposal.track_id in user.managed_track_ids():
        return True
    if user.has_role(Role.REVIEWER.value):
        return can_review(proposal, user)
    return False


def can_review(proposal: Proposal, user: User) -> bool:
    if not user.has_role(Role.REVIEWER.value):
        return False
    query = reviewer_proposals_query(proposal.congress, user).where(Proposal.id == proposal.id)
    return db.session.scalar(query.with_only_columns(Proposal.id)) is not None


def can_manage_track(user: User, track_id: int | None) -> bool:
    if user.has_role(Role.ORGANISER.value):
        return True
    return track_id is not None and user.has_role(Role.TRACK_MANAGER.value) and track_id in user.managed_track_ids()


def names_hidden(congress: Congress, user: User) -> bool:
    """In anonymised mode reviewers (who are not organisers or track managers) never see who."""
    settings = settings_for(congress)
    return bool(settings and settings.anonymised) and not is_manager_view(user)


# --- anonymised review: the speakers' own words without their names --------------------------

REDACTED = "[…]"
# Words of an organisation's name that say what kind it is, not which one: left in the text.
_GENERIC_WORDS = {
    "stichting", "gemeente", "vereniging", "provincie", "universiteit", "hogeschool", "ministerie", "centrum",
    "buurtcentrum", "instituut", "school", "college", "foundation", "university", "municipality", "city",
    "van", "voor", "het", "der", "den", "ter", "ten", "von", "the", "and", "en", "de", "la", "le", "du", "of",
}
REDACTED_FIELDS = ("title", "abstract", "description", "target_audience", "protective_factor", "notes")


def _folded(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def identifying_strings(proposal: Proposal) -> list[str]:
    """What would tell a reviewer who is behind a proposal: each speaker's and invited co-speaker's
    name (and its parts), e-mail address (and its local part) and organisation (and its distinctive words)."""
    found: set[str] = set()

    def add(value: str | None, *, parts: bool, min_part: int) -> None:
        value = (value or "").strip()
        if not value:
            return
        found.add(value)
        if parts:
            for word in re.split(r"[\s,;()/.'’-]+", value):
                if len(word) >= min_part and word.lower() not in _GENERIC_WORDS:
                    found.add(word)

    invited = db.session.scalars(
        sa.select(CoSpeakerInvitation.email).where(CoSpeakerInvitation.proposal_id == proposal.id)
    ).all()
    for person in (s.person for s in proposal.speakers):
        add(person.name, parts=True, min_part=2)
        add(person.organisation, parts=True, min_part=4)
    for email in [*(s.person.email for s in proposal.speakers), *invited]:
        add(email, parts=False, min_part=0)
        local = (email or "").split("@")[0]
        add(local, parts=True, min_part=3)
    return sorted(found | {_folded(f) for f in found}, key=len, reverse=True)


def redactor(proposal: Proposal) -> Callable[[Any], Any]:
    """A function that takes the identifying strings out of a text (case-insensitively, whole words)."""
    needles = identifying_strings(proposal)
    if not needles:
        return lambda value: value
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in needles) + r")(?!\w)", re.IGNORECASE)

    def redact(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(REDACTED, value)
        if isinstance(value, list):
            return [redact(v) for v in value]
        if isinstance(value, dict):
            return {k: redact(v) for k, v in value.items()}
        return value

    return redact


class AnonymisedProposal:
    """A proposal as a reviewer sees it in anonymised mode: its free text without the speakers'
    names, addresses and organisations; everything else is the proposal's own."""

    def __init__(self, proposal: Proposal) -> None:
        self._proposal = proposal
        self._redact = redactor(proposal)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._proposal, name)
        if name in REDACTED_FIELDS or name == "answers":
            return self._redact(value)
        return value


def for_viewer(proposals: Iterable[Proposal], hide: bool) -> list[Any]:
    return [AnonymisedProposal(p) if hide else p for p in proposals]


# --- review: assignment, conflicts, scores -------------------------------------------------


def reviewers() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).where(User.grants.any(role=Role.REVIEWER.value), User.active.is_(True)).order_by(User.name)
        )
    )


@transactional
def assign_reviewer(congress: Congress, by: User, reviewer: User, *, track_id: int | None = None,
                    proposal: Proposal | None = None) -> ReviewAssignment:
    if (track_id is None) == (proposal is None):
        raise CfpError(_("Assign a reviewer to a track or to one proposal."))
    if not reviewer.has_role(Role.REVIEWER.value):
        raise CfpError(_("This person is not a reviewer."))
    target_track = track_id if proposal is None else proposal.track_id
    if not can_manage_track(by, target_track):
        raise PermissionError("not a manager of this track")
    if proposal is not None and proposal.congress_id != congress.id:
        raise CfpError(_("This proposal does not exist."))
    if track_id is not None and track_id not in {t.id for t in congress.tracks}:
        raise CfpError(_("This track does not exist."))
    existing = db.session.scalar(
        sa.select(ReviewAssignment).where(
            ReviewAssignment.reviewer_id == reviewer.id,
            ReviewAssignment.track_id.is_(None) if track_id is None else ReviewAssignment.track_id == track_id,
            ReviewAssignment.proposal_id.is_(None) if proposal is None else ReviewAssignment.proposal_id == proposal.id,
        )
    )
    if existing is not None:
        return existing
    assignment = ReviewAssignment(congress_id=congress.id, reviewer_id=reviewer.id, track_id=track_id,
                                  proposal_id=proposal.id if proposal else None)
    db.session.add(assignment)
    db.session.flush()
    record("cfp.reviewer_assigned", assignment, congress_id=congress.id, reviewer_id=reviewer.id,
           track_id=track_id, proposal_id=proposal.id if proposal else None)
    # The notice names no speaker: titles only, in every mode.
    queue_mail(reviewer.email, "cfp/review_assigned", locale=reviewer.locale or "nl", congress_id=congress.id,
               reviewer=reviewer, congress=congress,
               track=db.session.get(Track, track_id) if track_id else None,
               proposal_title=proposal.title if proposal else None,
               link=external_url("cfp.manage.proposals", slug=congress.slug))
    return assignment


@transactional
def unassign(assignment: ReviewAssignment, by: User) -> None:
    track_id = assignment.track_id
    if track_id is None and assignment.proposal is not None:
        track_id = assignment.proposal.track_id
    if not can_manage_track(by, track_id):
        raise PermissionError("not a manager of this track")
    record("cfp.reviewer_unassigned", assignment, congress_id=assignment.congress_id)
    db.session.delete(assignment)


def assignments(congress: Congress, user: User) -> list[ReviewAssignment]:
    rows = db.session.scalars(
        sa.select(ReviewAssignment).where(ReviewAssignment.congress_id == congress.id).order_by(ReviewAssignment.id)
    ).all()
    return [a for a in rows if can_manage_track(user, a.track_id if a.track_id else a.proposal.track_id)]


@transactional
def declare_conflict(proposal: Proposal, reviewer: User) -> None:
    """The reviewer steps away: their review (if any) is removed and the proposal disappears for them."""
    if not can_review(proposal, reviewer):
        raise PermissionError("not assigned")
    db.session.add(ConflictOfInterest(proposal_id=proposal.id, reviewer_id=reviewer.id))
    review = db.session.scalar(
        sa.select(Review).where(Review.proposal_id == proposal.id, Review.reviewer_id == reviewer.id)
    )
    if review is not None:
        db.session.delete(review)
    record("cfp.conflict_declared", proposal, reviewer_id=reviewer.id)


@transactional
def save_review(proposal: Proposal, reviewer: User, scores: dict[int, int], comment_organisers: str = "",
                comment_speaker: str = "") -> Review:
    if not can_review(proposal, reviewer):
        raise PermissionError("not assigned or in conflict")
    known = {c.id for c in criteria(proposal.congress)}
    if set(scores) - known:
        raise CfpError(_("Score only the criteria of this call."))
    if set(scores) != known:
        raise CfpError(_("Give a score for every criterion."))
    if any(not SCORE_MIN <= s <= SCORE_MAX for s in scores.values()):
        raise CfpError(_("A score is between %(a)d and %(b)d.", a=SCORE_MIN, b=SCORE_MAX))
    if len(comment_organisers) > 5000 or len(comment_speaker) > 5000:
        raise CfpError(_("A comment may be at most %(n)d characters.", n=5000))
    review = db.session.scalar(
        sa.select(Review).where(Review.proposal_id == proposal.id, Review.reviewer_id == reviewer.id)
    )
    if review is None:
        review = Review(proposal_id=proposal.id, reviewer_id=reviewer.id)
        db.session.add(review)
    review.scores = {str(k): int(v) for k, v in scores.items()}
    review.comment_organisers = comment_organisers
    review.comment_speaker = comment_speaker
    db.session.flush()
    record("cfp.review_saved", proposal, review_id=review.id)
    return review


def review_of(proposal: Proposal, reviewer: User) -> Review | None:
    return db.session.scalar(
        sa.select(Review).where(Review.proposal_id == proposal.id, Review.reviewer_id == reviewer.id)
    )


def weighted_score(review: Review, weights: dict[int, int]) -> float | None:
    total = sum(weights.get(int(k), 0) * v for k, v in review.scores.items())
    weight = sum(weights.get(int(k), 0) for k in review.scores)
    return total / weight if weight else None


@dataclass
class RankRow:
    proposal: Proposal
    count: int
    mean: float | None
    median: float | None
    spread: float | None  # highest minus lowest weighted score
    stdev: float | None


def ranking(congress: Congress, user: User) -> dict[Track | None, list[RankRow]]:
    """Per track, proposals ordered by the weighted mean of their reviews (then median)."""
    weights = {c.id: c.weight for c in criteria(congress)}
    rows: dict[Track | None, list[RankRow]] = {}
    for proposal in visible_proposals(congress, user):
        if proposal.status == ProposalStatus.WITHDRAWN.value:
            continue
        if not can_manage_track(user, proposal.track_id):
            continue
        values = [s for s in (weighted_score(r, weights) for r in proposal.reviews) if s is not None]
        rows.setdefault(proposal.track, []).append(
            RankRow(
                proposal=proposal, count=len(values),
                mean=round(statistics.fmean(values), 2) if values else None,
                median=round(statistics.median(values), 2) if values else None,
                spread=round(max(values) - min(values), 2) if values else None,
                stdev=round(statistics.pstdev(values), 2) if len(values) > 1 else (0.0 if values else None),
            )
        )
    for track_rows in rows.values():
        track_rows.sort(key=lambda r: (r.mean is None, -(r.mean or 0), -(r.median or 0), r.proposal.id))
    return dict(sorted(rows.items(), key=lambda kv: (kv[0] is None, kv[0].position if kv[0] else 0)))


@dataclass
class Progress:
    label: str
    assigned: int
    reviewed: int
    conflicts: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.reviewed / self.assigned) if self.assigned else 0


def progress(congress: Congress, user: User) -> tuple[list[Progress], list[Progress]]:
    """Reviews done per reviewer and per track (within the tracks the user manages)."""
    per_reviewer = []
    for reviewer in reviewers():
        query = reviewer_proposals_query(congress, reviewer).options(selectinload(Proposal.reviews))
        mine = [p for p in db.session.scalars(query) if can_manage_track(user, p.track_id)]
        done = sum(1 for p in mine if any(r.reviewer_id == reviewer.id for r in p.reviews))
        conflicts = db.session.scalar(
            sa.select(sa.func.count(ConflictOfInterest.id)).join(Proposal)
            .where(ConflictOfInterest.reviewer_id == reviewer.id, Proposal.congress_id == congress.id)
        ) or 0
        if mine or conflicts:
            per_reviewer.append(Progress(reviewer.name, len(mine), done, conflicts))
    per_track = []
    proposals = [p for p in visible_proposals(congress, user)
                 if p.status != ProposalStatus.WITHDRAWN.value and can_manage_track(user, p.track_id)]
    for track in congress.tracks:
        mine = [p for p in proposals if p.track_id == track.id]
        if mine:
            per_track.append(Progress(track.name_nl, len(mine), sum(1 for p in mine if p.reviews)))
    return per_reviewer, per_track


def history(proposal: Proposal, viewer: User) -> list[dict[str, Any]]:
    """The proposal's audit trail as the viewer may see it.

    With names hidden, actors are shown by their part (speaker, reviewer, organiser) and never by
    name or address, and the data of each event is left out (pretalx #1523: names leaked this way).
    """
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.object_type == "Proposal", AuditEvent.object_id == str(proposal.id))
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()
    hidden = names_hidden(proposal.congress, viewer)
    speaker_users = {s.person.user_id for s in proposal.speakers}
    rows = []
    for event in events:
        if hidden:
            if event.actor_user_id in speaker_users:
                actor = _("Speaker")
            elif event.actor_user_id == viewer.id:
                actor = _("You")
            elif event.actor_user_id is None:
                actor = _("System")
            else:
                actor = _("Staff")
        else:
            actor = event.actor_label
        rows.append({"at": event.occurred_at, "action": action_label(event.action), "actor": actor})
    return rows


def action_label(action: str) -> str:
    labels = {
        "cfp.proposal_created": _("Draft created"),
        "cfp.proposal_submitted": _("Submitted"),
        "cfp.proposal_updated": _("Changed"),
        "cfp.proposal_withdrawn": _("Withdrawn"),
        "cfp.co_speaker_invited": _("Co-speaker invited"),
        "cfp.co_speaker_joined": _("Co-speaker joined"),
        "cfp.review_saved": _("Review saved"),
        "cfp.conflict_declared": _("Conflict of interest declared"),
        "cfp.decision": _("Decision recorded"),
        "cfp.decision_mailed": _("Decision e-mailed"),
        "cfp.proposal_confirmed": _("Confirmed"),
        "cfp.speaker_registered": _("Speaker registered for the edition"),
        "cfp.speaker_registration_pending": _("Speaker registration pending"),
        "cfp.slides_uploaded": _("Slides uploaded"),
    }
    return str(labels.get(action, action))


# --- decisions -----------------------------------------------------------------------------


def decide(proposals: Iterable[Proposal], decision: str) -> list[Proposal]:
    """Accept, reject or hold; the e-mails wait until the organiser has read and sent them."""
    status = DECISIONS.get(decision)
    if status is None:
        raise CfpError(_("Unknown decision."))
    changed = []
    with write_transaction():
        for item in proposals:
            proposal = _locked(item.id)
            if ProposalStatus(proposal.status) not in DECIDABLE:
                raise CfpError(_("“%(title)s” cannot be decided on in its current state.", title=proposal.title))
            if proposal.status == status.value:
                continue
            proposal.status = status.value
            proposal.decided_at = utcnow()
            proposal.decision_mail_sent_at = None
            proposal.confirm_token_hash = None
            record("cfp.decision", proposal, decision=decision)
            changed.append(proposal)
    return changed


def pending_decision_mails(congress: Congress) -> list[Proposal]:
    return list(
        db.session.scalars(
            sa.select(Proposal).where(
                Proposal.congress_id == congress.id,
                Proposal.status.in_([s.value for s in DECISIONS.values()]),
                Proposal.decision_mail_sent_at.is_(None),
            ).order_by(Proposal.id)
        )
    )


def _decision_template(proposal: Proposal) -> str:
    return {
        ProposalStatus.ACCEPTED.value: "cfp/decision_accepted",
        ProposalStatus.REJECTED.value: "cfp/decision_rejected",
        ProposalStatus.HELD.value: "cfp/decision_held",
    }[proposal.status]


def _decision_context(proposal: Proposal, link: str) -> dict[str, Any]:
    comments = [r.comment_speaker for r in proposal.reviews if r.comment_speaker.strip()]
    owner = next((s.person for s in proposal.speakers if s.is_owner), proposal.speakers[0].person)
    return {"proposal": proposal, "congress": proposal.congress, "name": owner.name, "link": link,
            "comments": comments}


def preview_decision_mail(proposal: Proposal, locale: str | None = None) -> dict[str, str]:
    """The e-mail as it will be sent to the submitting speaker, in their language (with a
    placeholder instead of the secret link)."""
    from flask import render_template
    from flask_babel import force_locale

    if locale is None:
        owner = next((s.person for s in proposal.speakers if s.is_owner), None)
        user = db.session.get(User, owner.user_id) if owner is not None and owner.user_id else None
        locale = user.locale if user is not None and user.locale else "nl"
    context = _decision_context(proposal, link="https://…/speaker/decision/…")
    template = _decision_template(proposal)
    with force_locale(locale):
        return {
            "to": ", ".join(s.person.email or "" for s in proposal.speakers),
            "subject": " ".join(render_template(f"email/{template}.subject.txt", **context).split()),
            "body": render_template(f"email/{template}.txt", **context),
        }


@transactional
def send_decision_mails(congress: Congress, proposal_ids: Iterable[int] | None = None) -> int:
    """Queue the decision e-mails (outbox) for decided proposals whose mail has not gone yet."""
    sent = 0
    wanted = set(proposal_ids) if proposal_ids is not None else None
    for proposal in pending_decision_mails(congress):
        if wanted is not None and proposal.id not in wanted:
            continue
        link = ""
        if proposal.status == ProposalStatus.ACCEPTED.value:
            secret = secrets.token_urlsafe(32)
            proposal.confirm_token_hash = accounts.hash_secret(secret)
            link = external_url("cfp.decision", token=secret)
        context = _decision_context(proposal, link)
        for speaker in proposal.speakers:
            person = speaker.person
            if not person.email:
                continue
            user = db.session.get(User, person.user_id) if person.user_id else None
            locale = user.locale if user and user.locale else "nl"
            queue_mail(person.email, _decision_template(proposal), locale=locale,
                       congress_id=congress.id, **{**context, "name": person.name,
                                                   "link": link if speaker.is_owner else ""})
        proposal.decision_mail_sent_at = utcnow()
        record("cfp.decision_mailed", proposal, status=proposal.status)
        sent += 1
    return sent


def proposal_for_decision_token(secret: str) -> Proposal | None:
    if not secret or len(secret) > 200:
        return None
    return db.session.scalar(sa.select(Proposal).where(Proposal.confirm_token_hash == accounts.hash_secret(secret)))


def confirm_proposal(secret: str) -> Proposal:
    """The speaker confirms: the proposal becomes a programme session, ready to be scheduled."""
    with write_transaction():
        proposal = db.session.scalar(
            lock_for_update(sa.select(Proposal).where(Proposal.confirm_token_hash == accounts.hash_secret(secret)))
        )
        if proposal is None or proposal.status != ProposalStatus.ACCEPTED.value:
            raise CfpError(_("This link is invalid or has already been used."))
        session = ProgrammeSession(
            congress_id=proposal.congress_id,
            track_id=proposal.track_id,
            title=proposal.title[:250],
            abstract=proposal.abstract,
            format=proposal.format.kind if proposal.format else SessionFormat.WORKSHOP.value,
            language=proposal.language,
            target_audience=proposal.target_audience,
            duration_minutes=proposal.duration,
            speakers=[s.person for s in proposal.speakers],
        )
        db.session.add(session)
        db.session.flush()
        proposal.session_id = session.id
        proposal.status = ProposalStatus.CONFIRMED.value
        proposal.confirmed_at = utcnow()
        proposal.confirm_token_hash = None
        record("cfp.proposal_confirmed", proposal, session_id=session.id)
        record("programme.session_created", session, source="cfp", proposal_id=proposal.id)
    register_confirmed_speakers(proposal)
    return proposal


def withdraw_by_token(secret: str) -> Proposal:
    proposal = proposal_for_decision_token(secret)
    if proposal is None or proposal.status != ProposalStatus.ACCEPTED.value:
        raise CfpError(_("This link is invalid or has already been used."))
    return withdraw_proposal(proposal, None)


# --- speakers registered for the edition (the registration capability) ----------------------

SpeakerRegistrar = Callable[..., Any]


def speaker_registrar() -> SpeakerRegistrar | None:
    """``congress.registration.services.register_speaker``, looked up at call time.

    The registration capability provides it as ``register_speaker(congress, *, name, email,
    organisation)`` (role Spreker, no double opt-in). Until it exists this returns None and the
    speakers stay marked as not yet registered, so that :func:`register_confirmed_speakers` can
    register them later.
    """
    override = current_app.config.get("CFP_SPEAKER_REGISTRAR")
    if override is not None:
        return override
    try:
        module = importlib.import_module("congress.registration.services")
    except ImportError:
        return None
    return getattr(module, "register_speaker", None)


def register_confirmed_speakers(proposal: Proposal) -> int:
    """Register every not yet registered speaker of a confirmed proposal; returns how many."""
    registrar = speaker_registrar()
    if registrar is None or proposal.status != ProposalStatus.CONFIRMED.value:
        if registrar is None:
            with write_transaction():
                record("cfp.speaker_registration_pending", proposal)
        return 0
    done = 0
    for speaker in list(proposal.speakers):
        if speaker.registered_at is not None or not speaker.person.email:
            continue
        person_id = speaker.person.id
        try:
            # Each speaker in a transaction of their own (the registration joins it): one failure
            # must not lose the confirmation or the other speakers.
            with write_transaction():
                person = speaker.person
                registrar(proposal.congress, name=person.name, email=person.email, organisation=person.organisation)
                speaker.registered_at = utcnow()
                record("cfp.speaker_registered", proposal, person_id=person.id)
        except Exception:
            current_app.logger.exception("registering speaker %s failed", person_id)
            continue
        done += 1
    return done


# --- slides --------------------------------------------------------------------------------

PDF = "application/pdf"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def sniff_slides(data: bytes) -> tuple[str, str]:
    """(content type, extension) for a PDF or PPTX recognised by content; else CfpError."""
    if len(data) > SLIDES_MAX_BYTES:
        raise CfpError(_("The file is too large (at most %(mb)d MB).", mb=SLIDES_MAX_BYTES // (1024 * 1024)))
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]:
        return PDF, "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "[Content_Types].xml" in names and "ppt/presentation.xml" in names:
                    return PPTX, "pptx"
        except zipfile.BadZipFile:
            pass
    raise CfpError(_("Slides must be a PDF or PowerPoint (.pptx) file."))


@transactional
def upload_slides(proposal: Proposal, user: User, filename: str, data: bytes) -> SlideUpload:
    _require_speaker(proposal, user)
    if proposal.status not in (ProposalStatus.CONFIRMED.value, ProposalStatus.ACCEPTED.value):
        raise CfpError(_("Slides can be uploaded once the proposal has been accepted."))
    content_type, ext = sniff_slides(data)
    digest = hashlib.sha256(data).hexdigest()
    stored = f"{digest}.{ext}"
    target = storage_dir("slides") / stored
    if not target.exists():
        target.write_bytes(data)
    safe_name = Path(filename or f"slides.{ext}").name[:200] or f"slides.{ext}"
    upload = SlideUpload(proposal_id=proposal.id, session_id=proposal.session_id, uploaded_by_id=person_for(user).id,
                         original_name=safe_name, stored_name=stored, content_type=content_type, size=len(data))
    db.session.add(upload)
    db.session.flush()
    record("cfp.slides_uploaded", proposal, upload_id=upload.id, size=len(data))
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
    path: Path
    uploaded_at: datetime


def session_slides(session_id: int) -> list[SlideFile]:
    """Every slide deck uploaded for a programme session, oldest first (the archive reads this)."""
    rows = db.session.scalars(
        sa.select(SlideUpload).where(SlideUpload.session_id == session_id).order_by(SlideUpload.uploaded_at,
                                                                                     SlideUpload.id)
    ).all()
    return [
        SlideFile(id=r.id, session_id=session_id, original_name=r.original_name, content_type=r.content_type,
                  size=r.size, sha256=r.stored_name.split(".")[0], path=storage_dir("slides") / r.stored_name,
                  uploaded_at=r.uploaded_at)
        for r in rows
    ]


def slides_of(proposal: Proposal) -> list[SlideUpload]:
    return list(db.session.scalars(
        sa.select(SlideUpload).where(SlideUpload.proposal_id == proposal.id).order_by(SlideUpload.id)
    ))


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


# --- settings as text (the organiser's form) -----------------------------------------------


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("|")]


@transactional
def sync_formats(congress: Congress, text: str) -> None:
    """``kind | name NL | name EN | 60, 90`` per line; formats matched by Dutch name."""
    existing = {f.name_nl: f for f in formats(congress)}
    seen = set()
    for position, line in enumerate(x for x in text.splitlines() if x.strip()):
        cells = _cells(line) + ["", "", "", ""]
        kind, name_nl, name_en, durations = cells[:4]
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
    for position, line in enumerate(x for x in text.splitlines() if x.strip()):
        cells = _cells(line) + ["", "", "1"]
        name_nl, name_en, weight = cells[:3]
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


def register_pending_speakers(congress: Congress) -> int:
    """Register the speakers of confirmed proposals that are not registered yet (e.g. because the
    registration capability was not there when they confirmed). Returns how many were registered."""
    done = 0
    rows = db.session.scalars(
        sa.select(Proposal).where(Proposal.congress_id == congress.id,
                                  Proposal.status == ProposalStatus.CONFIRMED.value)
    ).all()
    for proposal in rows:
        if any(s.registered_at is None for s in proposal.speakers):
            done += register_confirmed_speakers(proposal)
    return done


# --- the knowledge archive takes up the slides -------------------------------------------------

def _slides_for_archive(session: ProgrammeSession):
    """Slides speakers uploaded for ``session``, for the archive when it archives the session."""
    from congress.archive.hooks import SessionFile

    for slide in session_slides(session.id):
        if slide.path.exists():
            yield SessionFile(filename=slide.original_name, data=slide.path.read_bytes(),
                              description=_("Slides"), uploaded_by="")


def _connect_archive() -> None:
    try:
        from congress.archive.hooks import register_session_file_provider
    except ImportError:  # the archive capability is not installed
        return
    register_session_file_provider(_slides_for_archive)


_connect_archive()
