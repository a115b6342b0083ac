"""Cloning an edition, the programme's part: its sign-up rounds and sessions, moved by the shift, as a
draft programme.

No programme version is copied, so nothing of the new programme is public until an organiser publishes
its first version. Speakers are not linked: unlike Indico's "clone event", which copies contributions
with their person links, a new edition asks its speakers anew (through its call for proposals or an
invitation), and last year's people should not appear on next year's programme without saying yes.
Cancelled sessions stay behind; sessions keep their track, room and round (remapped to the copies).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from congress.core.cloning import copy_columns, remap, shift_moment
from congress.core.models import Congress
from congress.extensions import db
from congress.programme.models import ProgrammeSession, SignupRound

# Taken from the copy's own defaults: a new session has not changed yet (its calendar sequence).
SESSION_NOT_COPIED = ("track_id", "room_id", "signup_round_id", "starts_at", "ends_at", "sequence", "is_cancelled")


def copy_programme(source: Congress, target: Congress, *, shift: timedelta, track_ids: Mapping[int, int],
                   room_ids: Mapping[int, int]) -> dict[str, int]:
    rounds = db.session.scalars(sa.select(SignupRound).where(SignupRound.congress_id == source.id)
                                .order_by(SignupRound.position, SignupRound.id)).all()
    round_copies = {}
    for original in rounds:
        row = SignupRound(congress_id=target.id, **copy_columns(original))
        db.session.add(row)
        round_copies[original.id] = row
    db.session.flush()
    round_ids = {old: row.id for old, row in round_copies.items()}
    sessions = db.session.scalars(
        sa.select(ProgrammeSession)
        .where(ProgrammeSession.congress_id == source.id, ProgrammeSession.is_cancelled.is_(False))
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
    ).all()
    for original in sessions:
        db.session.add(ProgrammeSession(
            congress_id=target.id, **copy_columns(original, skip=SESSION_NOT_COPIED),
            track_id=remap(track_ids, original.track_id), room_id=remap(room_ids, original.room_id),
            signup_round_id=remap(round_ids, original.signup_round_id),
            starts_at=shift_moment(original.starts_at, shift, source.timezone),
            ends_at=shift_moment(original.ends_at, shift, source.timezone),
        ))
    db.session.flush()
    return {"signup_rounds": len(round_ids), "sessions": len(sessions)}


def on_congress_cloned(source: Congress, *, target: Congress, shift: timedelta, track_ids: Mapping[int, int],
                       room_ids: Mapping[int, int], **_: Any) -> dict[str, int]:
    return copy_programme(source, target, shift=shift, track_ids=track_ids, room_ids=room_ids)
