"""Call for proposals: co-speakers invited by e-mail, who join a proposal through a single-use link."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from congress.accounts import services as accounts
from congress.accounts.models import User
from congress.audit.services import record
from congress.cfp.errors import CfpError
from congress.cfp.models import CoSpeakerInvitation, Proposal, ProposalSpeaker, ProposalStatus
from congress.cfp.proposals import _count_active, _lock_user, _locked, _require_speaker, is_speaker
from congress.cfp.settings import settings_for
from congress.cfp.signals import recording_consent_changed
from congress.cfp.speakers import person_for
from congress.database import lock_for_update, transactional, utcnow, write_transaction
from congress.extensions import db
from congress.mail.services import queue_mail
from congress.tokens import hash_secret, new_secret
from congress.urls import external_url

INVITATION_DAYS = 14


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
    secret = new_secret()
    invitation = CoSpeakerInvitation(
        proposal_id=proposal.id, email=email, token_hash=hash_secret(secret),
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
        sa.select(CoSpeakerInvitation).where(CoSpeakerInvitation.token_hash == hash_secret(secret))
    )


def accept_invitation(secret: str, user: User) -> Proposal:
    """Join the proposal as co-speaker: only the invited address, only once, nothing half-done."""
    with write_transaction():
        invitation = db.session.scalar(
            lock_for_update(
                sa.select(CoSpeakerInvitation).where(CoSpeakerInvitation.token_hash == hash_secret(secret))
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
        if proposal.session_id is not None:  # a new speaker has not consented to a recording yet
            recording_consent_changed.send(proposal, session_id=proposal.session_id)
    return proposal


def pending_invitations(proposal: Proposal) -> list[CoSpeakerInvitation]:
    return list(
        db.session.scalars(
            sa.select(CoSpeakerInvitation).where(
                CoSpeakerInvitation.proposal_id == proposal.id, CoSpeakerInvitation.accepted_at.is_(None)
            )
        )
    )
