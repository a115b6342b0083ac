"""The staff and roles pages (/manage/users, /manage/users/<id>) and the API token pages."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from congress.accounts import services
from congress.accounts.models import ApiToken, Role, RoleGrant, User
from congress.audit.models import AuditEvent
from congress.extensions import db
from tests.factories import make_congress, make_user


@pytest.fixture
def two(app):
    return make_congress("editie-a"), make_congress("editie-b")


def organiser_of(congress, email="org-a@example.org") -> User:
    user = make_user(email=email, name="Olga van A")
    services.grant_role(user, Role.ORGANISER.value, congress_ids=(congress.id,))
    db.session.commit()
    return user


def staff_of(congress, role, email) -> User:
    user = make_user(email=email, name=email.split("@")[0])
    services.grant_role(user, role, congress_ids=(congress.id,))
    db.session.commit()
    return user


def test_an_organiser_sees_and_opens_only_the_staff_of_their_editions(app, two):
    a, b = two
    organiser = organiser_of(a)
    mine = staff_of(a, Role.CHECKIN.value, "scanner-a@example.org")
    theirs = staff_of(b, Role.CHECKIN.value, "scanner-b@example.org")
    client = app.test_client(user=organiser)
    page = client.get("/manage/users").get_data(as_text=True)
    assert "scanner-a@example.org" in page and "scanner-b@example.org" not in page
    assert f"/manage/users/{mine.id}" in page
    assert client.get(f"/manage/users/{mine.id}").status_code == 200
    assert client.get(f"/manage/users/{theirs.id}").status_code == 404
    assert client.post(f"/manage/users/{theirs.id}/active", data={"active": "0"}).status_code == 404
    assert client.get("/manage/users/99999999999").status_code == 404
    # The invitation form offers only their own editions.
    assert "editie-a" in page and "editie-b:" not in page


def test_giving_and_taking_away_a_role_is_audited_with_the_acting_user(app, two):
    a, b = two
    organiser = organiser_of(a)
    person = staff_of(a, Role.CHECKIN.value, "rita@example.org")
    client = app.test_client(user=organiser)
    response = client.post(f"/manage/users/{person.id}", data={"role": "reviewer", "editions": [a.id]})
    assert response.status_code == 302
    grant = db.session.scalars(sa.select(RoleGrant).where(RoleGrant.user_id == person.id,
                                                          RoleGrant.role == "reviewer")).one()
    assert (grant.role, grant.congress_id) == ("reviewer", a.id)
    # Another edition, or every edition, is refused next to the field.
    for data in ({"role": "reviewer", "editions": [b.id]}, {"role": "checkin"}):
        refused = client.post(f"/manage/users/{person.id}", data=data)
        assert refused.status_code in (403, 422), data
        assert "editions-error" in refused.get_data(as_text=True)
    admin = client.post(f"/manage/users/{person.id}", data={"role": "admin", "editions": [a.id]})
    assert admin.status_code == 422 and "role-error" in admin.get_data(as_text=True)
    # Track managers get tracks of the edition.
    assert client.post(f"/manage/users/{person.id}", data={"role": "track_manager",
                                                            "tracks": [a.tracks[1].id]}).status_code == 302
    db.session.expire_all()
    assert {(g.role, g.congress_id, g.track_id) for g in db.session.get(User, person.id).grants} == {
        ("checkin", a.id, None), ("reviewer", a.id, None), ("track_manager", a.id, a.tracks[1].id)}
    assert client.post(f"/manage/users/{person.id}/roles/{grant.id}/revoke").status_code == 302
    db.session.expire_all()
    assert "reviewer" not in db.session.get(User, person.id).roles
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.in_(
        ["user.role_granted", "user.role_revoked"])).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["user.role_granted", "user.role_granted", "user.role_revoked"]
    assert {e.actor_user_id for e in events} == {organiser.id}
    assert events[0].congress_id == a.id and events[0].data["role"] == "reviewer"


def test_hostile_input_on_the_role_form_is_refused_not_an_error(app, two):
    a, _ = two
    client = app.test_client(user=make_user(Role.ADMIN.value))
    person = make_user()
    for data in ({"role": "emperor"}, {"role": "reviewer", "editions": ["x"]},
                 {"role": "reviewer", "editions": [str(2**70)]}, {"role": "track_manager", "tracks": ["99999"]},
                 {"role": ""}):
        assert client.post(f"/manage/users/{person.id}", data=data).status_code == 422, data
    assert client.post(f"/manage/users/{person.id}", data={"role": "reviewer\x00"}).status_code == 302  # stripped
    assert client.post(f"/manage/users/{person.id}/roles/{2**40}/revoke").status_code == 404  # no such grant
    assert client.post(f"/manage/users/{person.id}/roles/abc/revoke").status_code == 404


def test_a_deactivated_user_is_signed_out_at_the_next_request(app, two):
    a, _ = two
    organiser = organiser_of(a)
    scanner = staff_of(a, Role.CHECKIN.value, "scanner@example.org")
    theirs = app.test_client(user=scanner)
    assert theirs.get(f"/manage/checkin/{a.slug}/scan").status_code == 200
    client = app.test_client(user=organiser)
    response = client.post(f"/manage/users/{scanner.id}/active", data={"active": "0"}, follow_redirects=True)
    assert "deactivated" in response.get_data(as_text=True) or "gedeactiveerd" in response.get_data(as_text=True)
    after = theirs.get(f"/manage/checkin/{a.slug}/scan")
    assert after.status_code == 302 and "/login" in after.headers["Location"]
    client.post(f"/manage/users/{scanner.id}/active", data={"active": "1"})
    db.session.expire_all()
    assert db.session.get(User, scanner.id).active
    # Nobody deactivates themselves.
    client.post(f"/manage/users/{organiser.id}/active", data={"active": "0"})
    db.session.expire_all()
    assert db.session.get(User, organiser.id).active


def test_an_organiser_of_every_edition_creates_a_token_and_sees_the_secret_once(app):
    organiser = make_user(Role.ORGANISER.value)
    client = app.test_client(user=organiser)
    page = client.get("/manage/tokens").get_data(as_text=True)
    assert 'name="scope"' in page and 'value="registrations"' not in page
    created = client.post("/manage/tokens/new", data={"name": "scanner zaal 1", "scope": "checkin"})
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    secret = re.search(r'value="(cgr_[^"]+)"', created.get_data(as_text=True)).group(1)
    token = db.session.scalars(sa.select(ApiToken)).one()
    assert services.api_token_for(secret, "checkin") == token
    assert secret not in client.get("/manage/tokens").get_data(as_text=True)  # never shown again
    assert client.post("/manage/tokens/new", data={"name": "partner", "scope": "registrations"}).status_code == 422
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "api_token.create")).one()
    assert event.actor_user_id == organiser.id
    # Revoking asks first.
    confirm = client.get(f"/manage/tokens/{token.id}/revoke")
    assert confirm.status_code == 200 and token.name in confirm.get_data(as_text=True)
    assert services.api_token_for(secret, "checkin") is not None
    assert client.post(f"/manage/tokens/{token.id}/revoke").status_code == 302
    assert services.api_token_for(secret, "checkin") is None
    assert client.get("/manage/tokens/99999/revoke").status_code == 404


def test_tokens_of_an_edition_scoped_organiser_and_of_admins(app, two):
    a, _ = two
    scoped = app.test_client(user=organiser_of(a))
    page = scoped.get("/manage/tokens")
    assert page.status_code == 200 and 'name="scope"' not in page.get_data(as_text=True)
    assert scoped.post("/manage/tokens/new", data={"name": "x", "scope": "checkin"}).status_code == 403
    partner = services.create_api_token("partner", "registrations")
    assert app.test_client(user=make_user(Role.ORGANISER.value)).post(
        f"/manage/tokens/{partner.token.id}/revoke").status_code == 403
    admin = app.test_client(user=make_user(Role.ADMIN.value))
    assert admin.post("/manage/tokens/new", data={"name": "partner 2", "scope": "registrations"}).status_code == 200
    assert admin.post(f"/manage/tokens/{partner.token.id}/revoke").status_code == 302


def test_lists_of_editions_show_only_the_users_editions(app, two):
    a, b = two
    client = app.test_client(user=organiser_of(a))
    for url in ("/manage/", "/manage/registrations/", "/manage/cfp/", "/manage/programme/",
                "/manage/kennisbank/sessions"):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.get_data(as_text=True)
        assert a.title("nl") in html and b.title("nl") not in html, url
