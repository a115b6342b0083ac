"""Checking in someone who forgot their badge: found by name at the station, checked in by their
registration id, through the same locked path as a badge scan (never twice, also when the badge is
scanned at the same moment), and the name search that finds them (accents and case folded)."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from congress.audit.models import AuditEvent
from congress.checkin import services
from congress.checkin.models import CheckIn, ScanEvent
from congress.checkin.services import CheckinError, Result, Scan
from congress.extensions import db
from congress.registration import queries as registrations
from congress.registration import services as registration
from tests.checkin.factories import checkin_edition
from tests.registration.factories import registered


@pytest.fixture
def edition(app):
    return checkin_edition("naam-congres")


def _checkins(congress_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn).where(CheckIn.congress_id == congress_id))


def test_check_in_by_name_is_ok_once_and_audited(edition):
    congress, _, people, codes = edition
    answer = services.check_in_person(Scan(code=None, registration=people[0].id, congress=congress, user_id=None))
    assert answer["result"] == Result.OK
    assert answer["attendee"] == {"name": "Bezoeker 0", "organisation": "Gemeente Zwolle", "notes": "rolstoel"}
    again = services.check_in_person(Scan(code=None, registration=people[0].id, congress=congress))
    assert again["result"] == Result.ALREADY and again["first_checked_in_at"] == answer["checked_in_at"]
    # The badge, scanned afterwards, finds the person already checked in.
    assert services.scan(Scan(code=codes[0], congress=congress))["result"] == Result.ALREADY
    assert _checkins(congress.id) == 1
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "checkin.by_name"))
    assert event is not None and event.data["registration"] == people[0].id


def test_a_badge_scanned_first_makes_the_name_check_in_already(edition):
    congress, _, people, codes = edition
    assert services.scan(Scan(code=codes[1], congress=congress, station_label="Ingang"))["result"] == Result.OK
    answer = services.check_in_person(Scan(code=None, registration=people[1].id, congress=congress))
    assert answer["result"] == Result.ALREADY and answer["first_station"] == "Ingang"
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "checkin.by_name")) is None


def test_the_same_nonce_is_one_check_in_and_the_same_answer(edition):
    congress, _, people, _ = edition
    request = dict(code=None, registration=people[2].id, congress=congress, nonce="wachtrij-1", offline=True)
    first = services.check_in_person(Scan(**request))
    replayed = services.check_in_person(Scan(**request))
    assert first["result"] == Result.OK and replayed == first
    assert _checkins(congress.id) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScanEvent)
                             .where(ScanEvent.nonce == "wachtrij-1")) == 1
    assert db.session.scalars(sa.select(CheckIn)).one().offline is True
    # The same nonce with a badge code is another scan (the stand-in digest is not a code's).
    other = services.check_in_person(Scan(code=None, registration=people[1].id, congress=congress, nonce="wachtrij-1"))
    assert other["result"] == Result.OK and other["attendee"]["name"] == "Bezoeker 1"


def test_unknown_other_editions_and_hostile_ids_are_invalid(edition):
    congress, _, people, _ = edition
    other, _, strangers, _ = checkin_edition("ander-naam-congres", people=1)
    for value in (strangers[0].id, 999_999, 0, -1, 2**63, True, "1", None):
        answer = services.check_in_person(Scan(code=None, registration=value, congress=congress))
        assert answer["result"] == Result.INVALID and answer["attendee"] is None, value
    assert _checkins(congress.id) == 0 and _checkins(other.id) == 0
    with pytest.raises(CheckinError):
        services.check_in_person(Scan(code=None, registration=people[0].id))  # no edition, no station


def test_a_station_works_for_its_own_edition_only(edition):
    congress, _, people, _ = edition
    other, _, strangers, _ = checkin_edition("elders-naam-congres", people=1)
    station, _ = services.create_station(other, "Elders")
    assert services.check_in_person(Scan(code=None, registration=people[0].id, station=station,
                                         congress=congress))["result"] == Result.INVALID
    ok = services.check_in_person(Scan(code=None, registration=strangers[0].id, station=station))
    assert ok["result"] == Result.OK and ok["station"] == "Elders"


def test_no_place_for_the_waiting_list_or_cancelled(edition):
    congress, _, people, _ = edition
    registration.cancel(people[1])
    answer = services.check_in_person(Scan(code=None, registration=people[1].id, congress=congress))
    assert answer["result"] == Result.NO_PLACE and answer["status"] == "cancelled"
    assert _checkins(congress.id) == 0


def test_workshop_list_refuses_those_not_enrolled_unless_admitted(edition):
    congress, sessions, people, _ = edition
    request = dict(code=None, registration=people[0].id, congress=congress, list=sessions[1].id)
    refused = services.check_in_person(Scan(**request))
    assert refused["result"] == Result.NOT_ENROLLED and refused["seats_left"] == 2
    admitted = services.check_in_person(Scan(**request, admit=True))
    assert admitted["result"] == Result.OK
    checkin = db.session.scalars(sa.select(CheckIn)).one()
    assert checkin.admitted_without_enrolment is True and checkin.list_key == f"session:{sessions[1].id}"
    enrolled = services.check_in_person(Scan(code=None, registration=people[1].id, congress=congress,
                                             list=sessions[0].id))
    assert enrolled["result"] == Result.OK


def test_a_badge_scan_and_a_check_in_by_name_at_the_same_moment_check_in_once(app, edition):
    congress, _, people, codes = edition
    congress_id, person_id = congress.id, people[0].id
    answers: list[str] = []
    barrier = threading.Barrier(8)

    def door(n: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                edition_now = db.session.get(type(congress), congress_id)
                if n % 2:
                    answer = services.scan(Scan(code=codes[0], congress=edition_now, nonce=f"badge{n}"))
                else:
                    answer = services.check_in_person(Scan(code=None, registration=person_id, congress=edition_now,
                                                           nonce=f"naam{n}"))
                answers.append(answer["result"])
            except Exception as exc:
                answers.append(f"error: {exc}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=door, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [Result.ALREADY] * 7 + [Result.OK], answers
    db.session.rollback()  # end this session's snapshot (SQLite WAL) before counting
    assert _checkins(congress_id) == 1


# --- the name search ------------------------------------------------------------------------------

@pytest.fixture
def names(edition):
    congress, sessions, people, _ = edition
    extra = [registered(congress, [sessions[0].id], name=name, email=f"{i}-naam@example.org", organisation=org,
                        confirmed=True).registration
             for i, (name, org) in enumerate([("Ayşe Öztürk", "Gemeente Zaanstad"),
                                              ("José Fernández", "Ministerie van BZK"),
                                              ("Jan de Vries", "GGD Hollands Noorden")])]
    db.session.commit()
    return congress, people, extra


@pytest.mark.parametrize("text, expected", [
    ("Ozturk", ["Ayşe Öztürk"]), ("ÖZTÜRK", ["Ayşe Öztürk"]), ("ayse", ["Ayşe Öztürk"]),
    ("jose", ["José Fernández"]), ("fernandez bzk", ["José Fernández"]), ("zaanstad", ["Ayşe Öztürk"]),
    ("ggd", ["Jan de Vries"]), ("  VRIES  ", ["Jan de Vries"]), ("jose zaanstad", []), ("", []),
    ("naam@example.org", []),  # no search on e-mail addresses: the station does not show them
])
def test_name_search_folds_accents_and_case(names, text, expected):
    congress, *_ = names
    found, more = registrations.people_at_the_door(congress, text)
    assert [row.name for row in found] == expected and more is False


def test_name_search_limits_and_shows_status_and_check_in(names):
    congress, people, extra = names
    registration.cancel(people[2])
    services.scan(Scan(code=None, registration=people[0].id, congress=congress))  # a scan without code: invalid
    services.check_in_person(Scan(code=None, registration=people[0].id, congress=congress))
    result = services.people_at_the_door(congress, "bezoeker", limit=2)
    assert result["more"] is True and result["list"] == "venue"
    assert [p["name"] for p in result["people"]] == ["Bezoeker 0", "Bezoeker 1"]
    assert result["people"][0]["checked_in_at"] is not None and result["people"][1]["checked_in_at"] is None
    everyone = services.people_at_the_door(congress, "bezoeker")["people"]
    assert [p["status"] for p in everyone] == ["confirmed", "confirmed", "cancelled"]
    assert set(everyone[0]) == {"registration", "name", "organisation", "status", "checked_in_at"}


def test_name_search_of_a_workshop_station_shows_its_own_list(names):
    congress, people, _ = names
    workshop = congress.sessions[0]
    station, _ = services.create_station(congress, "Zaal 1", session_id=workshop.id)
    services.check_in_person(Scan(code=None, registration=people[1].id, congress=congress))  # at the venue only
    result = services.people_at_the_door(congress, "bezoeker 1", list="venue", station=station)
    assert result["list"] == f"session:{workshop.id}" and result["people"][0]["checked_in_at"] is None
    with pytest.raises(CheckinError):
        services.people_at_the_door(congress, "bezoeker", list=999_999)


def test_someone_admitted_before_is_already_checked_in_not_refused_again(edition):
    congress, sessions, people, codes = edition
    workshop = dict(congress=congress, list=sessions[1].id)
    assert services.scan(Scan(code=codes[0], admit=True, **workshop))["result"] == Result.OK
    assert services.scan(Scan(code=codes[0], **workshop))["result"] == Result.ALREADY
    assert services.check_in_person(Scan(code=None, registration=people[0].id, **workshop))["result"] == Result.ALREADY
    assert services.scan(Scan(code=codes[1], **workshop))["result"] == Result.NOT_ENROLLED
