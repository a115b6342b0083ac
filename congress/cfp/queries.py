"""Reads of the call for proposals that other capabilities use."""

from __future__ import annotations

import sqlalchemy as sa

from congress.cfp.models import Proposal, Review
from congress.cfp.slides import slide_files
from congress.extensions import db

__all__ = ["proposal_counts", "slide_files"]


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
