"""Single sign-on through OpenID Connect, against a real OpenID provider (``oidc-provider`` from npm, run
with node on 127.0.0.1 by the fixture below): the first sign-on creates the account with the roles its
groups give, a later one brings them up to date (audited, the other sessions end); a token for another
client, an expired token, a replayed or unknown state, the provider's own refusal and a person without a
mapped group are each refused with a clear page (never a 500); the password can be switched off; whether
the provider's sign-in counts as the second factor is configured."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from congress import ConfigurationError, create_app
from congress.accounts import mfa, oidc
from congress.accounts import services as accounts
from congress.accounts.models import GRANT_SOURCE_OIDC, OidcStateToken, Role, User, UserIdentity, UserSession
from congress.audit.models import AuditEvent
from congress.extensions import db, limiter
from congress.mail.models import OutboxMessage
from congress.tokens import hash_secret
from tests.accounts.oidc_support import CLIENT_ID, CLIENT_SECRET, at_provider, start_provider, stop_provider
from tests.factories import PASSWORD, make_congress, make_user


@pytest.fixture(scope="module")
def provider():
    started = start_provider()
    yield started
    stop_provider(started)


@pytest.fixture
def edition(app):
    return make_congress("congres-2026")


@pytest.fixture
def sso(app, provider, edition):
    """Congres configured for the provider: two groups give roles, one of them a track."""
    oidc.forget_provider()
    app.config.update(
        OIDC_ISSUER=provider.issuer, OIDC_CLIENT_ID=CLIENT_ID, OIDC_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_PROVIDER_NAME="Rijksaccount", OIDC_SCOPES="openid email profile groups",
        OIDC_ROLE_MAP=json.dumps({
            "congres-organisatie": {"role": "organiser", "edition": "congres-2026"},
            "spoor-digitaal": {"role": "track_manager", "edition": "congres-2026", "track": "Spoor 1"},
        }),
    )
    yield provider
    oidc.forget_provider()


def sign_on(app, login: str, *, browser=None, next_url: str | None = None):
    """The whole flow in a browser (the Flask test client), as ``login`` at the provider: the answer of
    Congres's callback, the browser, and the callback's address."""
    browser = browser or app.test_client()
    start = browser.get("/login/oidc" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.get_data(as_text=True)
    back = at_provider(start.headers["Location"], login)
    return browser.get(back), browser, back


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def grants_of(user: User) -> set[tuple[str, int | None, int | None, str | None]]:
    db.session.refresh(user)
    return {(g.role, g.congress_id, g.track_id, g.source) for g in user.grants}


def refusal(response) -> str:
    page = response.get_data(as_text=True)
    assert 'id="oidc-refusal"' in page, page
    return page


# --- the login page ------------------------------------------------------------------------------


def test_the_login_page_offers_the_provider_when_configured(app, sso):
    page = app.test_client().get("/login").get_data(as_text=True)
    assert "Inloggen met Rijksaccount" in page and 'href="/login/oidc"' in page
    assert 'name="password"' in page  # local accounts remain possible
    english = app.test_client().get("/login?lang=en").get_data(as_text=True)
    assert "Log in with Rijksaccount" in english


def test_without_configuration_there_is_no_single_sign_on(app):
    assert "/login/oidc" not in app.test_client().get("/login").get_data(as_text=True)
    assert app.test_client().get("/login/oidc").status_code == 404
    assert app.test_client().get("/login/oidc/callback?state=x&code=y").status_code == 404


# --- the happy path ------------------------------------------------------------------------------


def test_the_first_sign_on_creates_the_account_with_the_mapped_roles(app, sso, edition):
    response, browser, _ = sign_on(app, "anna", next_url="/manage/")
    assert response.status_code == 302 and response.headers["Location"] == "/manage/"
    user = db.session.scalar(sa.select(User).where(User.email == "anna.devries@minbzk.example"))
    assert user is not None and user.name == "Anna de Vries" and user.password_hash is None
    assert grants_of(user) == {(Role.ORGANISER.value, edition.id, None, GRANT_SOURCE_OIDC)}
    identity = db.session.scalar(sa.select(UserIdentity).where(UserIdentity.user_id == user.id))
    assert (identity.issuer, identity.subject) == (sso.issuer, "anna")
    # Signed in as the password does: a server-side session, proved by single sign-on.
    row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
    assert row.method == "oidc" and row.ended_at is None
    assert browser.get(f"/manage/{edition.slug}/").status_code == 200
    # Audited: the account, its role (from the provider), the sign-in with its method.
    assert events("user.create")[-1].data["method"] == "oidc"
    granted = events("user.role_granted")[-1]
    assert granted.data["source"] == "oidc" and granted.data["role"] == "organiser"
    assert events("user.login")[-1].data == {"method": "oidc"}
    # The state has been spent.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OidcStateToken)
                             .where(OidcStateToken.used_at.is_(None))) == 0


def test_the_sign_on_begins_a_new_session_and_forgets_the_state(app, sso):
    browser = app.test_client()
    start = browser.get("/login/oidc")
    with browser.session_transaction() as before:
        assert set(before[oidc.PENDING]) == {"state", "nonce", "verifier", "next"}
        assert "_sid" not in before
    back = at_provider(start.headers["Location"], "anna")
    assert browser.get(back).headers["Location"] == "/manage/"
    with browser.session_transaction() as after:
        assert oidc.PENDING not in after
        current = hash_secret(after["_sid"])
    anna = db.session.scalar(sa.select(User).where(User.email == "anna.devries@minbzk.example"))
    assert db.session.get(UserSession, current).user_id == anna.id


def test_a_later_sign_on_updates_the_roles_and_keeps_those_given_here(app, sso, edition):
    sso.account("dirk", groups=["congres-organisatie"], name="Dirk Bakker")
    first, first_browser, _ = sign_on(app, "dirk")
    assert first.status_code == 302
    dirk = db.session.scalar(sa.select(User).where(User.email == "dirk@minbzk.example"))
    admin = make_user(Role.ADMIN.value)
    accounts.add_roles(admin, dirk, Role.REVIEWER.value, congress_ids=(edition.id,))  # given in Congres
    db.session.commit()
    first_browser = app.test_client(user=dirk)
    sso.account("dirk", groups=["spoor-digitaal"], name="Dirk Bakker-de Wit")
    second, _browser, _ = sign_on(app, "dirk")
    assert second.status_code == 302
    track = edition.tracks[0]
    assert grants_of(dirk) == {(Role.REVIEWER.value, edition.id, None, None),
                               (Role.TRACK_MANAGER.value, edition.id, track.id, GRANT_SOURCE_OIDC)}
    assert dirk.name == "Dirk Bakker-de Wit"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)
                             .where(User.email == "dirk@minbzk.example")) == 1
    revoked = events("user.role_revoked")[-1]
    assert revoked.data["role"] == "organiser" and revoked.data["source"] == "oidc"
    assert events("user.role_granted")[-1].data["track_id"] == track.id
    # A change of role ends the sessions begun with the old roles.
    assert events("sessions.ended_everywhere")[-1].data["reason"] == "roles-changed"
    assert first_browser.get("/manage/").status_code == 302
    # Nothing changed: no role events, nothing ended.
    count = len(events("user.role_granted")) + len(events("user.role_revoked"))
    third, third_browser, _ = sign_on(app, "dirk")
    assert third.status_code == 302
    assert len(events("user.role_granted")) + len(events("user.role_revoked")) == count


def test_an_existing_account_with_the_verified_address_is_linked(app, sso, edition):
    local = make_user(Role.CHECKIN.value, email="bart.jansen@minbzk.example")
    response, browser, _ = sign_on(app, "bart")
    assert response.status_code == 302
    assert grants_of(local) == {(Role.CHECKIN.value, None, None, None),
                                (Role.TRACK_MANAGER.value, edition.id, edition.tracks[0].id, GRANT_SOURCE_OIDC)}
    assert events("user.identity_linked")[-1].object_id == str(local.id)
    # The password still works while local accounts are on.
    assert app.test_client().post("/login", data={"email": local.email, "password": PASSWORD}).status_code == 302


def test_an_existing_account_whose_address_the_provider_did_not_verify_is_not_taken_over(app, sso):
    local = make_user(Role.ADMIN.value, email="eve@minbzk.example")
    sso.account("eve", groups=["congres-organisatie"], email="eve@minbzk.example", email_verified=False)
    response, _browser, _ = sign_on(app, "eve")
    assert response.status_code == 409
    assert "bestaat al" in refusal(response)
    assert db.session.scalar(sa.select(UserIdentity)) is None
    assert grants_of(local) == {(Role.ADMIN.value, None, None, None)}
    assert events("user.login_failed")[-1].data["reason"] == "email-taken"


def test_a_deactivated_account_is_refused(app, sso):
    response, _browser, _ = sign_on(app, "anna")
    anna = db.session.scalar(sa.select(User).where(User.email == "anna.devries@minbzk.example"))
    admin = make_user(Role.ADMIN.value)
    accounts.set_active(admin, anna, False)
    db.session.commit()
    response, _browser, _ = sign_on(app, "anna")
    assert response.status_code == 403 and "gedeactiveerd" in refusal(response)


# --- refusals ------------------------------------------------------------------------------------


def test_a_token_for_another_client_is_refused(app, sso):
    sso.account("mallory", groups=["congres-organisatie"], misbehave="audience")
    response, browser, _ = sign_on(app, "mallory")
    assert response.status_code == 403
    assert "andere toepassing" in refusal(response)
    assert db.session.scalar(sa.select(User).where(User.email == "mallory@minbzk.example")) is None
    failed = events("user.login_failed")[-1]
    assert failed.data == {"method": "oidc", "reason": "audience"}
    assert browser.get("/manage/").status_code == 302  # not signed in


def test_an_expired_token_is_refused(app, sso):
    sso.account("oscar", groups=["congres-organisatie"], misbehave="expired")
    browser = app.test_client()
    browser.get("/?lang=en")
    response, browser, _ = sign_on(app, "oscar", browser=browser)
    assert response.status_code == 403
    assert "the token from Rijksaccount has expired" in refusal(response)
    assert db.session.scalar(sa.select(User).where(User.email == "oscar@minbzk.example")) is None
    assert events("user.login_failed")[-1].data["reason"] == "expired"


def test_a_replayed_state_is_refused(app, sso):
    browser = app.test_client()
    start = browser.get("/login/oidc")
    copied = browser.get_cookie("session").value  # the browser's session while it is at the provider
    back = at_provider(start.headers["Location"], "anna")
    assert browser.get(back).status_code == 302
    # The same answer again, with the cookie as it was (copied before): the state was spent.
    replay = app.test_client()
    replay.set_cookie("session", copied)
    response = replay.get(back)
    assert response.status_code == 400
    assert "al afgerond" in refusal(response)
    assert events("user.login_failed")[-1].data["reason"] == "state"
    assert len(events("user.login")) == 1


def test_an_unknown_or_foreign_state_is_refused(app, sso):
    browser = app.test_client()
    assert browser.get("/login/oidc/callback?state=made-up&code=x").status_code == 400
    # Started in another browser: this one has no such state.
    other = app.test_client()
    start = other.get("/login/oidc")
    back = at_provider(start.headers["Location"], "anna")
    response = browser.get(back)
    assert response.status_code == 400 and "andere browser" in refusal(response)
    # Hostile values are refusals too, never a 500.
    for query in ("state=%00&code=%00", "state=" + "a" * 5000, "error=x&state=", "code=1&state=%ED%A0%80"):
        assert app.test_client().get("/login/oidc/callback?" + query).status_code in (400, 422), query
    assert db.session.scalar(sa.select(User)) is None


def test_a_person_without_a_mapped_group_is_refused_with_a_clear_page(app, sso):
    response, browser, _ = sign_on(app, "carla")
    assert response.status_code == 403
    page = refusal(response)
    assert "carla.smit@minbzk.example" in page and "geeft een rol" in page
    assert db.session.scalar(sa.select(User)) is None
    assert events("user.login_failed")[-1].data["reason"] == "no-group"
    assert browser.get("/manage/").status_code == 302


def test_losing_every_group_removes_the_providers_roles(app, sso, edition):
    sso.account("fleur", groups=["congres-organisatie"])
    first, browser, _ = sign_on(app, "fleur")
    assert first.status_code == 302
    fleur = db.session.scalar(sa.select(User).where(User.email == "fleur@minbzk.example"))
    sso.account("fleur", groups=["personeel"])
    response, _other, _ = sign_on(app, "fleur")
    assert response.status_code == 403
    assert grants_of(fleur) == set()
    assert browser.get("/manage/").status_code == 302  # its earlier session ended with the role


def test_the_providers_own_refusal_is_a_clear_page(app, sso):
    browser = app.test_client()
    start = browser.get("/login/oidc")
    back = at_provider(start.headers["Location"], "anna", cancel=True)
    assert "error=access_denied" in back
    response = browser.get(back)
    assert response.status_code == 400
    assert "niet ingelogd bij Rijksaccount" in refusal(response)
    assert events("user.login_failed")[-1].data["reason"] == "provider-error"


def test_an_unreachable_provider_is_a_clear_page(app, sso):
    oidc.forget_provider()
    app.config["OIDC_ISSUER"] = "http://127.0.0.1:9"  # nothing listens there
    response = app.test_client().get("/login/oidc")
    assert response.status_code == 503
    assert "niet bereikbaar" in refusal(response)


# --- local accounts switched off ------------------------------------------------------------------


def test_local_login_switched_off(app, sso, mailbox):
    app.config["LOCAL_LOGIN_ENABLED"] = False
    organiser = make_user(Role.ORGANISER.value)
    speaker = make_user(Role.SPEAKER.value)
    page = app.test_client().get("/login").get_data(as_text=True)
    assert "Inloggen met Rijksaccount" in page
    assert "Spreker" in page  # the password form is there for the speakers only
    refused = app.test_client().post("/login", data={"email": organiser.email, "password": PASSWORD})
    assert refused.status_code == 200 and "niet met een wachtwoord" in refused.get_data(as_text=True)
    assert events("user.login_failed")[-1].data["reason"] == "local-login-off"
    assert app.test_client().post("/login", data={"email": speaker.email, "password": PASSWORD}).status_code == 302
    # No reset link for staff, and their password pages refuse.
    app.test_client().post("/password/forgot", data={"email": organiser.email})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    token = accounts.issue_account_token(organiser, accounts.PURPOSE_RESET, timedelta(hours=1))
    db.session.commit()
    answer = app.test_client().post(f"/password/reset/{token}", data={"password": "een heel nieuw wachtwoord 42",
                                                                       "confirm": "een heel nieuw wachtwoord 42"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"
    db.session.refresh(organiser)
    assert accounts.authenticate(organiser.email, PASSWORD) is not None  # unchanged
    assert app.test_client(user=organiser).get("/account/password").status_code == 302
    # Single sign-on still works.
    assert sign_on(app, "anna")[0].status_code == 302


# --- the second factor ---------------------------------------------------------------------------


def test_by_default_a_role_that_requires_a_second_factor_still_enrols_one(app, sso):
    app.config["MFA_REQUIRED_ROLES"] = "organiser"
    response, browser, _ = sign_on(app, "anna")
    assert response.headers["Location"] == "/account/security"
    assert browser.get("/manage/").status_code == 303


def test_an_enrolled_account_gives_its_code_after_the_sign_on(app, sso):
    app.config["MFA_REQUIRED_ROLES"] = "organiser"
    first, browser, _ = sign_on(app, "anna")
    anna = db.session.scalar(sa.select(User).where(User.email == "anna.devries@minbzk.example"))
    secret = mfa.new_secret()
    earlier = time.time() - 90  # enrolled a while ago: the code now is of a later time step
    mfa.enrol(anna, secret, pyotp.TOTP(secret).at(earlier), now=earlier)
    db.session.commit()
    response, browser, _ = sign_on(app, "anna")
    assert response.headers["Location"] == "/login/code"
    assert browser.post("/login/code", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert events("user.login")[-1].data == {"method": "oidc+totp"}


@pytest.mark.parametrize(("setting", "amr", "counts"), [
    ("true", None, True), ("amr", ["pwd", "mfa"], True), ("amr", ["pwd"], False),
])
def test_the_providers_second_factor_counts_when_configured(app, sso, setting, amr, counts):
    app.config.update(MFA_REQUIRED_ROLES="organiser", OIDC_SATISFIES_MFA=setting)
    sso.account("gert", groups=["congres-organisatie"], amr=amr)
    response, browser, _ = sign_on(app, "gert", next_url="/manage/")
    if counts:
        assert response.headers["Location"] == "/manage/"
        assert browser.get("/manage/").status_code == 200
        assert events("user.login")[-1].data == {"method": "oidc+mfa"}
    else:
        assert response.headers["Location"] == "/account/security"


def test_the_callback_is_rate_limited(app, sso):
    app.config["OIDC_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    answers = [app.test_client().get("/login/oidc/callback?state=x&code=y").status_code for _ in range(5)]
    assert answers[:3] == [400, 400, 400] and answers[-1] == 429


# --- configuration -------------------------------------------------------------------------------


@pytest.mark.parametrize(("changes", "named"), [
    ({"OIDC_ROLE_MAP": "{not json"}, "OIDC_ROLE_MAP"),
    ({"OIDC_ROLE_MAP": ""}, "OIDC_ROLE_MAP"),
    ({"OIDC_ROLE_MAP": '{"g": {"role": "emperor"}}'}, "OIDC_ROLE_MAP"),
    ({"OIDC_ROLE_MAP": '{"g": {"role": "track_manager", "edition": "c"}}'}, "track"),
    ({"OIDC_ROLE_MAP": '{"g": {"role": "organiser", "track": "t", "edition": "c"}}'}, "track"),
    ({"OIDC_ROLE_MAP": '{"g": {"role": "organiser", "colour": "red"}}'}, "colour"),
    ({"OIDC_CLIENT_ID": ""}, "OIDC_CLIENT_ID"),
    ({"OIDC_CLIENT_SECRET": ""}, "OIDC_CLIENT_SECRET"),
    ({"OIDC_ISSUER": "login.minbzk.nl"}, "OIDC_ISSUER"),
    ({"OIDC_SATISFIES_MFA": "sometimes"}, "OIDC_SATISFIES_MFA"),
    ({"OIDC_ISSUER": "", "LOCAL_LOGIN_ENABLED": False}, "LOCAL_LOGIN_ENABLED"),
])
def test_settings_that_cannot_work_are_refused_at_start(app, changes, named):
    settings = {**app.config, "OIDC_ISSUER": "https://login.minbzk.example", "OIDC_CLIENT_ID": "congres",
                "OIDC_CLIENT_SECRET": "s", "OIDC_ROLE_MAP": '{"g": {"role": "organiser"}}', **changes}
    with pytest.raises(oidc.ConfigurationProblem, match=named):
        oidc.check_configuration(settings)


def test_a_bad_setting_stops_the_application_with_one_line(app):
    with pytest.raises(ConfigurationError, match="OIDC_ROLE_MAP"):
        create_app({**app.config, "OIDC_ISSUER": "https://login.minbzk.example", "OIDC_CLIENT_ID": "c",
                    "OIDC_CLIENT_SECRET": "s", "OIDC_ROLE_MAP": "[]"})


def test_the_role_map_reads_lists_and_nested_claims(app, edition):
    settings = oidc.settings_from({
        "OIDC_ISSUER": "https://login.minbzk.example/realms/rijk", "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s",
        "OIDC_ROLES_CLAIM": "realm_access.roles",
        "OIDC_ROLE_MAP": json.dumps({"beheer": "admin", "team": [{"role": "reviewer", "edition": "congres-2026"},
                                                                 {"role": "checkin"}],
                                     "ander": {"role": "organiser", "edition": "bestaat-niet"}}),
    })
    claims = {"realm_access": {"roles": ["team", "ander", 7]}}
    assert oidc.groups_of(settings, claims) == ["team", "ander"]
    assert oidc.wanted_grants(settings, oidc.groups_of(settings, claims)) == {
        ("reviewer", edition.id, None), ("checkin", None, None)}
    assert oidc.wanted_grants(settings, ["beheer"]) == {("admin", None, None)}
    assert settings.provider_name == "login.minbzk.example"
