"""An edition's tracks (with their managers), rooms and sign-up rounds.

A name is unique per edition (a track's and a round's Dutch name, a room's name): the rule is
here once and raises :class:`ProgrammeError` for the form field it belongs next to.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from congress.accounts.models import Role, RoleGrant, User
from congress.audit.services import record
from congress.core.models import Congress, Room, Track
from congress.database import transactional
from congress.extensions import db
from congress.programme.editing import clean_stream_url
from congress.programme.errors import ProgrammeError
from congress.programme.models import SignupRound


def name_taken(model: type[Any], column: Any, congress: Congress, name: str, exclude_id: int | None) -> bool:
    """Whether another row of ``model`` in this edition already has ``name`` (stripped) in ``column``."""
    return db.session.scalar(
        sa.select(model.id).where(model.congress_id == congress.id, column == name.strip(),
                                  model.id != (exclude_id or 0)).limit(1)
    ) is not None


@transactional
def save_track(congress: Congress, track: Track | None, *, name_nl: str, name_en: str, colour: str,
               description_nl: str = "", description_en: str = "", manager_ids: Iterable[int] = ()) -> Track:
    if name_taken(Track, Track.name_nl, congress, name_nl, track.id if track else None):
        raise ProgrammeError(_("Another track already has this name."), "name_nl")
    created = track is None
    if track is None:
        track = Track(congress=congress, position=len(congress.tracks))
        db.session.add(track)
    track.name_nl, track.name_en = name_nl.strip(), name_en.strip()
    track.colour = colour
    track.description_nl, track.description_en = description_nl.strip(), description_en.strip()
    db.session.flush()
    wanted = set(manager_ids)
    current = {
        g.user_id: g
        for g in db.session.scalars(
            sa.select(RoleGrant).where(RoleGrant.role == Role.TRACK_MANAGER.value, RoleGrant.track_id == track.id)
        )
    }
    for user_id, grant in current.items():
        if user_id not in wanted:
            db.session.delete(grant)
    for user_id in wanted - set(current):
        if db.session.get(User, user_id) is not None:
            db.session.add(RoleGrant(user_id=user_id, role=Role.TRACK_MANAGER.value, track_id=track.id))
    db.session.flush()
    record("programme.track.create" if created else "programme.track.update", track, name=track.name_nl,
           managers=sorted(wanted))
    return track


def track_manager_ids(track: Track) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(RoleGrant.user_id).where(RoleGrant.role == Role.TRACK_MANAGER.value,
                                               RoleGrant.track_id == track.id)
        )
    )


def managers_by_track() -> dict[int, list[User]]:
    """The track managers of every track, by track id (the tracks page)."""
    grants = db.session.scalars(sa.select(RoleGrant).where(RoleGrant.role == Role.TRACK_MANAGER.value)).all()
    managers: dict[int, list[User]] = {}
    for g in grants:
        if g.track_id:
            managers.setdefault(g.track_id, []).append(g.user)
    return managers


def track_manager_candidates() -> list[User]:
    """Active staff who can be made a track's manager (track managers and organisers)."""
    staff = db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.name, User.email)).all()
    return [u for u in staff if u.has_role(Role.TRACK_MANAGER.value, Role.ORGANISER.value)
            or u.roles & {Role.TRACK_MANAGER.value}]


@transactional
def save_room(congress: Congress, room: Room | None, *, name: str, capacity: int, accessibility_notes: str = "",
              available_from: datetime | None = None, available_until: datetime | None = None,
              stream_url: str = "") -> Room:
    if name_taken(Room, Room.name, congress, name, room.id if room else None):
        raise ProgrammeError(_("Another room already has this name."), "name")
    if capacity < 0:
        raise ProgrammeError(_("The capacity cannot be negative."), "capacity")
    if available_from and available_until and available_until <= available_from:
        raise ProgrammeError(_("The room must become unavailable after it becomes available."), "available_until")
    created = room is None
    if room is None:
        room = Room(congress=congress, position=len(congress.rooms))
        db.session.add(room)
    room.name = name.strip()
    room.capacity = capacity
    room.accessibility_notes = accessibility_notes.strip()
    room.stream_url = clean_stream_url(stream_url)
    room.available_from, room.available_until = available_from, available_until
    db.session.flush()
    record("programme.room.create" if created else "programme.room.update", room, name=room.name)
    return room


@transactional
def save_signup_round(congress: Congress, signup_round: SignupRound | None, *, name_nl: str, name_en: str = "",
                      position: int = 0) -> SignupRound:
    if name_taken(SignupRound, SignupRound.name_nl, congress, name_nl, signup_round.id if signup_round else None):
        raise ProgrammeError(_("Another sign-up round already has this name."), "name_nl")
    created = signup_round is None
    if signup_round is None:
        signup_round = SignupRound(congress=congress)
        db.session.add(signup_round)
    signup_round.name_nl, signup_round.name_en, signup_round.position = name_nl.strip(), name_en.strip(), position
    db.session.flush()
    record("programme.round.create" if created else "programme.round.update", signup_round,
           name=signup_round.name_nl)
    return signup_round


def signup_rounds(congress: Congress) -> list[SignupRound]:
    return list(db.session.scalars(
        sa.select(SignupRound).where(SignupRound.congress_id == congress.id)
        .order_by(SignupRound.position, SignupRound.id)
    ))
