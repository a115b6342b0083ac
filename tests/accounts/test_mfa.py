"""Two-factor sign-in (TOTP): enrolment with a confirmation code, sign-in with a code or a recovery code
(once), wrong codes rate-limited, a code refused a second time, a role that requires it led to enrolment
from every staff page, turned off with a current code, and reset by an administrator (audited, mailed)."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from congress.accounts import mfa
from congress.accounts.models import RecoveryCode, User
from congress.audit.models import AuditEvent
from congress.extensions import db, limiter
from tests.factories import PASSWORD, make_user


def audit_actions(user) -> list[tuple[str, dict]]:
    return [(e.action, e.data) for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_type == "User", AuditEvent.object_id == str(user.id))
        .order_by(AuditEvent.id))]


def enrol_via_page(browser) -> tuple[str, list[str]]:
    """Open the security page, read the key from it, confirm with a computed code; (secret, codes)."""
    page = browser.get("/account/security").get_data(as_text=True)
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]{32})<', page).group(1)
    assert "<svg" in page
    answer = browser.post("/account/security/enrol", data={"code": pyotp.TOTP(secret).now()})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", answer.get_data(as_text=True))
    return secret, codes


def password_step(app, user):
    browser = app.test_client()
    answer = browser.post("/login", data={"email": user.email, "password": PASSWORD})
    assert answer.status_code == 302
    return browser, answer


def signed_in_with_password(app, user):
    browser, answer = password_step(app, user)
    assert answer.headers["Location"] == "/manage/"
    return browser


def enrolled(user: User, now: float | None = None) -> str:
    """Enrol ``user`` directly through the service, with a code of an hour ago (so that today's are unused)."""
    secret = mfa.new_secret()
    earlier = (now or time.time()) - 3600
    mfa.enrol(user, secret, pyotp.TOTP(secret).at(earlier), now=earlier)
    return secret


def test_enrolment_shows_a_qr_code_and_ten_recovery_codes_stored_hashed(app):
    reviewer = make_user("reviewer")
    browser = signed_in_with_password(app, reviewer)
    page = browser.get("/account/security")
    assert page.status_code == 200
    assert "<svg" in page.get_data(as_text=True) and 'id="totp-secret"' in page.get_data(as_text=True)
    wrong = browser.post("/account/security/enrol", data={"code": "000000"})
    assert wrong.status_code == 422
    assert "Die code klopt niet" in wrong.get_data(as_text=True)
    secret, codes = enrol_via_page(browser)
    assert len(codes) == 10 and len(set(codes)) == 10
    db.session.expire_all()
    user = db.session.get(User, reviewer.id)
    assert user.totp_secret == secret and mfa.is_enrolled(user)
    stored = db.session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10
    assert all(h.startswith("$argon2") for h in stored)
    assert not any(code.replace("-", "") in h for h in stored for code in codes)
    assert ("user.mfa_enrolled", {"method": "totp"}) in audit_actions(user)
    # Shown once: the security page now says it is on and shows no codes.
    again = browser.get("/account/security").get_data(as_text=True)
    assert "staat aan" in again and codes[0] not in again


def test_sign_in_asks_for_the_code_after_the_password(app):
    reviewer = make_user("reviewer")
    secret = enrolled(reviewer)
    browser, answer = password_step(app, reviewer)
    assert answer.headers["Location"] == "/login/code"
    assert browser.get("/manage/").status_code == 302  # not signed in yet
    wrong = browser.post("/login/code", data={"code": "123456"})
    assert wrong.status_code == 422
    assert 'aria-invalid="true"' in wrong.get_data(as_text=True)
    right = browser.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert right.status_code == 302 and right.headers["Location"] == "/manage/"
    assert browser.get("/manage/").status_code == 200
    logins = [data for action, data in audit_actions(reviewer) if action == "user.login"]
    assert logins[-1]["method"] == "password+totp"
    failed = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.login_failed")).all()
    assert [e.data["reason"] for e in failed] == ["wrong-code"]


def test_a_code_cannot_be_used_twice_within_its_window(app):
    reviewer = make_user("reviewer")
    secret = enrolled(reviewer)
    code = pyotp.TOTP(secret).now()
    first, _ = password_step(app, reviewer)
    assert first.post("/login/code", data={"code": code}).status_code == 302
    second, _ = password_step(app, reviewer)
    replay = second.post("/login/code", data={"code": code})
    assert replay.status_code == 422
    assert "al gebruikt" in replay.get_data(as_text=True)
    assert second.get("/manage/").status_code == 302
    # The service itself: the last accepted step is kept, and an older step is refused as well.
    db.session.expire_all()
    user = db.session.get(User, reviewer.id)
    now = time.time()
    with pytest.raises(mfa.WrongCode):
        mfa.check_code(user, pyotp.TOTP(secret).at(now - 30), now=now)


def test_a_recovery_code_works_once(app):
    reviewer = make_user("reviewer")
    browser = signed_in_with_password(app, reviewer)
    _secret, codes = enrol_via_page(browser)
    first, _ = password_step(app, reviewer)
    used = first.post("/login/code", data={"code": codes[3].upper()})
    assert used.status_code == 302
    assert first.get("/manage/").status_code == 200
    logins = [data for action, data in audit_actions(reviewer) if action == "user.login"]
    assert logins[-1]["method"] == "password+recovery-code"
    assert ("user.recovery_code_used", {"left": 9}) in audit_actions(reviewer)
    second, _ = password_step(app, reviewer)
    again = second.post("/login/code", data={"code": codes[3]})
    assert again.status_code == 422
    assert second.get("/manage/").status_code == 302
    assert second.post("/login/code", data={"code": codes[4]}).status_code == 302


def test_wrong_codes_are_rate_limited_and_end_the_attempt(app):
    reviewer = make_user("reviewer")
    secret = enrolled(reviewer)
    app.config["LOGIN_RATE_LIMIT"] = "10 per minute"
    limiter.reset()
    try:
        statuses = []
        for _round in range(3):  # five wrong codes end an attempt: the password is asked again
            browser, _ = password_step(app, reviewer)
            for _try in range(5):
                statuses.append(browser.post("/login/code", data={"code": "000000"}).status_code)
        assert statuses[:4] == [422] * 4
        assert statuses[4] == 302  # the fifth wrong code: "log in again"
        assert statuses[10] == 429  # the eleventh code within the minute: refused like passwords
        assert browser.post("/login/code", data={"code": pyotp.TOTP(secret).now()}).status_code == 429
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
        limiter.reset()


@pytest.fixture
def mfa_required(app):
    app.config["MFA_REQUIRED_ROLES"] = "admin,organiser"
    return app


def test_a_role_that_requires_it_is_led_to_enrolment_and_can_do_nothing_else(mfa_required, organiser):
    browser, answer = password_step(mfa_required, organiser)
    assert answer.headers["Location"] == "/account/security"
    for path in ("/manage/", "/manage/users", "/manage/audit", "/account/sessions", "/manage/editions/new"):
        blocked = browser.get(path)
        assert blocked.status_code == 303, path
        assert blocked.headers["Location"] == "/account/security"
    posted = browser.post("/account/sessions/end-others")
    assert posted.status_code == 303 and posted.headers["Location"] == "/account/security"
    assert browser.get("/").status_code == 200  # public pages stay open
    page = browser.get("/account/security").get_data(as_text=True)
    assert "Uw rol vereist inloggen in twee stappen" in page
    enrol_via_page(browser)
    assert browser.get("/manage/").status_code == 200
    assert browser.get("/manage/users").status_code == 200


def test_a_role_that_requires_it_cannot_turn_it_off(mfa_required, organiser):
    secret = enrolled(organiser)
    db.session.expire_all()
    with pytest.raises(mfa.WrongCode):
        mfa.disable(db.session.get(User, organiser.id), pyotp.TOTP(secret).now())
    assert mfa.is_enrolled(db.session.get(User, organiser.id))


def test_turning_it_off_needs_the_current_code(app):
    reviewer = make_user("reviewer")
    browser = signed_in_with_password(app, reviewer)
    secret, codes = enrol_via_page(browser)
    refused = browser.post("/account/security/disable", data={"code": codes[0]})
    assert refused.status_code == 422
    db.session.expire_all()
    assert mfa.is_enrolled(db.session.get(User, reviewer.id))
    time.sleep(max(0.0, 30 - time.time() % 30) + 0.1)  # the enrolment spent this step's code
    assert browser.post("/account/security/disable", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    db.session.expire_all()
    user = db.session.get(User, reviewer.id)
    assert not mfa.is_enrolled(user) and mfa.recovery_codes_left(user) == 0
    assert "user.mfa_disabled" in [action for action, _ in audit_actions(user)]
    _browser, answer = password_step(app, user)
    assert answer.headers["Location"] == "/manage/"


def test_an_administrator_resets_it_audited_and_mailed(app, admin, mailbox):
    reviewer = make_user("reviewer", name="Rik Reviewer", email="rik@example.org")
    enrolled(reviewer)
    organiser = make_user("organiser")
    as_organiser = signed_in_with_password(app, organiser)
    assert as_organiser.post(f"/account/security/reset/{reviewer.id}").status_code == 403
    as_admin = signed_in_with_password(app, admin)
    person_page = as_admin.get(f"/manage/users/{reviewer.id}").get_data(as_text=True)
    assert "Inloggen in twee stappen herstellen" in person_page
    answer = as_admin.post(f"/account/security/reset/{reviewer.id}")
    assert answer.status_code == 302 and answer.headers["Location"] == f"/manage/users/{reviewer.id}"
    db.session.expire_all()
    user = db.session.get(User, reviewer.id)
    assert not mfa.is_enrolled(user) and mfa.recovery_codes_left(user) == 0
    assert ("user.mfa_reset", {"reset_by": admin.id}) in audit_actions(user)
    log = as_admin.get("/manage/audit").get_data(as_text=True)
    assert "Inloggen in twee stappen hersteld door een beheerder" in log
    assert "Inloggen in twee stappen aangezet" in log
    assert len(mailbox) == 1
    assert mailbox[0]["To"] == "rik@example.org"
    text = mailbox[0].get_body(preferencelist=("plain",)).get_content()
    assert "Ada Admin" in text and "opnieuw" in text
    _browser, again = password_step(app, user)
    assert again.headers["Location"] == "/manage/"  # a password alone again (no role requires more)


def test_a_password_reset_link_still_asks_for_the_code(app, mailbox):
    reviewer = make_user("reviewer")
    secret = enrolled(reviewer)
    browser = app.test_client()
    browser.post("/password/forgot", data={"email": reviewer.email})
    link = re.search(r"http://\S+/password/reset/\S+", mailbox[0].get_body(preferencelist=("plain",)).get_content())
    path = "/" + link.group(0).split("/", 3)[3]
    new = "een heel nieuw wachtwoord 42"
    answer = browser.post(path, data={"password": new, "confirm": new})
    assert answer.status_code == 302 and answer.headers["Location"] == "/login/code"
    assert browser.get("/manage/").status_code == 302
    assert browser.post("/login/code", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert browser.get("/manage/").status_code == 200
