"""Reads of the call for proposals that other capabilities use."""

from __future__ import annotations

import sqlalchemy as sa

from congress.cfp.models import Proposal, ProposalSpeaker, ProposalStatus, Review
from congress.cfp.recording import sessions_without_recording_consent, speakers_without_recording_consent
from congress.cfp.slides import slide_files
from congress.core.models import Person
from congress.extensions import db

__all__ = ["accepted_speakers", "proposal_counts", "sessions_without_recording_consent", "slide_files",
           "speakers_without_recording_consent"]


# --- the cockpit (a14-cockpit) -------------------------------------------------------------------

def proposal_counts(congress_id: int) -> dict[str, int]:
    """{status: number of the edition's proposals}, plus ``reviewed``: proposals with at least one review."""
    counts = dict(db.session.execute(
        sa.select(Proposal.status, sa.func.count()).where(Proposal.congress_id == congress_id)
        .group_by(Proposal.status)).all())
    counts["reviewed"] = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Review.proposal_id))).join(Proposal, Review.proposal_id == Proposal.id)
        .where(Proposal.congress_id == congress_id)) or 0
    return counts


# --- communications: mailings to the speakers ------------------------------------------------------

ACCEPTED = (ProposalStatus.ACCEPTED.value, ProposalStatus.CONFIRMED.value)


def accepted_speakers(congress_id: int) -> list[Person]:
    """The speakers (owners and co-speakers) of the edition's accepted or confirmed proposals, once each."""
    return list(db.session.scalars(
        sa.select(Person).where(Person.id.in_(
            sa.select(ProposalSpeaker.person_id).join(Proposal, ProposalSpeaker.proposal_id == Proposal.id)
            .where(Proposal.congress_id == congress_id, Proposal.status.in_(ACCEPTED))))
        .order_by(Person.id)))
