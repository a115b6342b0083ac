"""Passkeys (WebAuthn) as a second factor: real answers of a software authenticator (tests/accounts/
passkey_support.py) verified by py_webauthn through the JSON endpoints. Adding one (named, audited,
listed, unique), signing in with it after the password (recorded as password+passkey, counter kept),
refusals (a forged, replayed or expired challenge, another origin or RP id, a lower counter, another
account's key), wrong passkeys counted and rate-limited like wrong codes, hostile JSON never a 500, the
RP id never from the Host header, a passkey enough for MFA_REQUIRED_ROLES, removal with a confirmation,
and the administrator's reset removing passkeys too."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from congress.accounts import mfa, passkeys
from congress.accounts.models import Passkey, PasskeyChallengeToken, User
from congress.audit.models import AuditEvent
from congress.database import utcnow
from congress.extensions import db, limiter
from tests.accounts.passkey_support import SoftAuthenticator, b64, unb64
from tests.accounts.test_mfa import audit_actions, enrolled, password_step, signed_in_with_password
from tests.factories import make_user

REGISTER_OPTIONS = "/account/passkeys/register/options"
REGISTER = "/account/passkeys/register"
SIGN_IN_OPTIONS = "/account/passkeys/sign-in/options"
SIGN_IN = "/account/passkeys/sign-in"


def add_passkey(browser, authenticator: SoftAuthenticator, name: str = "Laptop", **answer_options):
    options = browser.post(REGISTER_OPTIONS)
    assert options.status_code == 200, options.get_data(as_text=True)
    return browser.post(REGISTER, json={"name": name, "credential": authenticator.create(options.get_json(),
                                                                                         **answer_options)})


def with_passkey(app, user, name: str = "Laptop") -> SoftAuthenticator:
    authenticator = SoftAuthenticator()
    answer = add_passkey(signed_in_with_password(app, user), authenticator, name)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return authenticator


def passkey_step(app, user, authenticator: SoftAuthenticator, **answer_options):
    """The password, then the passkey: (browser, answer of the sign-in endpoint)."""
    browser, answer = password_step(app, user)
    assert answer.headers["Location"] == "/login/code"
    options = browser.post(SIGN_IN_OPTIONS).get_json()
    return browser, browser.post(SIGN_IN, json={"credential": authenticator.get(options, **answer_options)})


def test_adding_a_passkey_is_verified_listed_and_audited(app):
    reviewer = make_user("reviewer")
    browser = signed_in_with_password(app, reviewer)
    answer = add_passkey(browser, SoftAuthenticator(), "  Laptop   van Rik ")
    assert answer.status_code == 200
    assert answer.get_json() == {"redirect": "/account/security"}
    stored = db.session.scalars(sa.select(Passkey).where(Passkey.user_id == reviewer.id)).all()
    assert [(p.name, p.sign_count, p.transports) for p in stored] == [("Laptop van Rik", 0, "internal,hybrid")]
    assert ("user.passkey_added", {"passkey": "Laptop van Rik"}) in audit_actions(reviewer)
    page = browser.get("/account/security").get_data(as_text=True)
    assert "Laptop van Rik" in page and "Nog niet gebruikt" in page and "js/passkeys.js" in page
    assert "De passkey ‘Laptop van Rik’ is toegevoegd." in page


def test_the_options_name_the_configured_party_whatever_the_host_header(app):
    reviewer = make_user("reviewer")
    browser = signed_in_with_password(app, reviewer)
    trusted = app.config.get("TRUSTED_HOSTS")
    app.config["TRUSTED_HOSTS"] = None  # a deployment without the host check: the Host header reaches the view
    browser.set_cookie("session", browser.get_cookie("session").value, domain="evil.example")
    try:
        options = browser.post(REGISTER_OPTIONS, headers={"Host": "evil.example"}).get_json()
        authenticator = SoftAuthenticator(origin="http://evil.example")
        refused = browser.post(REGISTER, headers={"Host": "evil.example"},
                               json={"name": "Laptop", "credential": authenticator.create(options)})
    finally:
        app.config["TRUSTED_HOSTS"] = trusted
    assert options["rp"] == {"id": "127.0.0.1", "name": "Congres"}
    assert options["user"]["name"] == reviewer.email
    with app.test_request_context():
        assert unb64(options["user"]["id"]) == passkeys.user_handle(reviewer)  # 32 bytes, no e-mail, no id
    assert len(unb64(options["user"]["id"])) == 32
    assert options["attestation"] == "none"
    assert refused.status_code == 422
    assert not passkeys.has_passkeys(reviewer)


def test_the_name_is_required_and_short(app):
    reviewer = make_user("reviewer")
    browser = signed_in_with_password(app, reviewer)
    for name, message in (("   ", "Geef de passkey een naam"), ("x" * 101, "Gebruik hoogstens 100 tekens")):
        answer = add_passkey(browser, SoftAuthenticator(), name)
        assert answer.status_code == 422
        assert message in answer.get_json()["error"] and answer.get_json()["field"] == "name"
    assert not passkeys.has_passkeys(reviewer)


@pytest.mark.parametrize("change", ["origin", "rp_id", "challenge"])
def test_a_registration_for_another_origin_party_or_challenge_is_refused(app, change):
    reviewer = make_user("reviewer")
    browser = signed_in_with_password(app, reviewer)
    forged = {"origin": {"origin": "https://congres.example.org"}, "rp_id": {"rp_id": "example.org"},
              "challenge": {"challenge": b64(b"a challenge of my own choosing!!")}}[change]
    answer = add_passkey(browser, SoftAuthenticator(), **forged)
    assert answer.status_code == 422
    assert "kon niet worden gecontroleerd" in answer.get_json()["error"]
    assert not passkeys.has_passkeys(reviewer)


def test_a_registration_answer_replayed_is_refused_even_with_the_old_session(app):
    reviewer = make_user("reviewer")
    browser = signed_in_with_password(app, reviewer)
    options = browser.post(REGISTER_OPTIONS).get_json()
    with browser.session_transaction() as stored:
        copied = stored["passkey_register_challenge"]
    authenticator = SoftAuthenticator()
    answer = authenticator.create(options)
    assert browser.post(REGISTER, json={"name": "Laptop", "credential": answer}).status_code == 200
    db.session.execute(sa.delete(Passkey))  # so that only the challenge can refuse it
    db.session.commit()
    with browser.session_transaction() as stored:
        stored["passkey_register_challenge"] = copied  # a copy of the cookie from before
    again = browser.post(REGISTER, json={"name": "Laptop", "credential": answer})
    assert again.status_code == 422
    assert "verlopen of al gebruikt" in again.get_json()["error"]
    assert not passkeys.has_passkeys(reviewer)


def test_an_expired_challenge_is_refused(app):
    reviewer = make_user("reviewer")
    browser = signed_in_with_password(app, reviewer)
    options = browser.post(REGISTER_OPTIONS).get_json()
    db.session.execute(sa.update(PasskeyChallengeToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    answer = browser.post(REGISTER, json={"name": "Laptop", "credential": SoftAuthenticator().create(options)})
    assert answer.status_code == 422 and "verlopen" in answer.get_json()["error"]


def test_one_credential_is_one_accounts(app):
    first, second = make_user("reviewer"), make_user("reviewer")
    authenticator = with_passkey(app, first)
    answer = add_passkey(signed_in_with_password(app, second), authenticator)
    assert answer.status_code == 422 and "al toegevoegd" in answer.get_json()["error"]
    assert not passkeys.has_passkeys(second)
    signed_in, _answer = passkey_step(app, first, authenticator)
    options = signed_in.post(REGISTER_OPTIONS).get_json()
    assert [c["id"] for c in options["excludeCredentials"]] == [b64(authenticator.credential_id)]


def test_after_the_password_a_passkey_signs_in_recorded_as_password_and_passkey(app):
    reviewer = make_user("reviewer")
    authenticator = with_passkey(app, reviewer)
    browser, answer = password_step(app, reviewer)
    assert answer.headers["Location"] == "/login/code"
    page = browser.get("/login/code").get_data(as_text=True)
    assert "Inloggen met een passkey" in page and 'name="code"' not in page  # no app code to type
    assert browser.get("/manage/").status_code == 302  # not signed in yet
    options = browser.post(SIGN_IN_OPTIONS).get_json()
    assert options["rpId"] == "127.0.0.1"
    assert [c["id"] for c in options["allowCredentials"]] == [b64(authenticator.credential_id)]
    done = browser.post(SIGN_IN, json={"credential": authenticator.get(options)})
    assert done.status_code == 200 and done.get_json() == {"redirect": "/manage/"}
    assert browser.get("/manage/").status_code == 200
    stored = db.session.scalar(sa.select(Passkey).where(Passkey.user_id == reviewer.id))
    db.session.refresh(stored)
    assert stored.sign_count == 1 and stored.last_used_at is not None
    logins = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.login",
                                                            AuditEvent.object_id == str(reviewer.id))).all()
    assert [e.data["method"] for e in logins][-1] == "password+passkey"


def test_with_an_app_code_too_both_are_offered(app):
    reviewer = make_user("reviewer")
    with_passkey(app, reviewer)
    secret = enrolled(reviewer)
    browser, _answer = password_step(app, reviewer)
    page = browser.get("/login/code").get_data(as_text=True)
    assert "Inloggen met een passkey" in page and 'name="code"' in page
    assert browser.post("/login/code", data={"code": pyotp.TOTP(secret).now()}).headers["Location"] == "/manage/"


def test_a_lower_counter_is_refused_as_a_copied_key(app):
    reviewer = make_user("reviewer")
    authenticator = with_passkey(app, reviewer)
    _browser, first = passkey_step(app, reviewer, authenticator, counter=5)
    assert first.status_code == 200
    for counter in (3, 5):  # lower, and the same again
        browser, refused = passkey_step(app, reviewer, authenticator, counter=counter)
        assert refused.status_code == 422
        assert "teller" in refused.get_json()["error"]
        assert browser.get("/manage/").status_code == 302
    stored = db.session.scalar(sa.select(Passkey).where(Passkey.user_id == reviewer.id))
    db.session.refresh(stored)
    assert stored.sign_count == 5
    failed = [data for action, data in audit_actions(reviewer) if action == "user.login_failed"]
    assert [d["reason"] for d in failed] == ["sign-count", "sign-count"]
    assert {d["method"] for d in failed} == {"password+passkey"}
    _browser, onwards = passkey_step(app, reviewer, authenticator, counter=6)
    assert onwards.status_code == 200


@pytest.mark.parametrize("change", ["origin", "rp_id", "challenge"])
def test_a_sign_in_for_another_origin_party_or_challenge_is_refused(app, change):
    reviewer = make_user("reviewer")
    authenticator = with_passkey(app, reviewer)
    forged = {"origin": {"origin": "http://127.0.0.1:6666"}, "rp_id": {"rp_id": "localhost"},
              "challenge": {"challenge": b64(b"\0" * 64)}}[change]
    browser, refused = passkey_step(app, reviewer, authenticator, **forged)
    assert refused.status_code == 422
    assert "kon niet worden gecontroleerd" in refused.get_json()["error"]
    assert browser.get("/manage/").status_code == 302


def test_a_sign_in_answer_replayed_is_refused(app):
    reviewer = make_user("reviewer")
    authenticator = with_passkey(app, reviewer)
    browser, answer = password_step(app, reviewer)
    options = browser.post(SIGN_IN_OPTIONS).get_json()
    with browser.session_transaction() as stored:
        copied = dict(stored)
    signed = authenticator.get(options)
    assert browser.post(SIGN_IN, json={"credential": signed}).status_code == 200
    thief = app.test_client()
    with thief.session_transaction() as stored:
        stored.update(copied)  # the cookie as it was between the password and the passkey
    db.session.execute(sa.update(Passkey).values(sign_count=0))  # so that only the challenge can refuse it
    db.session.commit()
    again = thief.post(SIGN_IN, json={"credential": signed})
    assert again.status_code == 422 and "verlopen of al gebruikt" in again.get_json()["error"]
    assert thief.get("/manage/").status_code == 302


def test_another_accounts_passkey_does_not_sign_in(app):
    first, second = make_user("reviewer"), make_user("reviewer")
    with_passkey(app, first)
    other = with_passkey(app, second)
    browser, answer = password_step(app, first)
    options = browser.post(SIGN_IN_OPTIONS).get_json()
    refused = browser.post(SIGN_IN, json={"credential": other.get(options)})
    assert refused.status_code == 422 and "niet een van uw account" in refused.get_json()["error"]
    assert browser.get("/manage/").status_code == 302


def test_without_the_password_there_is_nothing_to_sign_in(app):
    anonymous = app.test_client()
    for url in (SIGN_IN_OPTIONS, SIGN_IN):
        answer = anonymous.post(url, json={})
        assert answer.status_code == 409 and answer.get_json()["redirect"] == "/login"


def test_wrong_passkeys_count_as_wrong_codes_and_are_rate_limited(app):
    reviewer = make_user("reviewer")
    authenticator = with_passkey(app, reviewer)
    app.config["LOGIN_RATE_LIMIT"] = "12 per minute"
    limiter.reset()
    try:
        browser, _answer = password_step(app, reviewer)
        statuses = []
        for _try in range(5):
            options = browser.post(SIGN_IN_OPTIONS).get_json()
            answer = browser.post(SIGN_IN, json={"credential": authenticator.get(options, origin="http://x.example")})
            statuses.append((answer.status_code, answer.get_json().get("redirect")))
        assert statuses[:4] == [(422, None)] * 4
        assert statuses[4] == (422, "/login")  # the fifth: the password again
        assert browser.post(SIGN_IN_OPTIONS).status_code == 409
        for _try in range(8):
            last = browser.post(SIGN_IN, json={})
        assert last.status_code == 429  # over the limit like passwords and codes
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
        limiter.reset()


HOSTILE = [
    None, [], "credential", 7, {"credential": None}, {"credential": []}, {"credential": "x" * 10},
    {"credential": {}}, {"credential": {"id": 1, "rawId": 2, "type": 3, "response": 4}},
    {"credential": {"id": "AA", "rawId": "AA", "type": "public-key", "response": {}}},
    {"credential": {"id": "AA", "rawId": "AA", "type": "public-key",
                    "response": {"clientDataJSON": "!!!", "attestationObject": "@@", "authenticatorData": "%%",
                                 "signature": "", "transports": "usb"}}},
    {"credential": {"id": "AA", "rawId": "AA", "type": "public-key",
                    "response": {"clientDataJSON": b64(b"not json"), "attestationObject": b64(b"\xff\x00"),
                                 "authenticatorData": b64(b"\x00" * 10), "signature": b64(b"x")}}},
    {"credential": {"id": "AA", "rawId": "AA", "type": "public-key",
                    "response": {"clientDataJSON": b64(json.dumps({"type": 5, "challenge": [],
                                                                   "origin": None}).encode()),
                                 "attestationObject": b64(b"\xa0"), "authenticatorData": b64(b"\x00" * 37),
                                 "signature": b64(b"\x30\x00")}}},
    {"credential": {"id": "A" * 70000}}, {"name": ["Laptop"], "credential": {"a": {"b": {"c": [[[[]]]]}}}},
    {"name": "Laptop", "credential": {"id": "AA", "rawId": "AA", "type": "public-key", "response": {
        "clientDataJSON": "", "attestationObject": "", "transports": [1, None, {"x": 1}]}}},
]


def test_hostile_json_is_refused_never_a_500(app):
    reviewer = make_user("reviewer")
    authenticator = with_passkey(app, reviewer)
    signed_in, _answer = passkey_step(app, reviewer, authenticator)
    halfway, _answer = password_step(app, reviewer)
    for payload in HOSTILE:
        for browser, options_url, url in ((signed_in, REGISTER_OPTIONS, REGISTER), (halfway, SIGN_IN_OPTIONS, SIGN_IN)):
            for with_options in (False, True):
                if with_options:
                    assert browser.post(options_url).status_code == 200
                answer = browser.post(url, json=payload) if payload is not None else \
                    browser.post(url, data="{not json", content_type="application/json")
                assert answer.status_code in (409, 422), (url, payload, answer.status_code)
                assert "error" in answer.get_json()
            halfway, _answer = password_step(app, reviewer)  # the five tries after the password are spent quickly
    assert browser.post(SIGN_IN_OPTIONS, data="x", content_type="text/plain").status_code == 200
    _browser, fine = passkey_step(app, reviewer, authenticator)
    assert fine.status_code == 200


@pytest.fixture
def mfa_required(app):
    app.config["MFA_REQUIRED_ROLES"] = "admin,organiser"
    return app


def test_a_passkey_is_enough_for_a_role_that_requires_a_second_factor(mfa_required, organiser):
    browser, answer = password_step(mfa_required, organiser)
    assert answer.headers["Location"] == "/account/security"
    assert browser.get("/manage/").status_code == 303
    page = browser.get("/account/security").get_data(as_text=True)
    assert "Uw rol vereist inloggen in twee stappen" in page and "Een passkey toevoegen" in page
    assert add_passkey(browser, SoftAuthenticator()).status_code == 200
    assert browser.get("/manage/").status_code == 200
    page = browser.get("/account/security").get_data(as_text=True)
    assert "Totdat het is ingesteld" not in page
    _browser, next_time = password_step(mfa_required, organiser)
    assert next_time.headers["Location"] == "/login/code"


def test_removing_needs_a_confirmation_and_keeps_the_last_factor_of_a_required_role(mfa_required, organiser):
    browser, _answer = password_step(mfa_required, organiser)
    add_passkey(browser, SoftAuthenticator(), "Laptop")
    add_passkey(browser, SoftAuthenticator(), "Telefoon")
    laptop, phone = (p.id for p in passkeys.of(organiser))
    confirm = browser.get(f"/account/passkeys/{laptop}/remove")
    assert confirm.status_code == 200 and "‘Laptop’" in confirm.get_data(as_text=True)
    assert browser.post(f"/account/passkeys/{laptop}/remove").headers["Location"] == "/account/security"
    assert [p.name for p in passkeys.of(organiser)] == ["Telefoon"]
    assert ("user.passkey_removed", {"passkey": "Laptop"}) in audit_actions(organiser)
    kept = browser.post(f"/account/passkeys/{phone}/remove", follow_redirects=True)
    assert "stel eerst de code uit de app of een andere passkey in" in kept.get_data(as_text=True)
    assert [p.name for p in passkeys.of(organiser)] == ["Telefoon"]
    assert browser.get(f"/account/passkeys/{laptop}/remove").status_code == 404
    someone = make_user("reviewer")
    theirs = with_passkey(mfa_required, someone)
    assert theirs
    their_key = passkeys.of(someone)[0]
    assert browser.get(f"/account/passkeys/{their_key.id}/remove").status_code == 404
    assert browser.post(f"/account/passkeys/{their_key.id}/remove").status_code == 404
    assert passkeys.has_passkeys(someone)


def test_a_required_role_with_a_passkey_may_turn_the_app_code_off(mfa_required, organiser):
    secret = enrolled(organiser)
    with pytest.raises(mfa.WrongCode):
        mfa.disable(db.session.get(User, organiser.id), pyotp.TOTP(secret).now())
    db.session.add(Passkey(user_id=organiser.id, name="Sleutel", credential_id="AAAA", public_key=b"k"))
    db.session.commit()
    mfa.disable(db.session.get(User, organiser.id), pyotp.TOTP(secret).now())
    assert not mfa.is_enrolled(db.session.get(User, organiser.id))
    assert mfa.has_second_factor(db.session.get(User, organiser.id))


def test_the_administrators_reset_removes_the_passkeys_too(app, admin, mailbox):
    reviewer = make_user("reviewer", name="Rik Reviewer", email="rik@example.org")
    with_passkey(app, reviewer, "Yubikey")
    as_admin = signed_in_with_password(app, admin)
    person_page = as_admin.get(f"/manage/users/{reviewer.id}").get_data(as_text=True)
    assert "Inloggen in twee stappen herstellen" in person_page and "1 passkey." in person_page
    assert as_admin.post(f"/account/security/reset/{reviewer.id}").status_code == 302
    db.session.expire_all()
    assert not passkeys.has_passkeys(db.session.get(User, reviewer.id))
    assert ("user.mfa_reset", {"reset_by": admin.id, "passkeys": 1}) in audit_actions(reviewer)
    assert len(mailbox) == 1 and mailbox[0]["To"] == "rik@example.org"
    assert "uw passkeys werken er niet meer" in mailbox[0].get_body(preferencelist=("plain",)).get_content()
    log = as_admin.get("/manage/audit").get_data(as_text=True)
    assert "Passkey toegevoegd" in log and "Yubikey" in log
    _browser, again = password_step(app, reviewer)
    assert again.headers["Location"] == "/manage/"


def test_the_service_refuses_a_challenge_twice(app):
    reviewer = make_user("reviewer")
    authenticator = with_passkey(app, reviewer)
    ceremony = passkeys.authentication_options(reviewer)
    options = json.loads(ceremony.options_json)
    answer = authenticator.get(options)
    assert passkeys.authenticate(reviewer, credential=answer, challenge=ceremony.challenge).sign_count == 1
    with pytest.raises(passkeys.PasskeyRefused) as refused:
        passkeys.authenticate(reviewer, credential=answer, challenge=ceremony.challenge)
    assert refused.value.code == "challenge"
    register = passkeys.registration_options(reviewer)  # a challenge of the other purpose does not sign in
    with pytest.raises(passkeys.PasskeyRefused):
        passkeys.authenticate(reviewer, credential=authenticator.get(options, challenge=register.challenge),
                              challenge=register.challenge)


def test_answers_with_one_counter_at_the_same_moment_sign_in_once(app):
    """Four answers with the same counter (a copied key used at once), each for a challenge of its own:
    the passkey's row lock lets one through; the others see its counter and are refused."""
    reviewer = make_user("reviewer")
    authenticator = with_passkey(app, reviewer)
    answers = []
    for _n in range(4):
        ceremony = passkeys.authentication_options(reviewer)
        answers.append((authenticator.get(json.loads(ceremony.options_json), counter=1), ceremony.challenge))
    db.session.commit()
    user_id = reviewer.id
    results: list[str] = []
    barrier = threading.Barrier(len(answers))

    def sign_in(answer: dict, challenge: str) -> None:
        with app.app_context():
            user = db.session.get(User, user_id)
            barrier.wait()
            try:
                passkeys.authenticate(user, credential=answer, challenge=challenge)
                results.append("ok")
            except passkeys.ClonedPasskey:
                results.append("refused")
            except Exception as exc:  # database lock errors must not happen either
                results.append(f"error: {exc}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sign_in, args=pair) for pair in answers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ok", "refused", "refused", "refused"]
    db.session.commit()  # end the test's read transaction: see what the threads wrote
    assert db.session.scalar(sa.select(Passkey.sign_count).where(Passkey.user_id == user_id)) == 1


def test_in_english_the_page_and_the_refusals_are_english(app):
    reviewer = make_user("reviewer")
    browser = signed_in_with_password(app, reviewer)
    page = browser.get("/account/security?lang=en").get_data(as_text=True)
    assert "Add a passkey" in page and "You have no passkeys yet." in page
    assert "No passkey was added: the request was cancelled or timed out. Try again." in page  # for the script
    answer = add_passkey(browser, SoftAuthenticator(), " ")
    assert answer.get_json()["error"] == "Give the passkey a name, such as “Laptop” or “Phone”."
    assert add_passkey(browser, SoftAuthenticator(), "Laptop").status_code == 200
    passkey_id = passkeys.of(reviewer)[0].id
    confirm = browser.get(f"/account/passkeys/{passkey_id}/remove").get_data(as_text=True)
    assert "Remove the passkey “Laptop”" in confirm
