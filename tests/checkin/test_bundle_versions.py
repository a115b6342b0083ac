"""The station bundle's version, its delta (``?since=``), its ETag and its compression.

The version is kept by database triggers (migration checkin_0003): every change of what the bundle
describes, through whichever service, raises it in the same transaction; a station that applies the
delta holds exactly the full bundle (checked here with random changes against a freshly built one)."""

from __future__ import annotations

import gzip
import json
import random

import brotli
import pytest
import sqlalchemy as sa

from congress.badges import services as badges
from congress.checkin import services
from congress.database import write_transaction
from congress.extensions import db
from congress.registration import services as registration
from congress.registration.models import Registration
from tests.checkin.factories import checkin_edition
from tests.registration.factories import data, registered

_VOLATILE = ("generated_at",)


def _held(bundle: dict) -> dict:
    return {key: value for key, value in bundle.items() if key not in _VOLATILE}


@pytest.fixture
def edition(app):
    return checkin_edition("bundel-congres", people=4)


@pytest.fixture
def station(edition):
    congress = edition[0]
    _, secret = services.create_station(congress, "Ingang Noord")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _url(congress) -> str:
    return f"/api/v1/congresses/{congress.slug}/checkin-bundle"


def test_every_change_raises_the_version_in_its_transaction(edition):
    congress, sessions, people, _ = edition
    seen = {services.bundle_version(congress)}

    def changed() -> None:
        db.session.rollback()
        version = services.bundle_version(congress)
        assert version not in seen
        seen.add(version)

    registered(congress, [sessions[1].id], name="Nieuwe Deelnemer", email="nieuw@example.org")
    changed()
    registration.update_details(people[1], data(congress, name="Fatima el Amrani", email=people[1].email))
    changed()
    registration.change_sessions(people[2], [sessions[1].id])
    changed()
    badges.reissue_code(people[3])  # a bulk UPDATE of the old code, then a new one
    changed()
    registration.cancel(people[0], notify=False)
    changed()
    registration.erase(people[1])
    changed()
    before = services.bundle_version(congress)
    services.bundle(congress)  # reading changes nothing
    db.session.rollback()
    assert services.bundle_version(congress) == before


def test_a_change_that_is_rolled_back_leaves_the_version(edition):
    congress, _, people, _ = edition
    before = services.bundle_version(congress)
    people[0].name = "Wordt Teruggedraaid"
    db.session.flush()
    db.session.rollback()
    assert services.bundle_version(congress) == before


def _random_change(rng: random.Random, congress, sessions, step: int) -> None:
    db.session.rollback()
    people = db.session.query(Registration).filter_by(congress_id=congress.id).order_by(Registration.id).all()
    active = [r for r in people if r.status != "cancelled"]
    action = rng.choice(["register", "register_pending", "confirm", "rename", "sessions", "reissue", "cancel",
                         "erase", "issue"])
    if action.startswith("register") or not active:
        registered(congress, [rng.choice(sessions).id], name=f"Willekeurig {step}",
                   email=f"willekeurig{step}@example.org", confirmed=action != "register_pending")
        return
    person = rng.choice(active)
    if action == "confirm":
        registration.confirm(person)
    elif action == "rename":
        registration.update_details(person, data(congress, name=f"Hernoemd {step}", email=person.email,
                                                 dietary=rng.choice(["", "vegetarisch", "halal"])))
    elif action == "sessions":
        registration.change_sessions(person, [rng.choice(sessions).id] if rng.random() < 0.7 else [])
    elif action == "reissue":
        badges.reissue_code(person)
    elif action == "issue":
        badges.issue_code(person)
    elif action == "cancel":
        registration.cancel(person, notify=False)
    else:
        registration.erase(person)


def test_random_changes_applied_as_deltas_equal_the_full_bundle(edition):
    """Whatever happened, and from whichever version a station starts: the full bundle after it."""
    congress, sessions, _, _ = edition
    rng = random.Random(20)
    held = [services.bundle(congress)]  # stations that last synchronised at different moments
    for step in range(40):
        for _ in range(rng.randint(1, 3)):
            _random_change(rng, congress, sessions, step)
        db.session.rollback()
        full = services.bundle(congress)
        for i, station_copy in enumerate(held):
            delta = services.bundle_since(congress, station_copy["version"])
            assert delta is not None
            assert len(delta["changed"]) <= len(full["attendees"]) + 200
            held[i] = services.apply_bundle_delta(station_copy, delta)
            assert _held(held[i]) == _held(full), f"step {step}, station {i}"
        if step % 7 == 0:
            held.append(full)
    # Nothing changed since: an empty delta of the same version.
    delta = services.bundle_since(congress, held[0]["version"])
    assert delta["changed"] == [] and delta["version"] == held[0]["version"]


@pytest.mark.parametrize("since", ["", "nope", "1-2-3-4", "-", "999999-abc-1", "x" * 500, "１-２-３"])
def test_a_since_that_is_no_version_of_this_edition_gets_none(edition, since):
    congress = edition[0]
    assert services.bundle_since(congress, since) is None


def test_a_version_from_the_future_another_edition_or_epoch_gets_none(edition):
    congress = edition[0]
    other = checkin_edition("ander-congres", people=1)[0]
    congress_id, epoch, seq = services.bundle_version(congress).split("-")
    assert services.bundle_since(congress, f"{congress_id}-{epoch}-{int(seq) + 1}") is None
    assert services.bundle_since(congress, f"{congress_id}-{epoch}x-{seq}") is None
    assert services.bundle_since(congress, services.bundle_version(other)) is None
    assert services.bundle_since(congress, f"{congress_id}-{epoch}-0") is not None  # old but real


def test_unchanged_poll_answers_304_and_a_change_200_with_the_new_etag(client, edition, station):
    congress, _, people, _ = edition
    first = client.get(_url(congress), headers=station)
    assert first.status_code == 200
    body = first.get_json()
    assert first.headers["ETag"] == f'W/"{body["version"]}"'
    assert first.headers["Cache-Control"] == "private, no-store"
    again = client.get(_url(congress), query_string={"since": body["version"]},
                       headers={**station, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == first.headers["ETag"]
    registration.cancel(people[2], notify=False)
    changed = client.get(_url(congress), query_string={"since": body["version"]},
                         headers={**station, "If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    delta = changed.get_json()
    assert delta["since"] == body["version"] and delta["changed"] == [people[2].id]
    assert delta["attendees"] == [] and {r["registration"] for r in delta["revocations"]} == {people[2].id}
    assert changed.headers["ETag"] == f'W/"{delta["version"]}"' != first.headers["ETag"]


@pytest.mark.parametrize("since", ["nope", "0-0-0", "1-" + "a" * 40 + "-1", "%00", "99999999999999999999-a-1"])
def test_a_bad_since_gets_the_full_bundle_never_an_error(client, edition, station, since):
    congress = edition[0]
    response = client.get(_url(congress), query_string={"since": since}, headers=station)
    assert response.status_code == 200
    body = response.get_json()
    assert "since" not in body and len(body["attendees"]) == 4


def test_the_bundle_is_compressed_as_the_client_accepts(client, edition, station):
    congress = edition[0]
    for _ in range(30):  # enough for compression to pay
        registered(congress, confirmed=True)
    plain = client.get(_url(congress), headers={**station, "Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.headers["Vary"]
    expected = plain.get_json()
    zipped = client.get(_url(congress), headers={**station, "Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip" and len(zipped.data) < len(plain.data) / 2
    assert _held(json.loads(gzip.decompress(zipped.data))) == _held(expected)
    br = client.get(_url(congress), headers={**station, "Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["Content-Encoding"] == "br"
    assert _held(json.loads(brotli.decompress(br.data))) == _held(expected)
    only_gzip = client.get(_url(congress), headers={**station, "Accept-Encoding": "br;q=0, gzip"})
    assert only_gzip.headers["Content-Encoding"] == "gzip"


def test_another_editions_station_is_still_refused(client, edition, station):
    other = checkin_edition("ander-bundel", people=1)[0]
    assert client.get(_url(other), headers=station).status_code == 403
    assert client.get(_url(other), headers={**station, "If-None-Match": "*"}).status_code == 403


def test_versions_follow_the_commit_order_not_the_order_of_the_writes(app, edition):
    """PostgreSQL: a transaction that writes first but commits last gets the later version, so a
    station that synchronised in between still receives its change. (On SQLite one writer holds the
    database from its first write to its commit: the interleaving cannot happen there.)"""
    congress, _, people, _ = edition
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    first, second = people[0].id, people[1].id
    start = services.bundle(congress)
    db.session.rollback()  # nothing loaded stays in the session: what it reads next comes from the rows
    slow, fast = db.engine.connect(), db.engine.connect()
    try:
        slow_tx = slow.begin()
        slow.execute(sa.update(Registration).where(Registration.id == first).values(name="Eerst Geschreven"))
        with fast.begin():
            fast.execute(sa.update(Registration).where(Registration.id == second).values(name="Eerst Vastgelegd"))
        between = services.bundle_since(congress, start["version"])
        assert between["changed"] == [second]
        held = services.apply_bundle_delta(start, between)
        db.session.rollback()
        slow_tx.commit()
    finally:
        slow.close()
        fast.close()
    after = services.bundle_since(congress, held["version"])
    assert after["changed"] == [first]
    held = services.apply_bundle_delta(held, after)
    assert _held(held) == _held(services.bundle(congress))
    assert [a["name"] for a in held["attendees"][:2]] == ["Eerst Geschreven", "Eerst Vastgelegd"]


def test_deleting_an_edition_takes_its_counter_along(edition):
    congress, _, _, _ = edition
    from congress.checkin.models import BundleChange, BundleVersion  # noqa: PLC0415

    db.session.rollback()
    assert db.session.get(BundleVersion, congress.id) is not None
    congress_id = congress.id
    with write_transaction():
        db.session.delete(db.session.get(type(congress), congress_id))
    assert db.session.get(BundleVersion, congress_id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BundleChange)
                             .where(BundleChange.congress_id == congress_id)) == 0
