"""Publishing the programme as numbered versions with a changelog.

Publishing mails the speakers of changed sessions and sends ``programme.signals.sessions_changed``
inside the publishing transaction (registration e-mails the enrolled attendees).

Guard rails: a version without changes is refused (:class:`NothingToPublish`); a change of a session's
capacity alone is no change of the programme (seats are registration's business: a raised capacity
promotes the waiting list there, and nobody is mailed about it); :func:`mail_preview` says beforehand
how many people the next version will e-mail, for the confirmation step.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from congress.accounts.models import User
from congress.audit.services import record
from congress.core.models import Congress, Person
from congress.database import lock_for_update, transactional, utcnow
from congress.errors import Conflict as StateConflict
from congress.extensions import db
from congress.mail.services import queue_mail
from congress.programme.conflicts import Conflict, find_conflicts
from congress.programme.models import ProgrammeSession, ProgrammeVersion
from congress.programme.reading import all_sessions, latest_version
from congress.programme.signals import recipients_wanted, sessions_changed
from congress.signals import first_answer
from congress.urls import external_url


class PublishRefused(StateConflict):
    """Hard conflicts remain (409); ``conflicts`` lists them."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__(_("The programme cannot be published while hard conflicts remain."), code="hard_conflicts")
        self.conflicts = conflicts


class NothingToPublish(StateConflict):
    """Nothing changed since the last version (409): an empty version is never published."""

    def __init__(self) -> None:
        super().__init__(_("Nothing has changed since the last version: there is nothing to publish."),
                         code="no_changes")


class ChangeKind(enum.StrEnum):
    NEW = "new"
    MOVED = "moved"
    ROOM = "room"
    CANCELLED = "cancelled"
    RESTORED = "restored"
    CHANGED = "changed"
    REMOVED = "removed"


def change_label(kind: str) -> str:
    labels = {
        ChangeKind.NEW.value: _("new"),
        ChangeKind.MOVED.value: _("moved"),
        ChangeKind.ROOM.value: _("changed room"),
        ChangeKind.CANCELLED.value: _("cancelled"),
        ChangeKind.RESTORED.value: _("back in the programme"),
        ChangeKind.CHANGED.value: _("details changed"),
        ChangeKind.REMOVED.value: _("removed"),
    }
    return labels.get(kind, kind)


def snapshot_of(session: ProgrammeSession) -> dict[str, Any]:
    return {
        "title": session.title,
        "starts_at": session.starts_at.isoformat() if session.starts_at else None,
        "ends_at": session.ends_at.isoformat() if session.ends_at else None,
        "room_id": session.room_id,
        "room": session.room.name if session.room else "",
        "cancelled": session.is_cancelled,
        "details": [session.abstract, session.format, session.language, session.track_id,
                    session.target_audience, session.capacity, [p.id for p in session.speakers]],
        # The English title and abstract (empty when none); versions published before sessions were
        # bilingual have no such key, which reads as none.
        "english": [session.title_en, session.abstract_en],
    }


def _english(state: dict[str, Any]) -> list[str]:
    return list(state.get("english") or ["", ""])


# Where the capacity sits in a snapshot's ``details`` (kept in the snapshot, but no change of the programme).
_CAPACITY = 5


def _programme_details(details: list[Any]) -> list[Any]:
    """The details whose change is a change of the programme: all but the capacity."""
    return [value for index, value in enumerate(details) if index != _CAPACITY]


def pending_changes(congress: Congress) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The changelog the next version would get, and the snapshot it would store."""
    previous = latest_version(congress)
    before: dict[str, Any] = previous.snapshot if previous is not None else {}
    now = {str(s.id): snapshot_of(s) for s in all_sessions(congress) if s.starts_at is not None}
    changes: list[dict[str, Any]] = []
    for key, state in now.items():
        old = before.get(key)
        kinds: list[str] = []
        if old is None:
            kinds.append(ChangeKind.NEW.value)
        else:
            if state["cancelled"] and not old["cancelled"]:
                kinds.append(ChangeKind.CANCELLED.value)
            elif old["cancelled"] and not state["cancelled"]:
                kinds.append(ChangeKind.RESTORED.value)
            if (state["starts_at"], state["ends_at"]) != (old["starts_at"], old["ends_at"]):
                kinds.append(ChangeKind.MOVED.value)
            if state["room_id"] != old["room_id"]:
                kinds.append(ChangeKind.ROOM.value)
            if (state["title"] != old["title"] or _english(state) != _english(old)
                    or _programme_details(state["details"]) != _programme_details(old["details"])):
                kinds.append(ChangeKind.CHANGED.value)
        if kinds:
            changes.append({
                "session_id": int(key), "title": state["title"], "kinds": kinds,
                "starts_at": state["starts_at"], "ends_at": state["ends_at"], "room": state["room"],
                "previous": {k: old[k] for k in ("starts_at", "ends_at", "room")} if old else None,
            })
    for key, old in before.items():
        if key not in now:
            changes.append({"session_id": int(key), "title": old["title"], "kinds": [ChangeKind.REMOVED.value],
                            "starts_at": old["starts_at"], "ends_at": old["ends_at"], "room": old["room"],
                            "previous": None})
    changes.sort(key=lambda c: (c["starts_at"] or "", c["title"]))
    return changes, now


def _session_links(congress: Congress, sessions: list[ProgrammeSession]) -> dict[int, str]:
    """Absolute links to the public session pages (on PUBLIC_BASE_URL, in a request or a job alike)."""
    return {s.id: external_url("programme.session_page", slug=congress.slug, session_id=s.id)
            for s in sessions}


@transactional
def publish(congress: Congress, user: User | None, note: str = "", *,
            allow_conflicts: bool = False) -> ProgrammeVersion:
    """Publish the programme as the next numbered version.

    Refused (:class:`PublishRefused`) while a hard conflict remains, and (:class:`NothingToPublish`) when
    nothing changed since the last version. Changed sessions get a higher
    ``sequence`` and a new ``updated_at`` (calendar apps replace their copy); their speakers get an
    e-mail, and ``sessions_changed`` is sent with the changed session ids (registration mails the
    attendees enrolled in them), inside this transaction.
    ``allow_conflicts`` is for loading existing data (the demo), never for the editor.
    """
    # One publisher at a time per edition (the version number is taken from the last one).
    db.session.execute(lock_for_update(sa.select(Congress.id).where(Congress.id == congress.id)))
    hard = [c for c in find_conflicts(congress) if c.is_hard]
    if hard and not allow_conflicts:
        raise PublishRefused(hard)
    previous = latest_version(congress)
    changes, snapshot = pending_changes(congress)
    if not changes:
        raise NothingToPublish()
    version = ProgrammeVersion(
        congress=congress,
        number=(previous.number + 1) if previous is not None else 1,
        published_by_id=user.id if user is not None else None,
        note=note.strip(),
        changes=changes,
        snapshot=snapshot,
    )
    db.session.add(version)
    now = utcnow()
    changed_ids = _changed_ids(changes)
    sessions = {s.id: s for s in all_sessions(congress) if s.id in set(changed_ids)}
    if previous is not None:
        # Calendar apps replace an event only when its SEQUENCE rises.
        for s in sessions.values():
            if ChangeKind.NEW.value not in next(c["kinds"] for c in changes if c["session_id"] == s.id):
                s.sequence = (s.sequence or 0) + 1
            s.updated_at = now
    db.session.flush()
    record("programme.publish", version, congress_id=congress.id, number=version.number,
           changed=len(changes), hard_conflicts=len(hard))
    if previous is not None:
        by_person: dict[int, tuple[Person, list[tuple[ProgrammeSession, list[str]]]]] = {}
        for change in changes:
            s = sessions.get(change["session_id"])
            if s is None:
                continue
            for person in s.speakers:
                if person.email:
                    by_person.setdefault(person.id, (person, []))[1].append((s, change["kinds"]))
        links = _session_links(congress, list(sessions.values()))
        for person, items in by_person.values():
            queue_mail(person.email, "programme/speaker_session_changed", locale="nl", congress_id=congress.id,
                       person=person, congress=congress, version=version, items=items, links=links)
        if changed_ids:
            sessions_changed.send(congress, session_ids=changed_ids, version=version)
    return version


@dataclass(frozen=True)
class MailPreview:
    """Who the next version e-mails: the speakers of its changed sessions and the attendees enrolled in
    (or waiting for) them; nobody for the first version."""

    speakers: int
    attendees: int
    changes: int

    @property
    def mails_anyone(self) -> bool:
        return bool(self.speakers or self.attendees)


def _changed_ids(changes: list[dict[str, Any]]) -> list[int]:
    return [c["session_id"] for c in changes if ChangeKind.REMOVED.value not in c["kinds"]]


def mail_preview(congress: Congress, changes: list[dict[str, Any]] | None = None) -> MailPreview:
    """How many people publishing now would e-mail (for the confirmation step before publishing).
    The attendees are counted by the capability that mails them (``recipients_wanted``)."""
    if changes is None:
        changes, _snapshot = pending_changes(congress)
    if latest_version(congress) is None or not changes:
        return MailPreview(0, 0, len(changes))
    ids = set(_changed_ids(changes))
    speakers = {p.id for s in all_sessions(congress) if s.id in ids for p in s.speakers if p.email}
    attendees = first_answer(recipients_wanted, congress, default=0, session_ids=sorted(ids)) if ids else 0
    return MailPreview(len(speakers), int(attendees), len(changes))
