"""Server-side sessions: listed, ended from another browser, idle and absolute expiry, ended by a new
password (but this browser's), by a role change and by an organiser; the id renewed at sign-in."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from congress.accounts import services, sessions
from congress.accounts.models import Role, UserSession
from congress.audit.models import AuditEvent
from congress.database import utcnow
from congress.extensions import db
from tests.factories import PASSWORD, make_congress, make_user

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1")
EDGE = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0")


def signed_in(app, user, user_agent=FIREFOX):
    """A browser that signs in through the login form, as a person does."""
    browser = app.test_client()
    browser.environ_base["HTTP_USER_AGENT"] = user_agent
    answer = browser.post("/login", data={"email": user.email, "password": PASSWORD})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return browser


def is_signed_out(browser) -> bool:
    answer = browser.get("/manage/")
    return answer.status_code == 302 and answer.headers["Location"].startswith("/login")


def actions(user) -> list[tuple[str, dict]]:
    return [(e.action, e.data) for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_type == "User", AuditEvent.object_id == str(user.id),
                                    AuditEvent.action.like("session%")).order_by(AuditEvent.id))]


def test_the_user_agent_is_described_simply():
    assert sessions.describe_agent(FIREFOX) == ("Firefox", "Linux")
    assert sessions.describe_agent(SAFARI_IPHONE) == ("Safari", "iOS")
    assert sessions.describe_agent(EDGE) == ("Edge", "Windows")
    assert sessions.describe_agent("curl/8.5.0") == ("curl", "")
    assert sessions.describe_agent("") == ("", "")


def test_sessions_are_listed_with_device_and_this_session(app, organiser):
    laptop = signed_in(app, organiser, FIREFOX)
    signed_in(app, organiser, SAFARI_IPHONE)
    page = laptop.get("/account/sessions")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Firefox op Linux" in html and "Safari op iOS" in html
    assert html.count("(deze sessie)") == 1
    assert "Overal afmelden behalve hier" in html
    assert html.count('name="csrf_token"') == 4  # each of the three buttons posts with its token (and the header's)
    rows = services.active_sessions(organiser)
    assert len(rows) == 2 and {r.ip_address for r in rows} == {"127.0.0.1"}


def test_a_session_ended_from_another_browser_is_signed_out_at_its_next_request(app, organiser):
    laptop = signed_in(app, organiser, FIREFOX)
    phone = signed_in(app, organiser, SAFARI_IPHONE)
    assert phone.get("/manage/").status_code == 200
    phone_row = next(r for r in services.active_sessions(organiser) if r.browser == "Safari")
    answer = laptop.post("/account/sessions/end", data={"session": phone_row.id})
    assert answer.status_code == 302
    answer = phone.get("/manage/")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    assert "Je sessie is beëindigd" in phone.get(answer.headers["Location"]).get_data(as_text=True)
    assert is_signed_out(phone)  # and stays so: the cookie was cleared
    assert laptop.get("/manage/").status_code == 200
    assert actions(organiser)[-1] == ("session.ended", {"reason": "ended", "signin_session": phone_row.id[:12]})
    # someone else's session cannot be ended through one's own page
    other = make_user(Role.ORGANISER.value, email="other@example.org")
    theirs = signed_in(app, other)
    their_row = services.active_sessions(other)[0]
    laptop.post("/account/sessions/end", data={"session": their_row.id})
    assert theirs.get("/manage/").status_code == 200
    assert laptop.post("/account/sessions/end", data={"session": "not-a-session"}).status_code == 302


def test_sign_out_everywhere_except_here(app, organiser):
    here, there, elsewhere = (signed_in(app, organiser) for _ in range(3))
    answer = here.post("/account/sessions/end-others", follow_redirects=True)
    assert "Overal afgemeld behalve hier (2 sessies)" in answer.get_data(as_text=True)
    assert is_signed_out(there) and is_signed_out(elsewhere)
    assert here.get("/manage/").status_code == 200
    assert actions(organiser)[-1] == ("sessions.ended_everywhere", {"reason": "signed-out-everywhere", "count": 2,
                                                                     "except_current": True})


def test_ending_this_session_from_the_list_signs_out(app, organiser):
    here = signed_in(app, organiser)
    row = services.active_sessions(organiser)[0]
    assert here.post("/account/sessions/end", data={"session": row.id}).status_code == 302
    assert is_signed_out(here)
    assert db.session.get(UserSession, row.id).ended_reason == "signed-out"


def test_idle_sessions_end(app, organiser):
    app.config["STAFF_IDLE_MINUTES"] = 20
    browser = signed_in(app, organiser)
    row = services.active_sessions(organiser)[0]
    row.last_seen_at = utcnow() - timedelta(minutes=19)
    db.session.commit()
    assert browser.get("/manage/").status_code == 200  # 19 minutes: still there, and seen again now
    assert db.session.get(UserSession, row.id).last_seen_at > utcnow() - timedelta(minutes=1)
    db.session.get(UserSession, row.id).last_seen_at = utcnow() - timedelta(minutes=21)
    db.session.commit()
    answer = browser.get("/manage/")
    assert answer.status_code == 302
    assert "Je sessie is verlopen" in browser.get(answer.headers["Location"]).get_data(as_text=True)
    assert db.session.get(UserSession, row.id).ended_reason == "idle"
    assert actions(organiser)[-1][1]["reason"] == "idle"


def test_last_seen_is_written_at_most_once_a_minute(app, organiser):
    browser = signed_in(app, organiser)
    row = services.active_sessions(organiser)[0]
    seen = utcnow() - timedelta(seconds=30)
    row.last_seen_at = seen
    db.session.commit()
    for _ in range(3):
        assert browser.get("/manage/").status_code == 200
    assert db.session.get(UserSession, row.id).last_seen_at == seen  # no write on every request
    db.session.get(UserSession, row.id).last_seen_at = seen - timedelta(seconds=40)
    db.session.commit()
    browser.get("/manage/")
    assert db.session.get(UserSession, row.id).last_seen_at > seen


def test_sessions_end_at_their_absolute_lifetime(app, organiser):
    app.config["STAFF_MAX_HOURS"] = 2
    browser = signed_in(app, organiser)
    row = services.active_sessions(organiser)[0]
    assert timedelta(hours=2) - timedelta(minutes=1) < row.expires_at - row.created_at <= timedelta(hours=2)
    row.created_at = utcnow() - timedelta(hours=2, minutes=1)
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()  # used a minute ago: not idle, but past its lifetime
    assert is_signed_out(browser)
    assert db.session.get(UserSession, row.id).ended_reason == "expired"


def test_sign_in_renews_the_session_id(app, organiser):
    browser = signed_in(app, organiser)
    first = services.active_sessions(organiser)[0].id
    with browser.session_transaction() as cookie:
        old_secret = cookie[sessions.SESSION_KEY]
    browser.post("/login?next=/manage/", data={"email": organiser.email, "password": PASSWORD})
    # already signed in: the login page sends it on; a new sign-in (a reset link) gets a new id
    with browser.session_transaction() as cookie:
        assert cookie[sessions.SESSION_KEY] == old_secret
    browser.post("/logout")
    assert db.session.get(UserSession, first).ended_reason == "signed-out"
    again = signed_in(app, organiser)
    assert [r.id for r in services.active_sessions(organiser)] != [first]
    # a cookie copied from before the sign-out signs nobody in
    copied = app.test_client()
    with copied.session_transaction() as cookie:
        cookie["_user_id"] = str(organiser.id)
        cookie[sessions.SESSION_KEY] = old_secret
    assert is_signed_out(copied)
    assert again.get("/manage/").status_code == 200


def test_a_cookie_without_a_session_row_signs_nobody_in(app, organiser):
    forged = app.test_client()
    with forged.session_transaction() as cookie:
        cookie["_user_id"] = str(organiser.id)  # what Flask-Login alone would have trusted
        cookie["_fresh"] = True
    assert is_signed_out(forged)
    remember = app.test_client()
    remember.set_cookie("remember_token", f"{organiser.id}|whatever")
    assert is_signed_out(remember)


def test_a_password_change_ends_the_other_sessions_but_keeps_this_one(app, organiser):
    here, there = signed_in(app, organiser), signed_in(app, organiser)
    page = here.get("/account/password")
    assert page.status_code == 200 and "Huidig wachtwoord" in page.get_data(as_text=True)
    wrong = here.post("/account/password", data={"current": "not my password", "password": "a fresh sentence of words",
                                                 "confirm": "a fresh sentence of words"})
    assert wrong.status_code == 422 and "current-error" in wrong.get_data(as_text=True)
    done = here.post("/account/password", data={"current": PASSWORD, "password": "a fresh sentence of words",
                                                "confirm": "a fresh sentence of words"})
    assert done.status_code == 302
    assert here.get("/manage/").status_code == 200
    assert is_signed_out(there)
    assert services.authenticate(organiser.email, "a fresh sentence of words") is not None
    events = actions(organiser)
    assert ("sessions.ended_everywhere", {"reason": "password-changed", "count": 1, "except_current": True}) in events


def test_a_password_reset_ends_every_session(app, client, organiser):
    laptop = signed_in(app, organiser)
    secret = services.issue_account_token(organiser, services.PURPOSE_RESET, timedelta(hours=1))
    db.session.commit()
    assert client.post(f"/password/reset/{secret}", data={"password": "another long sentence",
                                                          "confirm": "another long sentence"}).status_code == 302
    assert is_signed_out(laptop)
    assert client.get("/manage/").status_code == 200  # the reset signs in, with a session of its own
    assert len(services.active_sessions(organiser)) == 1


def test_a_role_change_ends_the_sessions(app, organiser):
    congress = make_congress("rolwissel")
    person = make_user(Role.CHECKIN.value, email="checkin@example.org")
    theirs = signed_in(app, person)
    mine = signed_in(app, organiser)
    answer = mine.post(f"/manage/users/{person.id}", data={"role": Role.REVIEWER.value, "editions": [congress.id]})
    assert answer.status_code == 302
    assert is_signed_out(theirs)
    theirs = signed_in(app, person)
    grant = next(g for g in person.grants if g.role == Role.REVIEWER.value)
    assert mine.post(f"/manage/users/{person.id}/roles/{grant.id}/revoke").status_code == 302
    assert is_signed_out(theirs)
    assert [d["reason"] for a, d in actions(person) if a == "sessions.ended_everywhere"] == ["roles-changed"] * 2


def test_changing_ones_own_roles_renews_this_session(app, admin):
    congress = make_congress("eigen-rol")
    browser = signed_in(app, admin)
    before = services.active_sessions(admin)[0].id
    assert browser.post(f"/manage/users/{admin.id}", data={"role": Role.REVIEWER.value,
                                                           "editions": [congress.id]}).status_code == 302
    assert browser.get("/manage/").status_code == 200  # still signed in ...
    after = [r.id for r in services.active_sessions(admin)]
    assert len(after) == 1 and after != [before]  # ... with a new session id
    assert db.session.get(UserSession, before).ended_reason == "renewed"


def test_an_organiser_ends_all_sessions_of_a_person(app, organiser):
    person = make_user(Role.CHECKIN.value, email="laptop-kwijt@example.org", name="Karin Kwijt")
    one, two = signed_in(app, person), signed_in(app, person)
    mine = signed_in(app, organiser)
    page = mine.get(f"/manage/users/{person.id}").get_data(as_text=True)
    assert "Alle sessies beëindigen" in page and "2 actieve sessies." in page
    answer = mine.post(f"/manage/users/{person.id}/sessions/end", follow_redirects=True)
    assert "Alle sessies van Karin Kwijt zijn beëindigd (2)" in answer.get_data(as_text=True)
    assert is_signed_out(one) and is_signed_out(two)
    assert mine.get("/manage/").status_code == 200
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "sessions.ended_everywhere"))
    assert event.actor_user_id == organiser.id and event.data["reason"] == "ended-by-staff"
    log = mine.get("/manage/audit").get_data(as_text=True)  # readable in the audit log
    assert "Sessies beëindigd" in log and "door de organisatie beëindigd" in log
    # an organiser of other editions only may not
    elsewhere = make_congress("elders")
    outsider = make_user(email="org-elders@example.org")
    services.add_roles(make_user(Role.ADMIN.value, email="a2@example.org"), outsider, Role.ORGANISER.value,
                       congress_ids=(elsewhere.id,))
    db.session.commit()
    three = signed_in(app, person)
    assert signed_in(app, outsider).post(f"/manage/users/{person.id}/sessions/end").status_code in (302, 404)
    assert three.get("/manage/").status_code == 200


def test_deactivating_an_account_ends_its_sessions(app, organiser):
    congress = make_congress("deactiveren")
    person = make_user(email="weg@example.org")
    services.add_roles(organiser, person, Role.CHECKIN.value, congress_ids=(congress.id,))
    db.session.commit()
    theirs = signed_in(app, person)
    mine = signed_in(app, organiser)
    assert mine.post(f"/manage/users/{person.id}/active", data={"active": "0"}).status_code == 302
    assert is_signed_out(theirs)
    reason = db.session.scalar(sa.select(UserSession.ended_reason).where(UserSession.user_id == person.id))
    assert reason == "deactivated"


def test_json_clients_of_an_ended_session_get_401(app, organiser):
    browser = signed_in(app, organiser)
    services.end_sessions(organiser, except_current=False, reason=sessions.REASON_BY_STAFF)
    answer = browser.get("/manage/", headers={"Accept": "application/json"})
    assert answer.status_code == 401


def test_speakers_manage_their_sessions_too(app):
    speaker = make_user(Role.SPEAKER.value, email="spreker@example.org")
    browser = signed_in(app, speaker)
    page = browser.get("/account/sessions")
    assert page.status_code == 200 and "(deze sessie)" in page.get_data(as_text=True)
    assert browser.get("/account/password").status_code == 200


def test_ending_the_sessions_ends_outstanding_reset_links_too(app, client, organiser):
    person = make_user(Role.CHECKIN.value, email="reset-link@example.org")
    secret = services.issue_account_token(person, services.PURPOSE_RESET, timedelta(hours=1))
    db.session.commit()
    mine = signed_in(app, organiser)
    assert mine.post(f"/manage/users/{person.id}/sessions/end").status_code == 302
    assert services.check_account_token(secret, services.PURPOSE_RESET) is None
    answer = client.post(f"/password/reset/{secret}", data={"password": "a sentence nobody guesses",
                                                          "confirm": "a sentence nobody guesses"})
    assert answer.status_code == 302 and "/password/forgot" in answer.headers["Location"]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "sessions.ended_everywhere"))
    assert event.data["reset_links"] == 1
