"""How the audit log names what the programme edits: sessions, versions, rounds, tracks, rooms and
speakers (answering ``audit.signals.objects_described``)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from congress.audit.queries import name_objects
from congress.core.models import Person, Room, Track
from congress.i18n import pick
from congress.programme.models import ProgrammeSession, ProgrammeVersion, SignupRound

Names = dict[int, tuple[str, str | None]]


def sessions(_kind: str, *, ids: list[int], locale: str, **_: Any) -> Names:
    return name_objects(ProgrammeSession, ids, lambda s: s.title,
                        lambda s: url_for("programme.edit_session", slug=s.congress.slug, session_id=s.id))


def versions(_kind: str, *, ids: list[int], locale: str, **_: Any) -> Names:
    return name_objects(ProgrammeVersion, ids,
                        lambda v: pick(f"Programmaversie {v.number} ({v.congress.slug})",
                                       f"Programme version {v.number} ({v.congress.slug})", locale),
                        lambda v: url_for("programme.manage_sessions", slug=v.congress.slug))


def rounds(_kind: str, *, ids: list[int], locale: str, **_: Any) -> Names:
    return name_objects(SignupRound, ids, lambda r: f"{r.name(locale)} ({r.congress.slug})",
                        lambda r: url_for("programme.manage_rounds", slug=r.congress.slug, round_id=r.id))


def tracks(_kind: str, *, ids: list[int], locale: str, **_: Any) -> Names:
    return name_objects(Track, ids, lambda t: f"{t.name(locale)} ({t.congress.slug})",
                        lambda t: url_for("programme.edit_track", slug=t.congress.slug, track_id=t.id))


def rooms(_kind: str, *, ids: list[int], locale: str, **_: Any) -> Names:
    return name_objects(Room, ids, lambda r: f"{r.name} ({r.congress.slug})",
                        lambda r: url_for("programme.edit_room", slug=r.congress.slug, room_id=r.id))


def people(_kind: str, *, ids: list[int], locale: str, **_: Any) -> Names:
    return name_objects(Person, ids, lambda p: p.name)


DESCRIBERS = {"ProgrammeSession": sessions, "ProgrammeVersion": versions, "SignupRound": rounds,
              "Track": tracks, "Room": rooms, "Person": people}
