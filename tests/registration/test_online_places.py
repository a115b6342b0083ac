"""Online places: a pool of their own beside the venue's (their own capacity and waiting list, under the
same edition lock and the same seat rule), chosen by the registration's ``attendance_mode`` — on the
form, in the API, and counted apart. Concurrent registrations through gunicorn never overbook either
pool (SQLite and PostgreSQL, by TEST_DATABASE_URL)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from congress.accounts.services import create_api_token
from congress.extensions import db
from congress.registration import services
from congress.registration.models import Registration
from tests.registration.factories import add_round, form_data, open_congress, registered
from tests.support import fire, start_gunicorn


def hybrid(slug: str = "hybride", *, venue: int | None = 2, online: int | None = 2, waiting_list: bool = True):
    congress = open_congress(slug, capacity=venue)
    services.save_window(congress, opens_at=congress.registration_opens_at, closes_at=congress.registration_closes_at,
                         capacity=venue, waiting_list=waiting_list, online_places=True, online_capacity=online)
    return congress


def test_no_online_places_unless_the_edition_offers_them(app):
    congress = open_congress("alleen-zaal")
    with pytest.raises(services.RegistrationError) as refused:
        registered(congress, attendance_mode="online")
    assert "attendance_mode" in refused.value.errors
    assert services.online_places(congress.id) == (False, None)


def test_an_unknown_mode_is_refused_next_to_the_field(app):
    congress = hybrid()
    with pytest.raises(services.RegistrationError) as refused:
        registered(congress, attendance_mode="hologram")
    assert "attendance_mode" in refused.value.errors


def test_the_two_pools_fill_and_wait_apart(app):
    congress = hybrid(venue=2, online=3)
    venue = [registered(congress, n=i) for i in range(3)]
    online = [registered(congress, n=10 + i, attendance_mode="online") for i in range(4)]
    assert [r.status for r in venue] == ["pending", "pending", "waitlisted"]
    assert [r.status for r in online] == ["pending", "pending", "pending", "waitlisted"]
    # Each waiting list has its own first place.
    assert venue[2].waiting_rank == 1 and online[3].waiting_rank == 1
    assert services.active_count(congress.id, "in_person") == 2
    assert services.active_count(congress.id, "online") == 3
    assert services.online_places_left(congress.id) == 0
    assert services.edition_waiting_count(congress.id) == 2


def test_a_freed_online_place_goes_to_the_first_online_waiting_not_the_venue_list(app):
    congress = hybrid(venue=1, online=1)
    venue_holder, venue_waiting = registered(congress, n=1), registered(congress, n=2)
    online_holder, online_waiting = (registered(congress, n=3 + i, attendance_mode="online") for i in range(2))
    services.cancel(online_holder.registration)
    db.session.expire_all()
    assert db.session.get(Registration, online_waiting.id).status == "pending"
    assert db.session.get(Registration, venue_waiting.id).status == "waitlisted"
    assert db.session.get(Registration, venue_holder.id).status == "pending"


def test_a_full_venue_points_to_the_online_places_next_to_the_field(app):
    congress = hybrid(venue=1, online=5, waiting_list=False)
    registered(congress, n=1)
    with pytest.raises(services.RegistrationError) as refused:
        registered(congress, n=2)
    assert list(refused.value.errors) == ["attendance_mode"] and refused.value.errors["attendance_mode"][0]
    assert services.registration_state(congress) == "open"  # online places are left
    assert registered(congress, n=2, attendance_mode="online").status == "pending"


def test_online_registrants_take_no_workshop_seat(app):
    congress = hybrid(online=None)
    _, (small, _big) = add_round(congress)
    with pytest.raises(services.RegistrationError) as refused:
        registered(congress, [small.id], attendance_mode="online")
    assert "sessions" in refused.value.errors


def test_the_form_offers_the_choice_only_where_there_are_online_places(app, client):
    plain = open_congress("zaal")
    assert 'name="attendance_mode"' not in client.get(f"/{plain.slug}/register").get_data(as_text=True)
    congress = hybrid("hybride-form", online=None)
    page = client.get(f"/{congress.slug}/register").get_data(as_text=True)
    assert 'name="attendance_mode"' in page and 'value="online"' in page
    response = client.post(f"/{congress.slug}/register", data=form_data(congress, 1, attendance_mode="online"))
    assert response.status_code == 302
    stored = db.session.scalar(sa.select(Registration).where(Registration.congress_id == congress.id))
    assert stored.attendance_mode == "online"


def test_the_api_takes_and_answers_the_mode(app, client):
    congress = hybrid("hybride-api", online=None)
    token = create_api_token("partner", "registrations").secret
    db.session.commit()
    response = client.post(f"/api/v1/congresses/{congress.slug}/registrations", json={
        "name": "Online Deelnemer", "email": "online@example.org", "sector": "gemeente", "consent_privacy": True,
        "attendance_mode": "online"}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["attendance_mode"] == "online"
    refused = client.post(f"/api/v1/congresses/{congress.slug}/registrations", json={
        "name": "X", "email": "x@example.org", "sector": "gemeente", "consent_privacy": True,
        "attendance_mode": "\u0000online"}, headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 422 and "attendance_mode" in refused.get_json()["error"]["fields"]


def test_the_organiser_sets_the_online_places_and_a_raised_limit_promotes(app):
    congress = hybrid("hybride-instellen", venue=None, online=1)
    registered(congress, n=1, attendance_mode="online")
    waiting = registered(congress, n=2, attendance_mode="online")
    assert waiting.status == "waitlisted"
    hybrid_settings = dict(opens_at=congress.registration_opens_at, closes_at=congress.registration_closes_at,
                           capacity=None, waiting_list=True, online_places=True)
    services.save_window(congress, online_capacity=2, **hybrid_settings)
    db.session.expire_all()
    assert db.session.get(Registration, waiting.id).status == "pending"
    with pytest.raises(services.RegistrationError) as refused:
        services.save_window(congress, online_capacity=-1, **hybrid_settings)
    assert refused.value.field == "online_capacity"


@pytest.mark.slow
def test_40_at_once_for_5_online_and_5_venue_places_overbook_neither(app, tmp_path):
    congress = hybrid("hybride-rush", venue=5, online=5)
    token = create_api_token("rush-hybride", "registrations").secret
    db.session.commit()
    slug, congress_id = congress.slug, congress.id
    server = start_gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "instance", workers=2)
    try:
        payloads = [{"name": f"Deelnemer {i}", "email": f"hybride{i}@example.org", "sector": "gemeente",
                     "consent_privacy": True, "attendance_mode": "online" if i % 2 else "in_person"}
                    for i in range(40)]
        outcomes = fire(server.base_url, slug, token, payloads, concurrency=40, timeout=60, together=True)
    finally:
        server.stop()
    assert sorted(o.status for o in outcomes) == [201] * 40, [o.body for o in outcomes if o.status != 201]
    db.session.rollback()
    rows = db.session.execute(sa.select(Registration.attendance_mode, Registration.status, sa.func.count())
                              .where(Registration.congress_id == congress_id)
                              .group_by(Registration.attendance_mode, Registration.status)).all()
    counts = {(mode, status): n for mode, status, n in rows}
    assert counts == {("in_person", "pending"): 5, ("in_person", "waitlisted"): 15,
                      ("online", "pending"): 5, ("online", "waitlisted"): 15}
    answered = {o.body["attendance_mode"] for o in outcomes}
    assert answered == {"in_person", "online"}
