"""Builders for programme tests."""

from __future__ import annotations

from congress.accounts.models import Role, RoleGrant, User
from congress.core.models import Congress, Person
from congress.extensions import db
from congress.programme import services
from tests.factories import make_user


def make_speaker(name: str = "Sam Spreker", email: str | None = "sam@example.org") -> Person:
    person = Person(name=name, email=email, organisation="Gemeente Test")
    db.session.add(person)
    db.session.commit()
    return person


def make_track_manager(congress: Congress, track_index: int = 0, email: str | None = None) -> User:
    user = make_user(Role.TRACK_MANAGER.value, email=email, name="Tineke Trackmanager")
    db.session.add(RoleGrant(user_id=user.id, role=Role.TRACK_MANAGER.value,
                             track_id=congress.tracks[track_index].id))
    db.session.commit()
    db.session.refresh(user)
    return user


def publish(congress: Congress, note: str = "") -> None:
    """Publish the programme as the next version (what the public pages and feeds show)."""

    services.publish(congress, None, note)
    db.session.commit()
