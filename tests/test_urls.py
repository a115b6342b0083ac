"""Links and identifiers come from PUBLIC_BASE_URL, never from the request's Host header (issue 12 §3).

A client chooses its ``Host`` header. Before, a request with ``Host: evil.example`` put
``UID:session-4@evil.example`` and ``URL:http://evil.example/…`` into the shared programme cache and
into password-reset and "send me my link" mails. These tests send forged hosts through the real
views, the real cache, the real outbox and the real SMTP server (aiosmtpd on 127.0.0.1).
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import has_request_context

from config import ProductionConfig
from congress import ConfigurationError, create_app, urls
from congress.extensions import db, limiter
from congress.mail.models import OutboxMessage
from congress.programme import caching
from congress.registration import services
from congress.urls import external_url, public_base_url, public_domain, webcal_url
from tests.conftest import IsolatedClient
from tests.factories import make_congress, make_session, make_user
from tests.programme.factories import make_speaker, publish
from tests.registration.factories import add_round, form_data, open_congress, registered
from tests.urls_support import BASE, DOMAIN, EVIL

ROOT = Path(__file__).resolve().parent.parent
EVIL_HOST = {"Host": EVIL}
PUBLIC = "https://congres.example.nl"


def _production_settings(tmp_path: Path, app, **overrides) -> dict:
    settings = {key: getattr(ProductionConfig, key) for key in dir(ProductionConfig) if key.isupper()}
    settings.update(
        SECRET_KEY="p" * 48, PUBLIC_BASE_URL=PUBLIC, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        HUEY_SQLITE_PATH=str(tmp_path / "huey.db"), HUEY_IMMEDIATE=True, RATELIMIT_STORAGE_URI="memory://",
        MAIL_SERVER=app.config["MAIL_SERVER"], MAIL_PORT=app.config["MAIL_PORT"],
    )
    settings.update(overrides)
    return settings


# --- congress.urls ------------------------------------------------------------------------------


def test_external_url_in_a_request_ignores_the_host(app):
    with app.test_request_context("/", base_url=f"http://{EVIL}/"):
        assert external_url("accounts.login") == f"{BASE}/login"
        assert public_domain() == DOMAIN


def test_external_url_in_a_job_without_a_request(app):
    assert not has_request_context()
    assert external_url("accounts.login") == f"{BASE}/login"
    assert external_url("public.edition", slug="c-1", _anchor="top") == f"{BASE}/c-1/#top"
    assert webcal_url("accounts.login") == f"webcal://{BASE.split('://', 1)[1]}/login"


def test_external_url_under_a_path_prefix(app):
    old = app.config["PUBLIC_BASE_URL"]
    app.config["PUBLIC_BASE_URL"] = "https://X.nl/congres/"
    try:
        assert public_base_url() == "https://X.nl/congres"
        assert public_domain() == "x.nl"
        assert external_url("accounts.login", next="/a b") == "https://x.nl/congres/login?next=/a+b"
        with app.test_request_context("/", base_url=f"http://{EVIL}/"):
            assert external_url("public.edition", slug="c") == "https://x.nl/congres/c/"
    finally:
        app.config["PUBLIC_BASE_URL"] = old


def test_registration_external_url_is_the_one_from_congress_urls():
    assert services.external_url is urls.external_url


# --- configuration ------------------------------------------------------------------------------


def test_production_refuses_to_start_without_public_base_url(app, tmp_path, restore_extensions):
    for value in (None, "", "congres.example.nl", "ftp://congres.example.nl", "https://x.nl/?a=1"):
        with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL"):
            create_app(_production_settings(tmp_path, app, PUBLIC_BASE_URL=value))


def test_production_without_public_base_url_exits_with_one_line(tmp_path):
    env = {"PATH": "/usr/bin", "CONGRESS_ENV": "production", "SECRET_KEY": "s" * 48,
           "CONGRESS_INSTANCE_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert "PUBLIC_BASE_URL" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_bad_trusted_proxies_value_is_one_line(app, tmp_path, restore_extensions):
    with pytest.raises(ConfigurationError, match="TRUSTED_PROXIES"):
        create_app({**app.config, "TRUSTED_PROXIES": "nginx"})


def test_production_answers_only_its_own_host(app, tmp_path, restore_extensions):
    production = create_app(_production_settings(tmp_path, app, TRUSTED_HOSTS_EXTRA=["10.0.0.5"]))
    assert production.config["TRUSTED_HOSTS"] == ["congres.example.nl", "10.0.0.5"]
    client = production.test_client()
    assert client.get("/healthz", base_url=PUBLIC).status_code == 200
    assert client.get("/healthz", base_url="https://10.0.0.5").status_code == 200
    forged = client.get("/healthz", base_url=PUBLIC, headers=EVIL_HOST)
    assert forged.status_code == 400
    assert EVIL not in forged.get_data(as_text=True)
    # The application's own error page, in the user's language (JSON for the API), not a 500.
    page = client.get("/", base_url=PUBLIC, headers=EVIL_HOST)
    assert page.status_code == 400 and "Ongeldig verzoek" in page.get_data(as_text=True)
    english = client.get("/login?lang=en", base_url=PUBLIC, headers=EVIL_HOST)
    assert english.status_code == 400 and "Bad request" in english.get_data(as_text=True)
    api = client.get("/api/v1/congresses", base_url=PUBLIC, headers=EVIL_HOST)
    assert api.status_code == 400 and api.json["error"]["code"] == 400
    assert client.post("/password/forgot", base_url=PUBLIC, headers=EVIL_HOST,
                       data={"email": "x@example.org"}).status_code == 400
    for response in (page, english, api):
        assert EVIL not in _everything(response)
    assert client.get("/login", base_url=f"https://{EVIL}").status_code == 400
    # The test client's default host is not the public one either.
    assert client.get("/healthz").status_code == 400


def test_development_answers_any_host_but_never_repeats_it(app):
    assert app.config["TRUSTED_HOSTS"] is None


# --- reverse proxy ------------------------------------------------------------------------------


def _link_requests(client, congress, forwarded_for: list[str]) -> list[int]:
    return [client.post(f"/{congress.slug}/register/link", data={"email": "a@example.org"},
                        environ_base={"REMOTE_ADDR": "127.0.0.1"},
                        headers={"X-Forwarded-For": address}).status_code for address in forwarded_for]


def test_behind_one_trusted_proxy_each_client_has_its_own_rate_limit(app, restore_extensions):
    congress = open_congress()
    proxied = create_app({**app.config, "TRUSTED_PROXIES": "1", "REGISTRATION_RATE_LIMIT": "2 per minute"})
    proxied.test_client_class = IsolatedClient
    limiter.reset()
    client = proxied.test_client()
    codes = _link_requests(client, congress, ["203.0.113.1", "203.0.113.1", "203.0.113.1",
                                              "203.0.113.2", "203.0.113.2", "203.0.113.2"])
    assert codes == [302, 302, 429, 302, 302, 429]
    # The proxy appends the real address: what the client wrote in front of it counts for nothing.
    assert _link_requests(client, congress, ["198.51.100.7, 203.0.113.1"]) == [429]


def test_without_trusted_proxies_x_forwarded_for_is_ignored(app, restore_extensions):
    congress = open_congress()
    app.config["REGISTRATION_RATE_LIMIT"] = "2 per minute"
    limiter.reset()
    try:
        codes = _link_requests(app.test_client(), congress, ["203.0.113.1", "203.0.113.2", "203.0.113.3"])
    finally:
        app.config["REGISTRATION_RATE_LIMIT"] = "20 per minute;200 per hour"
    assert codes == [302, 302, 429]


# --- the programme cache and its feeds ----------------------------------------------------------


@pytest.fixture
def programme(app):
    congress = make_congress("hosts-test")
    speaker = make_speaker("Sam Spreker", "sam@example.org")
    sessions = [make_session(congress, title=f"Sessie {i}", start=f"{10 + i}:00", end=f"{10 + i}:45",
                             room_index=i % 2, speakers=[speaker]) for i in range(3)]
    publish(congress, "eerste versie")
    caching.cache.clear()
    return congress, sessions


def _feeds(slug: str) -> list[str]:
    return [f"/{slug}/programme.ics", f"/{slug}/schedule.xml", f"/{slug}/schedule.json",
            f"/{slug}/programme/changes.atom", f"/{slug}/programme", f"/{slug}/programme/changes",
            f"/{slug}/programme/speakers", f"/api/v1/congresses/{slug}/programme", f"/api/v1/congresses/{slug}/rooms",
            f"/api/v1/congresses/{slug}/speakers", f"/api/v1/congresses/{slug}/tracks", "/api/v1/congresses"]


def _uids(body: bytes) -> list[str]:
    return re.findall(r"^UID:(.*?)\r?$", body.decode(), flags=re.M)


def _everything(response) -> str:
    return response.get_data(as_text=True) + "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())


def test_a_forged_host_does_not_poison_the_programme_cache(client, programme):
    congress, sessions = programme
    forged = {url: client.get(url, headers=EVIL_HOST) for url in _feeds(congress.slug)}
    normal = {url: client.get(url) for url in _feeds(congress.slug)}
    for url in _feeds(congress.slug):
        assert forged[url].status_code == normal[url].status_code == 200, url
        for response in (forged[url], normal[url]):
            assert EVIL not in _everything(response), url
        assert forged[url].data == normal[url].data, url  # one cached body for every host
    ics = normal[f"/{congress.slug}/programme.ics"].data.decode()
    assert sorted(_uids(normal[f"/{congress.slug}/programme.ics"].data)) == sorted(
        f"session-{s.id}@{DOMAIN}" for s in sessions)
    assert f"URL:{BASE}/{congress.slug}/programme/sessions/{sessions[0].id}" in ics.replace("\r\n ", "")
    xml = normal[f"/{congress.slug}/schedule.xml"].get_data(as_text=True)
    assert f"<url>{BASE}/{congress.slug}/programme/sessions/{sessions[0].id}</url>" in xml
    atom = normal[f"/{congress.slug}/programme/changes.atom"].get_data(as_text=True)
    assert f"<id>{BASE}/{congress.slug}/programme/changes</id>" in atom
    page = normal[f"/{congress.slug}/programme"].get_data(as_text=True)
    assert f"webcal://{BASE.split('://', 1)[1]}/{congress.slug}/programme.ics" in page


def test_calendar_uids_stay_byte_identical_across_hosts_and_versions(client, programme):
    congress, sessions = programme
    url = f"/{congress.slug}/programme.ics"
    first = _uids(client.get(url, headers=EVIL_HOST).data)
    assert first == _uids(client.get(url, headers={"Host": "127.0.0.1:8000"}).data) == _uids(client.get(url).data)
    sessions[1].title = "Sessie 1 (nieuwe titel)"
    sessions[2].starts_at += timedelta(hours=2)
    sessions[2].ends_at += timedelta(hours=2)
    db.session.commit()
    publish(congress, "tweede versie")
    second = client.get(url, headers={"Host": "other.example:8443"}).data
    assert b"nieuwe titel" in second
    assert sorted(_uids(second)) == sorted(first)
    for session_id in (s.id for s in sessions):
        single = client.get(f"/{congress.slug}/programme/sessions/{session_id}.ics", headers=EVIL_HOST).data
        assert _uids(single) == [f"session-{session_id}@{DOMAIN}"]


def test_conditional_requests_still_answer_304(client, programme):
    congress, _ = programme
    url = f"/{congress.slug}/schedule.json"
    first = client.get(url)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    # If-None-Match wins over If-Modified-Since.
    assert client.get(url, headers={"If-None-Match": '"other"', "If-Modified-Since": last_modified}).status_code == 200
    not_modified = client.get(url, headers={"If-None-Match": etag, **EVIL_HOST})
    assert not_modified.status_code == 304 and not_modified.headers["ETag"] == etag


def test_the_personal_agenda_uses_the_configured_domain(client):
    congress = open_congress()
    _, (small, _big) = add_round(congress)
    result = registered(congress, [small.id], n=1, confirmed=True)
    agenda = client.get(f"/my/{result.link}/agenda.ics", headers=EVIL_HOST)
    assert _uids(agenda.data) == [f"session-{small.id}@{DOMAIN}"]
    page = client.get(f"/my/{result.link}", headers=EVIL_HOST)
    assert EVIL not in _everything(agenda) and EVIL not in _everything(page)
    assert f"webcal://{BASE.split('://', 1)[1]}/my/{result.link}/agenda.ics" in page.get_data(as_text=True)


# --- mails --------------------------------------------------------------------------------------


def _outbox_texts() -> list[str]:
    return [m.body_text + m.body_html for m in db.session.scalars(sa.select(OutboxMessage))]


def test_password_reset_mail_links_on_public_base_url_despite_a_forged_host(client, mailbox):
    user = make_user("organiser", email="reset@example.org")
    response = client.post("/password/forgot", data={"email": user.email}, headers=EVIL_HOST)
    assert response.status_code == 302 and EVIL not in response.headers["Location"]
    assert len(mailbox) == 1
    text = mailbox[0].get_body(preferencelist=("plain",)).get_content()
    html = mailbox[0].get_body(preferencelist=("html",)).get_content()
    assert re.search(re.escape(BASE) + r"/password/reset/[\w-]+", text)
    assert EVIL not in text and EVIL not in html and EVIL not in str(mailbox[0])
    assert all(EVIL not in body for body in _outbox_texts())


def test_send_me_my_link_mail_links_on_public_base_url_despite_a_forged_host(client, mailbox):
    congress = open_congress()
    registered(congress, n=77, confirmed=True)
    mailbox.clear()
    response = client.post(f"/{congress.slug}/register/link", data={"email": "deelnemer77@example.org"},
                           headers=EVIL_HOST)
    assert response.status_code == 302
    assert len(mailbox) == 1
    text = mailbox[0].get_body(preferencelist=("plain",)).get_content()
    assert re.search(re.escape(BASE) + r"/my/[\w-]+", text)
    assert EVIL not in str(mailbox[0])
    assert all(EVIL not in body for body in _outbox_texts())


def test_registration_mail_composed_by_the_worker_links_on_public_base_url(client, mailbox):
    congress = open_congress()
    response = client.post(f"/{congress.slug}/register", data=form_data(congress, 88), headers=EVIL_HOST)
    assert response.status_code == 302
    assert len(mailbox) == 1
    text = mailbox[0].get_body(preferencelist=("plain",)).get_content()
    assert re.search(re.escape(BASE) + r"/my/[\w-]+", text)
    assert EVIL not in str(mailbox[0])


# --- security.txt -------------------------------------------------------------------------------


def _fields(text: str) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for line in text.splitlines():
        name, _, value = line.partition(": ")
        fields.setdefault(name, []).append(value)
    return fields


def test_security_txt(client):
    response = client.get("/.well-known/security.txt", headers=EVIL_HOST)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    text = response.get_data(as_text=True)
    assert EVIL not in _everything(response)
    fields = _fields(text)
    assert set(fields) == {"Contact", "Expires", "Preferred-Languages", "Canonical"}
    assert fields["Preferred-Languages"] == ["nl, en"]
    assert fields["Canonical"] == [f"{BASE}/.well-known/security.txt"]
    assert len(fields["Expires"]) == 1
    expires = datetime.strptime(fields["Expires"][0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    now = datetime.now(UTC)
    assert now < expires <= now + timedelta(days=365)
    # Development's base is an address, not a domain: the organisers' sending address is the contact.
    assert fields["Contact"] == ["mailto:congres@example.org"]


def test_security_txt_contact_from_configuration(app, client):
    old = app.config["PUBLIC_BASE_URL"], app.config["SECURITY_CONTACT"]
    try:
        app.config["PUBLIC_BASE_URL"] = PUBLIC
        assert _fields(client.get("/.well-known/security.txt").get_data(as_text=True))["Contact"] == [
            "mailto:security@congres.example.nl"]
        app.config["SECURITY_CONTACT"] = "cert@gemeente.example, https://gemeente.example/melden"
        fields = _fields(client.get("/.well-known/security.txt").get_data(as_text=True))
        assert fields["Contact"] == ["mailto:cert@gemeente.example", "https://gemeente.example/melden"]
        assert fields["Canonical"] == [f"{PUBLIC}/.well-known/security.txt"]
    finally:
        app.config["PUBLIC_BASE_URL"], app.config["SECURITY_CONTACT"] = old


# --- no page repeats a forged host --------------------------------------------------------------


def test_no_public_page_repeats_a_forged_host(client, programme):
    congress, sessions = programme
    for url in ("/", f"/{congress.slug}/", "/login", "/password/forgot", "/kennisbank/", "/kennisbank/feed.atom",
                f"/{congress.slug}/programme/sessions/{sessions[0].id}", "/does-not-exist/",
                "/api/v1/openapi.json", "/.well-known/security.txt"):
        response = client.get(url, headers=EVIL_HOST)
        assert response.status_code < 500, url
        assert EVIL not in _everything(response), url


# --- another edition's back office (roles per edition, issue 14) ---------------------------------
# The url_map walk of tests/test_security.py proves that every endpoint refuses the wrong roles; this
# one proves that every back-office endpoint of an edition (its URL names it by slug, or by an object
# of that edition) refuses the right role held for another edition.

from congress.accounts import services as accounts  # noqa: E402
from congress.accounts.models import Role  # noqa: E402
from congress.archive import services as archive  # noqa: E402
from tests.test_security import guarded_endpoints  # noqa: E402

# Roles held per edition (admins hold every edition; speakers' role is not one of an edition).
PER_EDITION = (Role.ORGANISER.value, Role.TRACK_MANAGER.value, Role.REVIEWER.value, Role.CHECKIN.value)
# Endpoints reached by an object id alone, with the object of the other edition they are walked with.
BY_OBJECT = ("archive_manage.",)


def _edition_url(rule, slug: str, object_id: int) -> str:
    def replace(match: re.Match) -> str:
        converter, name = (match.group(1) or "default").split("(")[0], match.group(2)
        if name == "slug":
            return slug
        return str(object_id) if converter == "int" else "sample"

    return re.sub(r"<(?:([a-z]+(?:\([^)]*\))?):)?([a-z_]+)>", replace, rule.rule)


def _staff_of(congress, role: str):
    user = make_user(email=f"{role}-{congress.slug}@example.org")
    accounts.grant_role(user, role, congress_ids=(congress.id,),
                        track_ids=(congress.tracks[0].id,) if role == Role.TRACK_MANAGER.value else ())
    db.session.commit()
    return user


def test_every_back_office_endpoint_of_an_edition_refuses_staff_of_another_edition(app):
    mine, other = make_congress("mijn-editie"), make_congress("andere-editie")
    item = archive.create_item("nieuws", "Bericht van de andere editie", congress_id=other.id)
    db.session.commit()
    staff = {role: _staff_of(mine, role) for role in PER_EDITION}
    walked = set()
    for rule, method, view in guarded_endpoints(app):
        roles = set(getattr(view, "required_roles", ())) & set(PER_EDITION)
        by_object = rule.endpoint.startswith(BY_OBJECT) and "<int:item_id>" in rule.rule
        if not roles or ("<slug>" not in rule.rule and not by_object):
            continue
        walked.add(rule.endpoint)
        url = _edition_url(rule, other.slug, item.id)
        for role in sorted(roles):
            response = app.test_client(user=staff[role]).open(url, method=method)
            assert response.status_code == 403, (rule.rule, role, response.status_code)
        # The same person passes the guard of their own edition (the view may still say 404 for the ids).
        own = _edition_url(rule, mine.slug, 2**31 - 1)
        for role in sorted(roles):
            response = app.test_client(user=staff[role]).open(own, method=method)
            assert response.status_code != 403 or rule.endpoint in VIEW_RULES_REFUSE, (own, role)
    # The walk saw the back office of every capability that has one.
    prefixes = {endpoint.split(".")[0] for endpoint in walked}
    assert {"programme", "registration_manage", "cfp", "badges", "checkin", "archive_manage"} <= prefixes, prefixes


# Endpoints whose own rules may still refuse a role the guard let in (a reviewer ranks nothing, …).
VIEW_RULES_REFUSE: set[str] = {
    "manage.cockpit.csv",  # check-in staff download only the day lists' figures (?part=headcount|catering)
}


def test_admins_and_staff_of_every_edition_pass_the_edition_check(app):
    other = make_congress("andere-editie")
    for user in (make_user(Role.ADMIN.value), make_user(Role.ORGANISER.value)):
        assert app.test_client(user=user).get(f"/manage/programme/{other.slug}/").status_code == 200
        assert app.test_client(user=user).get(f"/manage/checkin/{other.slug}/scan").status_code == 200


def test_a_missing_or_hostile_edition_slug_is_not_found_not_an_error(app):
    user = make_user(Role.ORGANISER.value)
    client = app.test_client(user=user)
    for slug in ("bestaat-niet", "%00", "a" * 500, "%F0%9F%98%80"):
        assert client.get(f"/manage/programme/{slug}/").status_code == 404, slug
