"""One test per kind of conflict; publishing is refused while a hard conflict remains."""

from datetime import UTC, datetime, timedelta

import pytest

from congress.extensions import db
from congress.programme import services as programme
from congress.programme.models import SignupRound
from congress.programme.services import ConflictKind, Severity
from tests.factories import make_congress, make_session
from tests.programme.factories import make_speaker


def kinds(congress):
    return {c.kind for c in programme.find_conflicts(congress)}


def test_no_conflicts_in_a_clean_schedule(app):
    congress = make_congress()
    make_session(congress, start="10:00", end="11:00", room_index=0)
    make_session(congress, start="10:00", end="11:00", room_index=1)
    make_session(congress, start="11:00", end="12:00", room_index=0)  # touching, not overlapping
    assert programme.find_conflicts(congress) == []


def test_two_sessions_in_one_room_at_once(app):
    congress = make_congress()
    a = make_session(congress, start="10:00", end="11:00", room_index=0)
    b = make_session(congress, start="10:30", end="11:30", room_index=0)
    [conflict] = programme.find_conflicts(congress)
    assert conflict.kind is ConflictKind.ROOM_DOUBLE_BOOKED
    assert conflict.severity is Severity.HARD
    assert set(conflict.session_ids) == {a.id, b.id}


def test_cancelled_sessions_do_not_conflict(app):
    congress = make_congress()
    make_session(congress, start="10:00", end="11:00", room_index=0)
    b = make_session(congress, start="10:30", end="11:30", room_index=0)
    b.is_cancelled = True
    db.session.commit()
    assert programme.find_conflicts(congress) == []


def test_a_speaker_in_two_places_at_once(app):
    congress = make_congress()
    speaker = make_speaker()
    make_session(congress, start="10:00", end="11:00", room_index=0, speakers=[speaker])
    make_session(congress, start="10:45", end="11:30", room_index=1, speakers=[speaker])
    [conflict] = programme.find_conflicts(congress)
    assert conflict.kind is ConflictKind.SPEAKER_DOUBLE_BOOKED and conflict.is_hard
    assert speaker.name in conflict.message


def test_a_session_outside_the_congress_days(app):
    congress = make_congress()
    make_session(congress, day=congress.starts_on + timedelta(days=1))
    [conflict] = programme.find_conflicts(congress)
    assert conflict.kind is ConflictKind.OUTSIDE_CONGRESS_DAYS and conflict.is_hard


def test_a_session_outside_its_rooms_availability(app):
    congress = make_congress()
    room = congress.rooms[0]
    session = make_session(congress, start="16:00", end="17:30", room_index=0)
    room.available_from = session.starts_at - timedelta(hours=6)
    room.available_until = session.starts_at + timedelta(hours=1)
    db.session.commit()
    [conflict] = programme.find_conflicts(congress)
    assert conflict.kind is ConflictKind.OUTSIDE_ROOM_AVAILABILITY and conflict.is_hard


def test_a_capacity_above_the_rooms(app):
    congress = make_congress()
    session = make_session(congress, room_index=0)
    session.capacity = congress.rooms[0].capacity + 1
    db.session.commit()
    [conflict] = programme.find_conflicts(congress)
    assert conflict.kind is ConflictKind.CAPACITY_ABOVE_ROOM
    assert conflict.severity is Severity.SOFT


def test_overlapping_sessions_of_different_signup_rounds(app):
    congress = make_congress()
    first = SignupRound(congress=congress, name_nl="Ronde 1", position=1)
    second = SignupRound(congress=congress, name_nl="Ronde 2", position=2)
    a = make_session(congress, start="10:00", end="11:00", room_index=0)
    b = make_session(congress, start="10:30", end="11:30", room_index=1)
    c = make_session(congress, start="10:00", end="11:00", room_index=1, title="parallel in round 1")
    c.starts_at, c.ends_at = a.starts_at, a.ends_at
    a.signup_round, b.signup_round = first, second
    db.session.delete(c)
    db.session.commit()
    [conflict] = programme.find_conflicts(congress)
    assert conflict.kind is ConflictKind.SIGNUP_ROUND_OVERLAP and not conflict.is_hard


def test_parallel_sessions_inside_one_round_are_fine(app):
    congress = make_congress()
    rnd = SignupRound(congress=congress, name_nl="Ronde 1", position=1)
    a = make_session(congress, start="10:00", end="11:00", room_index=0)
    b = make_session(congress, start="10:00", end="11:00", room_index=1)
    a.signup_round = b.signup_round = rnd
    db.session.commit()
    assert programme.find_conflicts(congress) == []


def test_publishing_is_refused_while_a_hard_conflict_remains(app, organiser):
    congress = make_congress()
    make_session(congress, start="10:00", end="11:00", room_index=0)
    b = make_session(congress, start="10:30", end="11:30", room_index=0)
    with pytest.raises(programme.PublishRefused) as refused:
        programme.publish(congress, organiser)
    assert refused.value.conflicts[0].kind is ConflictKind.ROOM_DOUBLE_BOOKED
    db.session.rollback()
    assert programme.versions(congress) == []
    b.room = congress.rooms[1]
    db.session.commit()
    version = programme.publish(congress, organiser)
    assert version.number == 1


def test_soft_conflicts_do_not_block_publishing(app, organiser):
    congress = make_congress()
    session = make_session(congress)
    session.capacity = 999
    db.session.commit()
    assert kinds(congress) == {ConflictKind.CAPACITY_ABOVE_ROOM}
    assert programme.publish(congress, organiser).number == 1


def test_conflicts_respect_utc_storage(app):
    congress = make_congress()
    a = make_session(congress, start="10:00", end="11:00", room_index=0)
    assert a.starts_at.tzinfo is not None
    assert a.starts_at.astimezone(UTC) < datetime.now(UTC) + timedelta(days=400)
