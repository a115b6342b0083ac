"""Security headers, CSRF, and the url_map walk that proves every endpoint is guarded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from lxml import html as lxml_html

from config import TestConfig
from congress import create_app
from congress.accounts.models import Role, TokenScope
from congress.accounts.services import create_api_token
from tests.factories import PASSWORD, make_session, make_user
from tests.urls_support import BASE

# Endpoints anyone may open. Everything else must carry a guard (roles_required/token_required).
PUBLIC_ENDPOINTS = {
    "security_txt",
    "static",
    "vendor",
    "public.index",
    "public.edition",
    "public.healthz",
    "public.readyz",
    "metrics",  # guards itself: a `read` API token or a client of METRICS_ALLOW_NETWORKS (tests/test_metrics.py)
    "public.sitemap",
    "public.sitemap_part",
    "public.robots",
    "accounts.login",
    "accounts.login_code",
    "accounts.logout",
    "accounts.forgot_password",
    "accounts.reset_password",
    "accounts.accept_invitation",
    "api.openapi",
    "api.congresses",
}

# Capabilities list their own public endpoints in tests/<capability>/public_endpoints.py.
for _listing in sorted(Path(__file__).parent.glob("*/public_endpoints.py")):
    _namespace: dict = {}
    exec(compile(_listing.read_text(), str(_listing), "exec"), _namespace)
    PUBLIC_ENDPOINTS |= set(_namespace["PUBLIC_ENDPOINTS"])

SAMPLE_VALUES = {"int": "1", "default": "sample", "path": "sample"}


def sample_url(rule) -> str:
    def replace(match: re.Match) -> str:
        converter = (match.group(1) or "default").split("(")[0]
        return SAMPLE_VALUES.get(converter, "sample")

    return re.sub(r"<(?:([a-z]+(?:\([^)]*\))?):)?[a-z_]+>", replace, rule.rule)


def guarded_endpoints(app: Flask) -> list[tuple]:
    """Every (rule, method, view) not on the public list; fails on a view without a guard."""
    found = []
    unguarded = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        view = app.view_functions[rule.endpoint]
        if not hasattr(view, "required_roles") and not hasattr(view, "required_scope"):
            unguarded.append(rule.endpoint)
            continue
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        found.append((rule, method, view))
    assert not unguarded, f"endpoints without a guard and not on the public list: {unguarded}"
    return found


def test_every_non_public_endpoint_refuses_anonymous_and_wrong_roles(app, client):
    users = {role.value: make_user(role.value) for role in Role}
    endpoints = guarded_endpoints(app)
    assert endpoints, "no guarded endpoints found"
    for rule, method, view in endpoints:
        url = sample_url(rule)
        anonymous = client.open(url, method=method)
        if hasattr(view, "required_scope"):
            assert anonymous.status_code == 401, (rule.rule, anonymous.status_code)
            continue
        assert anonymous.status_code in (302, 401), (rule.rule, anonymous.status_code)
        if anonymous.status_code == 302:
            assert "/login" in anonymous.headers["Location"]
        allowed = set(view.required_roles) | {Role.ADMIN.value}
        for role, user in users.items():
            if role in allowed:
                continue
            as_user = app.test_client(user=user)
            response = as_user.open(url, method=method)
            assert response.status_code == 403, (rule.rule, role, response.status_code)


def test_token_endpoints_refuse_tokens_of_another_scope(app):
    endpoints = [(r, m, v) for r, m, v in guarded_endpoints(app) if hasattr(v, "required_scope")]
    tokens = {scope.value: create_api_token(f"t-{scope.value}", scope.value).secret for scope in TokenScope}
    client = app.test_client()
    for rule, method, view in endpoints:
        for scope, secret in tokens.items():
            if scope == view.required_scope or view.required_scope == TokenScope.READ.value:
                continue  # every token may read
            response = client.open(sample_url(rule), method=method, headers={"Authorization": f"Bearer {secret}"})
            assert response.status_code == 403, (rule.rule, scope)


def test_the_walk_catches_an_unguarded_endpoint(app):
    """Adding a view without a guard makes the protection test fail."""
    settings = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    settings["SQLALCHEMY_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"]
    other = create_app(settings)
    other.add_url_rule("/manage/oops", "oops", lambda: "secret")
    with pytest.raises(AssertionError, match="oops"):
        guarded_endpoints(other)


def test_security_headers_on_every_response(client, congress):
    for url in ("/", f"/{congress.slug}/", "/login", "/does-not-exist/", "/api/v1/openapi.json"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_session_cookie_flags(client):
    response = client.get("/?lang=en")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_csrf_is_required_on_forms(app, organiser):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        response = client.post("/login", data={"email": organiser.email, "password": "x" * 12})
        assert response.status_code == 400
        response = client.post("/logout")
        assert response.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_login_rejects_open_redirect(client, organiser):
    response = client.post("/login?next=https://evil.example/", data={"email": organiser.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/manage")


def test_no_page_loads_anything_from_another_host(client, congress):
    make_session(congress)
    for url in ("/", f"/{congress.slug}/", "/login", "/password/forgot", "/nope/"):
        page = lxml_html.fromstring(client.get(url).data)
        for element in page.iter():
            for name in ("src", "href", "action"):
                value = element.get(name)
                if value is None:
                    continue
                if element.tag == "link" and element.get("rel") in ("canonical", "alternate"):
                    # Names the page for search engines (absolute by their rules, on the configured
                    # base) or its feeds; loads nothing.
                    assert not re.match(r"^(https?:)?//", value) or value.startswith(BASE + "/"), (url, value)
                    continue
                assert not re.match(r"^(https?:)?//", value), (url, value)


def test_a_session_between_password_and_code_reaches_no_guarded_endpoint(app):
    """Enrolled, password given, code not yet: every guarded endpoint answers as to a visitor."""
    import pyotp  # noqa: PLC0415

    from congress.accounts import mfa  # noqa: PLC0415

    user = make_user(Role.ADMIN.value)
    secret = mfa.new_secret()
    mfa.enrol(user, secret, pyotp.TOTP(secret).now())
    halfway = app.test_client()
    assert halfway.post("/login", data={"email": user.email, "password": PASSWORD}).headers["Location"] == "/login/code"
    for rule, method, view in guarded_endpoints(app):
        response = halfway.open(sample_url(rule), method=method)
        if hasattr(view, "required_scope"):
            assert response.status_code == 401, (rule.rule, response.status_code)
            continue
        assert response.status_code in (302, 401), (rule.rule, response.status_code)
        if response.status_code == 302:
            assert "/login" in response.headers["Location"], rule.rule


def test_a_session_between_password_and_passkey_reaches_no_guarded_endpoint(app):
    """A passkey as the only second factor, password given, passkey not yet: every guarded endpoint
    (the passkey endpoints of /account/security too) answers as to a visitor; only the sign-in with
    the passkey answers, with its options."""
    from tests.accounts.test_passkeys import REGISTER, REGISTER_OPTIONS, SIGN_IN_OPTIONS, with_passkey  # noqa: PLC0415

    user = make_user(Role.ADMIN.value)
    with_passkey(app, user)
    halfway = app.test_client()
    assert halfway.post("/login", data={"email": user.email, "password": PASSWORD}).headers["Location"] == "/login/code"
    endpoints = guarded_endpoints(app)
    assert {"accounts.passkey_register_options", "accounts.passkey_register", "accounts.passkey_remove"} <= \
        {rule.endpoint for rule, _method, _view in endpoints}
    for rule, method, view in endpoints:
        response = halfway.open(sample_url(rule), method=method)
        if hasattr(view, "required_scope"):
            assert response.status_code == 401, (rule.rule, response.status_code)
            continue
        assert response.status_code in (302, 401), (rule.rule, response.status_code)
        if response.status_code == 302:
            assert "/login" in response.headers["Location"], rule.rule
    for url in (REGISTER_OPTIONS, REGISTER):  # as JSON, too: 401, no options, nothing stored
        assert halfway.post(url, json={}, headers={"Accept": "application/json"}).status_code == 401
    assert "challenge" in halfway.post(SIGN_IN_OPTIONS).get_json()


def test_a_session_that_must_enrol_reaches_only_the_enrolment(app):
    """A role in MFA_REQUIRED_ROLES without a second factor: every guarded staff endpoint but the
    enrolment sends it there (303), GET and POST alike."""
    from congress.accounts.access import ENROLMENT_ENDPOINTS  # noqa: PLC0415

    app.config["MFA_REQUIRED_ROLES"] = "admin,organiser"
    user = make_user(Role.ADMIN.value)
    browser = app.test_client()
    assert browser.post("/login", data={"email": user.email, "password": PASSWORD}).headers["Location"] == \
        "/account/security"
    checked = 0
    for rule, method, view in guarded_endpoints(app):
        if hasattr(view, "required_scope") or rule.endpoint in ENROLMENT_ENDPOINTS:
            continue
        response = browser.open(sample_url(rule), method=method)
        assert response.status_code == 303, (rule.rule, method, response.status_code)
        assert response.headers["Location"] == "/account/security", rule.rule
        checked += 1
    assert checked > 50
    assert browser.get("/account/security").status_code == 200
