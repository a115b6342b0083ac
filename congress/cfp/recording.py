"""Call for proposals: the speakers' consent to record their session and publish the recording.

Each speaker of a proposal gives (or withdraws) it on their own page, for that proposal's session. A
recording of the session (a knowledge item of type ``opname`` linked to it) is public in the
knowledge archive, OAI-PMH, DCAT and the sitemap only while **every** speaker of the proposal
consents: ``cfp.queries.sessions_without_recording_consent`` is what the archive filters on.
"""

from __future__ import annotations

import sqlalchemy as sa

from congress.accounts.models import User
from congress.audit.services import record
from congress.cfp.models import Proposal, ProposalSpeaker
from congress.cfp.proposals import _require_speaker
from congress.cfp.signals import recording_consent_changed
from congress.cfp.speakers import person_for
from congress.core.models import Person
from congress.database import transactional, utcnow
from congress.extensions import db


def _own_row(proposal: Proposal, user: User) -> ProposalSpeaker:
    _require_speaker(proposal, user)
    person = person_for(user)
    return next(s for s in proposal.speakers if s.person_id == person.id)


def recording_consent_of(proposal: Proposal, user: User) -> bool:
    """Whether this speaker consents to the recording of the proposal's session."""
    return _own_row(proposal, user).recording_consent


@transactional
def set_recording_consent(proposal: Proposal, user: User, consent: bool) -> ProposalSpeaker:
    """Give or withdraw the speaker's recording consent; the archive hears of it in this transaction."""
    row = _own_row(proposal, user)
    if row.recording_consent == bool(consent):
        return row
    row.recording_consent = bool(consent)
    row.recording_consent_at = utcnow()
    db.session.flush()
    record("cfp.recording_consent", proposal, consent=bool(consent), person_id=row.person_id)
    recording_consent_changed.send(proposal, session_id=proposal.session_id)
    return row


def recording_consented(proposal: Proposal) -> bool:
    """Whether every speaker of the proposal consents (what makes a recording of its session public)."""
    return bool(proposal.speakers) and all(s.recording_consent for s in proposal.speakers)


def sessions_without_recording_consent() -> sa.Select:
    """The ids of the sessions whose proposal has a speaker who has not consented to the recording
    (a subquery for the archive's filters: one indexed anti-join, whatever the number of items)."""
    return (sa.select(Proposal.session_id)
            .join(ProposalSpeaker, ProposalSpeaker.proposal_id == Proposal.id)
            .where(Proposal.session_id.is_not(None), ProposalSpeaker.recording_consent.is_(False)))


def speakers_without_recording_consent(session_id: int) -> list[str]:
    """The names of the speakers of the session's proposal who have not consented to the recording
    (empty when every speaker consents, or when the session did not come through the call)."""
    return list(db.session.scalars(
        sa.select(Person.name).join(ProposalSpeaker, ProposalSpeaker.person_id == Person.id)
        .join(Proposal, ProposalSpeaker.proposal_id == Proposal.id)
        .where(Proposal.session_id == session_id, ProposalSpeaker.recording_consent.is_(False))
        .order_by(ProposalSpeaker.id)))
