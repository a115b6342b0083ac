"""Retention: remove the speakers' private fields of an edition once its retention period has passed.

Emptied: the notes for the organisers and the answers to the call's questions on every proposal,
the co-speaker invitations (they hold e-mail addresses), and the e-mail address of the edition's
speakers who have no account (an account holder keeps theirs: it is their login) and who do not
speak at an edition that ends later (that one's retention covers them). Kept: what the public sees
and the archive shows (names, organisations, biographies, titles, abstracts, slides), reviews and
decisions (the counts of the call). Runs inside the caller's transaction (``manage.retention``);
running it again finds nothing left to do.
"""

from __future__ import annotations

import sqlalchemy as sa

from congress.cfp.models import CoSpeakerInvitation, Proposal, ProposalSpeaker
from congress.core.models import Congress, Person
from congress.extensions import db
from congress.programme.models import ProgrammeSession, session_speakers


def _speaker_ids(condition) -> sa.Select:
    """Ids of people who propose or speak in editions matching ``condition`` (on ``Congress``)."""
    proposing = (sa.select(ProposalSpeaker.person_id).join(Proposal, Proposal.id == ProposalSpeaker.proposal_id)
                 .join(Congress, Congress.id == Proposal.congress_id).where(condition))
    speaking = (sa.select(session_speakers.c.person_id)
                .join(ProgrammeSession, ProgrammeSession.id == session_speakers.c.session_id)
                .join(Congress, Congress.id == ProgrammeSession.congress_id).where(condition))
    return sa.union(proposing, speaking)


def _people(congress: Congress) -> sa.Select:
    later = sa.and_(Congress.id != congress.id, Congress.ends_on > congress.ends_on)
    return sa.select(Person).where(
        Person.id.in_(_speaker_ids(Congress.id == congress.id)),
        Person.id.not_in(_speaker_ids(later)),
        Person.user_id.is_(None), Person.email.is_not(None),
    )


def anonymise_speakers(congress: Congress, *, dry_run: bool = False) -> dict[str, int]:
    """``{"proposals": n, "invitations": i, "speakers": s}``: what was (or would be) anonymised."""
    proposals = [p for p in db.session.scalars(sa.select(Proposal).where(Proposal.congress_id == congress.id))
                 if p.notes or p.answers]
    invitations = db.session.scalars(
        sa.select(CoSpeakerInvitation).join(Proposal, Proposal.id == CoSpeakerInvitation.proposal_id)
        .where(Proposal.congress_id == congress.id)).all()
    people = db.session.scalars(_people(congress)).all()
    counts = {"proposals": len(proposals), "invitations": len(invitations), "speakers": len(people)}
    if dry_run:
        return counts
    for proposal in proposals:
        proposal.notes = ""
        proposal.answers = {}
    for invitation in invitations:
        db.session.delete(invitation)
    for person in people:
        person.email = None
    db.session.flush()
    return counts
