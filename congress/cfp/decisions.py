"""Call for proposals: the decisions — accept, reject or hold; the decision e-mails the organiser
reads before they go; the speaker's confirmation (the proposal becomes a programme session) or
withdrawal through the link; and the confirmed speakers registered for the edition."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from congress.accounts.models import User
from congress.audit.services import record
from congress.cfp.errors import CfpError
from congress.cfp.models import Proposal, ProposalStatus
from congress.cfp.proposals import _locked, withdraw_proposal
from congress.core.models import Congress
from congress.database import lock_for_update, transactional, utcnow, write_transaction
from congress.extensions import db
from congress.mail.services import queue_mail
from congress.programme.models import ProgrammeSession, SessionFormat
from congress.registration import services as registration
from congress.tokens import hash_secret, new_secret
from congress.urls import external_url

DECISIONS = {
    "accept": ProposalStatus.ACCEPTED,
    "reject": ProposalStatus.REJECTED,
    "hold": ProposalStatus.HELD,
}
DECIDABLE = {ProposalStatus.SUBMITTED, ProposalStatus.HELD, ProposalStatus.ACCEPTED, ProposalStatus.REJECTED}


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
            secret = new_secret()
            proposal.confirm_token_hash = hash_secret(secret)
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
    return db.session.scalar(sa.select(Proposal).where(Proposal.confirm_token_hash == hash_secret(secret)))


def confirm_proposal(secret: str) -> Proposal:
    """The speaker confirms: the proposal becomes a programme session, ready to be scheduled."""
    with write_transaction():
        proposal = db.session.scalar(
            lock_for_update(sa.select(Proposal).where(Proposal.confirm_token_hash == hash_secret(secret)))
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


def register_confirmed_speakers(proposal: Proposal) -> int:
    """Register every not yet registered speaker of a confirmed proposal for the edition (role
    Spreker, no double opt-in: ``registration.services.register_speaker``); returns how many.

    A speaker whose registration fails stays marked as not yet registered, so that
    :func:`register_pending_speakers` (the ``cfp register-speakers`` command) can register them later.
    """
    if proposal.status != ProposalStatus.CONFIRMED.value:
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
                registration.register_speaker(proposal.congress, name=person.name, email=person.email,
                                              organisation=person.organisation)
                speaker.registered_at = utcnow()
                record("cfp.speaker_registered", proposal, person_id=person.id)
        except Exception:
            current_app.logger.exception("registering speaker %s failed", person_id)
            continue
        done += 1
    return done


def register_pending_speakers(congress: Congress) -> int:
    """Register the speakers of confirmed proposals that are not registered yet (e.g. because their
    registration failed when they confirmed). Returns how many were registered."""
    done = 0
    rows = db.session.scalars(
        sa.select(Proposal).where(Proposal.congress_id == congress.id,
                                  Proposal.status == ProposalStatus.CONFIRMED.value)
    ).all()
    for proposal in rows:
        if any(s.registered_at is None for s in proposal.speakers):
            done += register_confirmed_speakers(proposal)
    return done
