"""Check-in's read face (who is checked in where), and the hashes it shares with the foundation."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from congress.checkin import queries, services
from congress.checkin.models import CheckIn, ScanEvent, Station
from congress.checkin.services import Result, Scan
from congress.database import utcnow, write_transaction
from congress.errors import ServiceError
from congress.extensions import db
from congress.registration.models import Registration
from congress.tokens import hash_secret
from tests.checkin.factories import checkin_edition


@pytest.fixture
def edition(app):
    return checkin_edition(people=3)


def _ids(query: sa.Select) -> set[int]:
    return set(db.session.scalars(query))


def test_venue_and_session_attendance_leave_undone_check_ins_out(edition):
    congress, sessions, people, codes = edition
    for code in codes[:2]:
        assert services.scan(Scan(code=code, congress=congress))["result"] == Result.OK
    assert services.scan(Scan(code=codes[0], list=sessions[0].id, congress=congress))["result"] == Result.OK
    undone = db.session.scalar(sa.select(CheckIn).where(CheckIn.registration_id == people[1].id))
    services.undo(undone, user_id=None)

    assert _ids(queries.venue_checked_in_ids()) == {people[0].id}
    assert _ids(queries.session_checked_in_ids(sessions[0].id)) == {people[0].id}
    assert _ids(queries.session_checked_in_ids(sessions[1].id)) == set()
    assert queries.present_in_session(sessions[0].id) == 1
    assert set(queries.venue_checkins(congress, [p.id for p in people])) == {people[0].id}
    assert queries.venue_checkins(congress, []) == {}
    # As a subquery, the way the back-office "checked in" filter uses it.
    names = db.session.scalars(sa.select(Registration.name).where(
        Registration.id.in_(queries.venue_checked_in_ids()))).all()
    assert names == ["Bezoeker 0"]


def test_code_digest_is_the_foundations_hash_and_old_scan_events_still_match(edition):
    """Scan events stored before (hashlib SHA-256 in check-in itself) keep answering a retried upload."""
    congress, _, people, codes = edition
    old_digest = hashlib.sha256(codes[2].encode("utf-8", "surrogatepass")).hexdigest()
    assert services.code_digest(codes[2]) == hash_secret(codes[2]) == old_digest
    stored = {"result": "ok", "attendee": None, "checked_in_at": None, "first_checked_in_at": None, "from": "before"}
    with write_transaction():
        db.session.add(ScanEvent(congress_id=congress.id, nonce="old-device-1", code_digest=old_digest,
                                 registration_id=people[2].id, result="ok", response=stored,
                                 scanned_at=utcnow(), received_at=utcnow()))
    assert services.scan(Scan(code=codes[2], congress=congress, nonce="old-device-1")) == stored


def test_station_tokens_hashed_before_still_sign_in(edition):
    congress, _, _, _ = edition
    secret = "stn_" + "a" * 43
    with write_transaction():
        db.session.add(Station(congress_id=congress.id, name="Oude tablet",
                               token_hash=hashlib.sha256(secret.encode()).hexdigest()))
    assert services.station_for(secret).name == "Oude tablet"
    station, new_secret = services.create_station(congress, "Nieuwe tablet")
    assert station.token_hash == hash_secret(new_secret) and services.station_for(new_secret).id == station.id
    assert services.station_for("stn_\udcff") is None  # a lone surrogate matches nothing, never an error


def test_checkin_error_is_a_service_error_of_bad_input(edition):
    congress, _, _, codes = edition
    with pytest.raises(ServiceError) as caught:
        services.scan(Scan(code=codes[0], list="zaal-99", congress=congress))
    assert isinstance(caught.value, services.CheckinError) and caught.value.status == 422
    assert caught.value.message == "list must be 'venue' or a session id"
