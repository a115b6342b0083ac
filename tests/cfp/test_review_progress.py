"""Review progress is counted by the database; these tests hold it to a plain count over the loaded
proposals (the implementation before issue 13's speed-up), for an organiser and a track manager."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from congress.accounts import services as accounts
from congress.cfp import services
from congress.cfp.models import ConflictOfInterest, Proposal, ProposalStatus
from congress.cfp.review import reviewer_proposals_query, reviewers
from congress.extensions import db
from tests.cfp.factories import make_proposal, make_speaker, open_call
from tests.factories import make_user


def _plain_progress(congress, user):
    """The reference: load the proposals and their reviews, count in Python."""
    per_reviewer = []
    for reviewer in reviewers():
        query = reviewer_proposals_query(congress, reviewer).options(selectinload(Proposal.reviews))
        mine = [p for p in db.session.scalars(query) if services.can_manage_track(user, p.track_id)]
        done = sum(1 for p in mine if any(r.reviewer_id == reviewer.id for r in p.reviews))
        conflicts = db.session.scalar(
            sa.select(sa.func.count(ConflictOfInterest.id)).join(Proposal)
            .where(ConflictOfInterest.reviewer_id == reviewer.id, Proposal.congress_id == congress.id)
        ) or 0
        if mine or conflicts:
            per_reviewer.append((reviewer.name, len(mine), done, conflicts))
    proposals = [p for p in services.visible_proposals(congress, user)
                 if p.status != ProposalStatus.WITHDRAWN.value and services.can_manage_track(user, p.track_id)]
    per_track = []
    for track in congress.tracks:
        mine = [p for p in proposals if p.track_id == track.id]
        if mine:
            per_track.append((track.name_nl, len(mine), sum(1 for p in mine if p.reviews), 0))
    return per_reviewer, per_track


def _rows(result):
    per_reviewer, per_track = result
    return ([(p.label, p.assigned, p.reviewed, p.conflicts) for p in per_reviewer],
            [(p.label, p.assigned, p.reviewed, p.conflicts) for p in per_track])


def test_progress_counts_what_a_plain_count_over_the_proposals_counts(app, congress, organiser):
    with app.test_request_context():
        open_call(congress, max_proposals=20)
        t1, t2 = congress.tracks
        crit = services.criteria(congress)
        speakers = [make_speaker(email=f"s{i}@example.org", name=f"Spreker {i}") for i in range(4)]
        proposals = [make_proposal(congress, speakers[i % 4], title=f"Voorstel {i}",
                                   track_id=(t1 if i % 3 else t2).id) for i in range(9)]
        make_proposal(congress, speakers[0], title="Concept", track_id=t1.id, submit=False)
        services.withdraw_proposal(proposals[8], speakers[0])
        by_track, by_hand, conflicted, idle = (make_user("reviewer", name=n) for n in ("Anna", "Bram", "Cem", "Dirk"))
        services.assign_reviewer(congress, organiser, by_track, track_id=t1.id)
        services.assign_reviewer(congress, organiser, conflicted, track_id=t1.id)
        for p in proposals[:3]:
            services.assign_reviewer(congress, organiser, by_hand, proposal=p)
        db.session.commit()
        for p in proposals[1:5]:
            if services.can_review(p, by_track):
                services.save_review(p, by_track, {c.id: 4 for c in crit})
        services.save_review(proposals[0], by_hand, {c.id: 2 for c in crit})
        services.declare_conflict(proposals[1], conflicted)
        db.session.commit()
        manager = accounts.create_user("tm@example.org", name="TM", password="track managers own sentence",
                                       roles=("track_manager",), track_ids=(t2.id,))
        db.session.commit()
        for user in (organiser, manager, idle):
            expected = _plain_progress(congress, user)
            assert _rows(services.progress(congress, user)) == expected
        everything = _rows(services.progress(congress, organiser))
        assert everything != _rows(services.progress(congress, manager))
        assert any(row[3] for row in everything[0]), "the conflict is counted"
