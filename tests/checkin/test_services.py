"""Every scan result, exactly once, offline merges, undo."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from congress.audit.models import AuditEvent
from congress.badges import services as badges
from congress.badges import tokens
from congress.checkin import services
from congress.checkin.models import CheckIn, ScanEvent
from congress.checkin.services import Result, Scan
from congress.database import utcnow
from congress.extensions import db
from congress.registration import services as registration
from tests.checkin.factories import checkin_edition


@pytest.fixture
def edition(app):
    return checkin_edition()


def test_first_scan_is_ok_with_attendee_and_notes(edition):
    congress, _, people, codes = edition
    answer = services.scan(Scan(code=codes[0], congress=congress))
    assert answer["result"] == Result.OK
    assert answer["attendee"] == {"name": "Bezoeker 0", "organisation": "Gemeente Zwolle", "notes": "rolstoel"}
    assert answer["checked_in_at"] == answer["first_checked_in_at"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 1
    assert db.session.scalar(sa.select(ScanEvent.result)) == "ok"  # the scan log, not the audit log, has it


def test_repeat_says_when_and_where(edition):
    congress, _, people, codes = edition
    station, _ = services.create_station(congress, "Ingang A")
    first = services.scan(Scan(code=codes[0], station=station))
    again = services.scan(Scan(code=codes[0], station=station))
    assert again["result"] == Result.ALREADY
    assert again["first_checked_in_at"] == first["checked_in_at"]
    assert again["first_station"] == "Ingang A"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 1


@pytest.mark.parametrize("code", ["", "garbage", "C1" + "A" * 127, "x" * 10_000, "\x00\xff\x01", None, 12345,
                                  ["list"], {"dict": 1}])
def test_garbage_is_invalid(edition, code):
    congress, *_ = edition
    assert services.scan(Scan(code=code, congress=congress))["result"] == Result.INVALID


def test_forged_codes_are_invalid(edition):
    congress, _, people, codes = edition
    changed = codes[0][:40] + ("A" if codes[0][40] != "A" else "B") + codes[0][41:]
    assert services.scan(Scan(code=changed, congress=congress))["result"] == Result.INVALID
    stranger = tokens.generate_key_pair()
    forged = tokens.sign(stranger.private_key, congress.id, people[0].id)
    assert services.scan(Scan(code=forged, congress=congress))["result"] == Result.INVALID


def test_another_editions_code_is_wrong_congress(edition):
    congress, *_ = edition
    other, _, _, other_codes = checkin_edition("ander-congres", people=1)
    assert services.scan(Scan(code=other_codes[0], congress=congress))["result"] == Result.WRONG_CONGRESS
    station, _ = services.create_station(congress, "Ingang B")
    assert services.scan(Scan(code=other_codes[0], station=station))["result"] == Result.WRONG_CONGRESS


def test_cancelled_and_replaced_codes_are_revoked(edition):
    congress, _, people, codes = edition
    registration.cancel(people[1])
    assert services.scan(Scan(code=codes[1], congress=congress))["result"] == Result.REVOKED
    new_code = badges.reissue_code(people[2])
    db.session.commit()
    assert services.scan(Scan(code=codes[2], congress=congress))["result"] == Result.REVOKED
    assert services.scan(Scan(code=new_code, congress=congress))["result"] == Result.OK


def test_workshop_list_refuses_those_not_enrolled_unless_admitted(edition):
    congress, sessions, people, codes = edition
    other_session = sessions[1]
    answer = services.scan(Scan(code=codes[0], list=other_session.id, congress=congress))
    assert answer["result"] == Result.NOT_ENROLLED
    assert answer["seats_left"] == 2
    admitted = services.scan(Scan(code=codes[0], list=other_session.id, congress=congress, admit=True))
    assert admitted["result"] == Result.OK
    assert db.session.scalar(sa.select(CheckIn.admitted_without_enrolment)) is True
    admit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "checkin.admit"))
    assert admit is not None and admit.data["list"] == f"session:{other_session.id}"  # a staff decision
    enrolled = services.scan(Scan(code=codes[1], list=sessions[0].id, congress=congress))
    assert enrolled["result"] == Result.OK
    # The venue and a session are separate lists.
    assert services.scan(Scan(code=codes[1], congress=congress))["result"] == Result.OK


def test_unknown_list_is_an_error_not_a_result(edition):
    congress, _, _, codes = edition
    with pytest.raises(services.CheckinError):
        services.scan(Scan(code=codes[0], list="zaal-99", congress=congress))
    with pytest.raises(services.CheckinError):
        services.scan(Scan(code=codes[0], list=999999, congress=congress))


def test_the_same_nonce_is_one_scan(edition):
    congress, _, _, codes = edition
    first = services.scan(Scan(code=codes[0], congress=congress, nonce="device-1-0001"))
    second = services.scan(Scan(code=codes[0], congress=congress, nonce="device-1-0001"))
    assert first == second and first["result"] == Result.OK
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScanEvent)) == 1
    third = services.scan(Scan(code=codes[0], congress=congress, nonce="device-1-0002"))
    assert third["result"] == Result.ALREADY


def test_a_nonce_reused_with_another_code_is_a_new_scan_of_that_badge(edition):
    """Stations make their nonces themselves: badge A's nonce with badge B's code must check B in
    and answer with B, never replay A's answer (A's name, organisation and notes)."""
    congress, _, people, codes = edition
    first = services.scan(Scan(code=codes[0], congress=congress, nonce="device-1-0001"))
    assert first["result"] == Result.OK and first["attendee"]["name"] == "Bezoeker 0"
    other = services.scan(Scan(code=codes[1], congress=congress, nonce="device-1-0001"))
    assert other["result"] == Result.OK
    assert other["attendee"] == {"name": "Bezoeker 1", "organisation": "Gemeente Zwolle", "notes": ""}
    checked_in = set(db.session.scalars(sa.select(CheckIn.registration_id).where(CheckIn.undone_at.is_(None))))
    assert checked_in == {people[0].id, people[1].id}
    # Each pair is still idempotent on retry, and an invalid code with that nonce is logged as invalid.
    assert services.scan(Scan(code=codes[1], congress=congress, nonce="device-1-0001")) == other
    assert services.scan(Scan(code=codes[0], congress=congress, nonce="device-1-0001")) == first
    assert services.scan(Scan(code="garbage", congress=congress, nonce="device-1-0001"))["result"] == Result.INVALID
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScanEvent)) == 3


def test_offline_scans_merge_and_the_earliest_wins(edition):
    congress, _, _, codes = edition
    door_a, _ = services.create_station(congress, "Ingang A")
    door_b, _ = services.create_station(congress, "Ingang B")
    now = utcnow()
    online = services.scan(Scan(code=codes[0], station=door_a, scanned_at=now, nonce="a-1"))
    # Door B was offline and scanned the same person five minutes earlier; its batch arrives now, twice.
    batch = [Scan(code=codes[0], station=door_b, scanned_at=now - timedelta(minutes=5), nonce="b-1", offline=True),
             Scan(code=codes[1], station=door_b, scanned_at=now - timedelta(minutes=4), nonce="b-2", offline=True)]
    answers = [services.scan(s) for s in batch]
    replay = [services.scan(s) for s in batch]
    assert online["result"] == Result.OK
    assert [a["result"] for a in answers] == [Result.ALREADY, Result.OK]
    assert replay == answers
    first = db.session.scalar(sa.select(CheckIn).where(CheckIn.registration_id == edition[2][0].id))
    assert first.station_name == "Ingang B"
    assert first.scanned_at == now - timedelta(minutes=5)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 2


def test_undo_is_audited_and_allows_a_new_check_in(edition):
    congress, _, people, codes = edition
    services.scan(Scan(code=codes[0], congress=congress))
    checkin = db.session.scalar(sa.select(CheckIn))
    services.undo(checkin, user_id=None)
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "checkin.undo")) is not None
    assert services.scan(Scan(code=codes[0], congress=congress))["result"] == Result.OK
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 2


def test_concurrent_scanners_of_the_same_code_check_in_once(app, edition):
    congress, _, _, codes = edition
    answers: list[str] = []
    barrier = threading.Barrier(8)

    def scanner(n: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                answers.append(services.scan(Scan(code=codes[0], congress=congress, nonce=f"t{n}"))["result"])
            except Exception as exc:
                answers.append(f"error: {exc}")
            finally:
                db.session.remove()

    congress_id = congress.id
    threads = [threading.Thread(target=scanner, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [Result.ALREADY] * 7 + [Result.OK], answers
    db.session.rollback()  # end this session's snapshot (SQLite WAL) before counting
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)
                             .where(CheckIn.congress_id == congress_id)) == 1


def test_stations_expire_and_can_be_revoked(edition):
    congress, *_ = edition
    station, secret = services.create_station(congress, "Zaal 2", valid_for=timedelta(days=1))
    assert services.station_for(secret) == station and station.is_active()
    assert not station.is_active(utcnow() + timedelta(days=2))
    services.revoke_station(station)
    assert not station.is_active()


def test_bundle_holds_what_an_offline_station_needs(edition):
    congress, sessions, people, codes = edition
    registration.cancel(people[1])
    bundle = services.bundle(congress)
    assert bundle["public_key"] == badges.public_key_b64(congress)
    assert {a["id"] for a in bundle["attendees"]} == {people[0].id, people[2].id}
    assert any(r["registration"] == people[1].id for r in bundle["revocations"])
    assert bundle["attendees"][0]["sessions"] == [sessions[0].id]


def test_an_erased_registrations_badge_is_revoked(edition):
    congress, _, people, codes = edition
    registration.erase(people[2])
    answer = services.scan(Scan(code=codes[2], congress=congress))
    assert answer["result"] == Result.REVOKED
    assert answer["attendee"]["name"] == registration.ERASED_NAME  # nothing personal left to show
