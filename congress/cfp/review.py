"""Call for proposals: the review — who sees and reviews which proposal, the anonymised view
(the speakers' own words without their names), assignments, conflicts of interest, scores,
ranking and progress, and a proposal's history as the viewer may see it."""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from congress.accounts import permissions
from congress.accounts.models import Role, User
from congress.audit.models import AuditEvent
from congress.audit.services import record
from congress.cfp.errors import CfpError
from congress.cfp.models import (
    ConflictOfInterest,
    CoSpeakerInvitation,
    Proposal,
    ProposalSpeaker,
    ProposalStatus,
    Review,
    ReviewAssignment,
)
from congress.cfp.settings import criteria, settings_for
from congress.core.models import Congress, Track
from congress.database import transactional
from congress.extensions import db
from congress.mail.services import queue_mail
from congress.urls import external_url

SCORE_MIN, SCORE_MAX = 1, 5


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
            parts.append(Proposal.id.in_(base.where(Proposal.track_id.in_(permissions.managed_track_ids(user) or {-1}))
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
    if permissions.can_manage_track(user, proposal.track_id):
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
    """The track-manager rule of :mod:`congress.accounts.permissions` (organisers: every track)."""
    return permissions.can_manage_track(user, track_id)


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
    """Reviews done per reviewer and per track (within the tracks the user manages).

    Counted by the database: the page needs numbers, not the proposals and their score documents.
    ``tests/cfp/test_review_progress.py`` checks it against a count over the loaded objects.
    """
    in_my_tracks = _managed_tracks_clause(user)
    conflicts = dict(db.session.execute(
        sa.select(ConflictOfInterest.reviewer_id, sa.func.count(ConflictOfInterest.id)).join(Proposal)
        .where(Proposal.congress_id == congress.id).group_by(ConflictOfInterest.reviewer_id)
    ).all())
    per_reviewer = []
    for reviewer in reviewers():
        assigned_ids = reviewer_proposals_query(congress, reviewer).where(in_my_tracks).with_only_columns(Proposal.id)
        assigned, done = db.session.execute(
            sa.select(sa.func.count(Proposal.id), sa.func.count(Review.id)).select_from(Proposal)
            .outerjoin(Review, sa.and_(Review.proposal_id == Proposal.id, Review.reviewer_id == reviewer.id))
            .where(Proposal.id.in_(assigned_ids))
        ).one()
        if assigned or conflicts.get(reviewer.id):
            per_reviewer.append(Progress(reviewer.name, assigned, done, conflicts.get(reviewer.id, 0)))
    reviewed = sa.exists().where(Review.proposal_id == Proposal.id)
    counts = {
        track_id: (total, with_review)
        for track_id, total, with_review in db.session.execute(
            sa.select(Proposal.track_id, sa.func.count(Proposal.id),
                      sa.func.count(sa.case((reviewed, Proposal.id))))
            .where(Proposal.congress_id == congress.id, in_my_tracks,
                   Proposal.status.not_in([ProposalStatus.DRAFT.value, ProposalStatus.WITHDRAWN.value]))
            .group_by(Proposal.track_id)
        )
    }
    per_track = [Progress(track.name_nl, *counts[track.id]) for track in congress.tracks if counts.get(track.id)]
    return per_reviewer, per_track


def _managed_tracks_clause(user: User) -> sa.ColumnElement[bool]:
    """:func:`can_manage_track` as a condition on ``Proposal.track_id``."""
    if permissions.manages_everything(user):
        return sa.true()
    track_ids = permissions.managed_track_ids(user)
    return Proposal.track_id.in_(track_ids) if track_ids else sa.false()


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
