"""Editing rights, validation, publishing with versions, changelog, SEQUENCE, e-mail and the hook."""

import threading
from datetime import timedelta

import pytest

from congress.audit.models import AuditEvent
from congress.core.models import Congress
from congress.database import write_transaction
from congress.extensions import db
from congress.programme import services as programme
from congress.programme.models import ProgrammeSession
from congress.programme.signals import sessions_changed
from tests.factories import make_congress, make_session, make_user
from tests.programme.factories import make_speaker, make_track_manager


def data_for(session: ProgrammeSession, **changes) -> programme.SessionData:
    values = dict(
        title=session.title, starts_at=session.starts_at, ends_at=session.ends_at, track_id=session.track_id,
        room_id=session.room_id, speaker_ids=[p.id for p in session.speakers],
    )
    values.update(changes)
    return programme.SessionData(**values)


def test_track_managers_edit_only_their_own_tracks_sessions(app):
    congress = make_congress()
    manager = make_track_manager(congress, track_index=0)
    mine = make_session(congress, track_index=0)
    theirs = make_session(congress, track_index=1, room_index=1)
    assert programme.can_edit_session(manager, mine)
    assert not programme.can_edit_session(manager, theirs)
    programme.save_session(congress, mine, data_for(mine, title="Nieuw"), manager)
    with pytest.raises(programme.NotAllowed):
        programme.save_session(congress, theirs, data_for(theirs, title="Gekaapt"), manager)
    with pytest.raises(programme.NotAllowed):
        programme.move_session(theirs, manager, room_id=None, starts_at=theirs.starts_at)
    with pytest.raises(programme.ProgrammeError) as moved_away:
        programme.save_session(congress, mine, data_for(mine, track_id=congress.tracks[1].id), manager)
    assert moved_away.value.field == "track_id"
    assert programme.editable_tracks(manager, congress) == [congress.tracks[0]]


def test_organisers_edit_everything(app, organiser):
    congress = make_congress()
    session = make_session(congress, track_index=1)
    assert programme.can_edit_session(organiser, session)
    programme.save_session(congress, session, data_for(session, title="Anders", track_id=None), organiser)
    db.session.commit()
    assert session.title == "Anders" and session.track is None
    assert db.session.query(AuditEvent).filter_by(action="programme.session.update").count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at_offset": timedelta(hours=-2)}, "ends_at"),
        ({"start_offset": timedelta(days=3)}, "starts_at"),
        ({"room_clash": True}, "room_id"),
        ({"track_id": 999999}, "track_id"),
        ({"title": "  "}, "title"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(app, organiser, change, field):
    congress = make_congress()
    other = make_session(congress, start="14:00", end="15:00", room_index=1)
    session = make_session(congress, start="10:00", end="11:00", room_index=0)
    data = data_for(session)
    if "ends_at_offset" in change:
        data.ends_at = session.starts_at + change["ends_at_offset"]
    if "start_offset" in change:
        data.starts_at += change["start_offset"]
        data.ends_at += change["start_offset"]
    if "room_clash" in change:
        data.room_id = other.room_id
        data.starts_at, data.ends_at = other.starts_at, other.ends_at
    if "track_id" in change:
        data.track_id = change["track_id"]
    if "title" in change:
        data.title = change["title"]
    with pytest.raises(programme.ProgrammeError) as refused:
        programme.save_session(congress, session, data, organiser)
    assert refused.value.field == field


def test_moving_keeps_the_duration_and_refuses_an_occupied_room(app, organiser):
    congress = make_congress()
    a = make_session(congress, start="10:00", end="11:30", room_index=0)
    b = make_session(congress, start="13:00", end="14:00", room_index=1)
    programme.move_session(a, organiser, room_id=b.room_id, starts_at=b.ends_at)
    db.session.commit()
    assert a.ends_at - a.starts_at == timedelta(minutes=90)
    assert a.room_id == b.room_id
    with pytest.raises(programme.ProgrammeError):
        programme.move_session(a, organiser, room_id=b.room_id, starts_at=b.starts_at)


def test_publishing_numbers_versions_and_writes_a_changelog(app, organiser, mailbox):
    congress = make_congress()
    speaker = make_speaker(email="spreker@example.org")
    silent = make_speaker(name="Zonder Mail", email=None)
    moved = make_session(congress, title="Verplaatst", start="10:00", end="11:00", speakers=[speaker, silent])
    cancelled = make_session(congress, title="Vervalt", start="12:00", end="13:00", speakers=[speaker])
    untouched = make_session(congress, title="Blijft", start="10:00", end="11:00", room_index=1)
    first = programme.publish(congress, organiser, "Eerste versie")
    db.session.commit()
    assert first.number == 1
    assert {c["title"]: c["kinds"] for c in first.changes} == {
        "Verplaatst": ["new"], "Vervalt": ["new"], "Blijft": ["new"]}
    assert mailbox == []  # the first publication is no change for anyone
    stamps = {s.id: (s.sequence, s.updated_at) for s in (moved, cancelled, untouched)}

    programme.move_session(moved, organiser, room_id=congress.rooms[1].id,
                           starts_at=moved.starts_at + timedelta(hours=4))
    cancelled.is_cancelled = True
    new = make_session(congress, title="Nieuw", start="15:00", end="16:00")
    db.session.commit()
    second = programme.publish(congress, organiser)
    db.session.commit()
    assert second.number == 2
    changes = {c["title"]: c["kinds"] for c in second.changes}
    assert changes == {"Verplaatst": ["moved", "room"], "Vervalt": ["cancelled"], "Nieuw": ["new"]}
    assert moved.sequence == stamps[moved.id][0] + 1 and moved.updated_at > stamps[moved.id][1]
    assert cancelled.sequence == stamps[cancelled.id][0] + 1
    assert untouched.sequence == stamps[untouched.id][0] and untouched.updated_at == stamps[untouched.id][1]
    assert new.sequence == 0
    # One e-mail to the one speaker with an address, naming both changed sessions.
    assert [m["To"] for m in mailbox] == ["spreker@example.org"]
    body = mailbox[0].get_body(("plain",)).get_content()
    assert "Verplaatst" in body and "Vervalt" in body and "geannuleerd" in body
    assert db.session.query(AuditEvent).filter_by(action="programme.publish").count() == 2

    db.session.delete(new)
    db.session.commit()
    third = programme.publish(congress, organiser)
    assert [(c["title"], c["kinds"]) for c in third.changes] == [("Nieuw", ["removed"])]


def test_publishing_sends_sessions_changed_with_changed_session_ids(app, organiser):
    congress = make_congress()
    a = make_session(congress, start="10:00", end="11:00")
    make_session(congress, start="10:00", end="11:00", room_index=1)
    calls = []

    def receiver(c, session_ids, version):
        # Sent inside the publishing transaction: the new version is already in the session.
        calls.append((c.id, session_ids, version.number, version in db.session))

    sessions_changed.connect(receiver)
    try:
        programme.publish(congress, organiser)
        a.title = "Nieuwe titel"
        db.session.commit()
        programme.publish(congress, organiser)
    finally:
        sessions_changed.disconnect(receiver)
    assert calls == [(congress.id, [a.id], 2, True)]


def test_a_receiver_that_fails_undoes_the_publication(app, organiser):
    congress = make_congress()
    a = make_session(congress, start="10:00", end="11:00")
    programme.publish(congress, organiser)
    a.title = "Nieuwe titel"
    db.session.commit()

    def receiver(c, session_ids, version):
        raise RuntimeError("mail queue down")

    sessions_changed.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            programme.publish(congress, organiser)
    finally:
        sessions_changed.disconnect(receiver)
    assert [v.number for v in programme.versions(congress)] == [1]


def test_track_managers_and_rooms(app, organiser):
    congress = make_congress()
    manager = make_user("track_manager", email="tm@example.org")
    track = programme.save_track(congress, None, name_nl="Nieuw spoor", name_en="New track", colour="#123456",
                                 manager_ids=[manager.id])
    db.session.commit()
    db.session.refresh(manager)
    assert track.id in manager.managed_track_ids()
    programme.save_track(congress, track, name_nl="Nieuw spoor", name_en="New track", colour="#123456",
                         manager_ids=[])
    db.session.commit()
    db.session.refresh(manager)
    assert track.id not in manager.managed_track_ids()
    session = make_session(congress)
    with pytest.raises(programme.ProgrammeError):
        programme.save_room(congress, None, name="Zaal X", capacity=10, available_from=session.ends_at,
                            available_until=session.starts_at)
    room = programme.save_room(congress, None, name="Zaal X", capacity=10)
    assert room.position == 2


def test_every_change_raises_the_programme_stamp(app, organiser):
    congress = make_congress()
    before = congress.programme_changed_at
    session = make_session(congress)
    db.session.refresh(congress)
    after_add = congress.programme_changed_at
    assert after_add is not None and (before is None or after_add >= before)
    speaker = make_speaker()
    session.speakers = [speaker]
    db.session.commit()
    db.session.refresh(congress)
    stamp = congress.programme_changed_at
    speaker.name = "Andere naam"
    db.session.commit()
    db.session.refresh(congress)
    assert congress.programme_changed_at > stamp


def test_the_public_sees_the_last_published_version_not_the_draft(app, organiser):
    congress = make_congress()
    session = make_session(congress, title="Eerste titel", start="10:00", end="11:00")
    assert programme.public_sessions(congress) == []  # nothing before the first version
    programme.publish(congress, organiser)
    db.session.commit()
    original_start = session.starts_at
    programme.move_session(session, organiser, room_id=congress.rooms[1].id,
                           starts_at=session.starts_at + timedelta(hours=3))
    session.title = "Concepttitel"
    db.session.commit()
    [shown] = programme.public_sessions(congress)
    assert (shown.title, shown.starts_at, shown.room.id) == ("Eerste titel", original_start, congress.rooms[0].id)
    programme.publish(congress, organiser)
    db.session.commit()
    [shown] = programme.public_sessions(congress)
    assert (shown.title, shown.starts_at, shown.room.id) == ("Concepttitel", session.starts_at, congress.rooms[1].id)
    assert shown.sequence == 1


def test_unrelated_changes_do_not_raise_the_programme_stamp(app):
    congress = make_congress()
    make_session(congress)
    db.session.refresh(congress)
    stamp = congress.programme_changed_at
    congress.capacity = 500  # registration's business, not the programme's
    db.session.commit()
    db.session.refresh(congress)
    assert congress.programme_changed_at == stamp
    congress.title_nl = "Nieuwe titel"
    db.session.commit()
    db.session.refresh(congress)
    assert congress.programme_changed_at > stamp


def test_two_publishers_at_once_publish_one_version(app):

    congress = make_congress()
    make_session(congress)
    congress_id = congress.id
    db.session.commit()
    barrier = threading.Barrier(2)
    numbers, errors = [], []

    def publisher() -> None:
        with app.app_context():
            try:
                edition = db.session.get(Congress, congress_id)
                barrier.wait(timeout=10)
                with write_transaction():
                    numbers.append(programme.publish(edition, None).number)
            except programme.NothingToPublish:
                numbers.append(None)  # the other came first: nothing changed since its version
            except Exception as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=publisher) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    # One publishes version 1; the other, serialised behind it, finds nothing left to publish.
    assert sorted(numbers, key=str) == [1, None]
