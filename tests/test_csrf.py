"""CSRF on every state-changing route, enumerated from ``app.url_map``.

With ``WTF_CSRF_ENABLED`` on, each POST/PUT/PATCH/DELETE rule outside the exemptions below is sent
without a token by a client signed in with a role that may use it, with path arguments that name real
objects: it must answer 400 with the error page, and the database must not change. The same request
with CSRF switched off must then reach the view (not 400/401/403/404/405), which proves that the
refusal came from the missing token and not from a wrong argument or role. A rule that is neither
protected nor listed as exempt, or a rule whose path arguments the test cannot fill, fails the test.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask, url_for

from congress.accounts import services as accounts
from congress.accounts.models import Passkey
from congress.archive import recordings
from congress.archive import services as archive
from congress.archive.models import SpeakerInvitation
from congress.badges import services as badges
from congress.cfp import services as cfp
from congress.checkin import services as checkin
from congress.core import services as core
from congress.core.models import Person
from congress.database import utcnow
from congress.extensions import csrf, db
from congress.invitations import services as invitations
from congress.invitations.importing import import_contacts
from congress.invitations.links import secret_of
from congress.invitations.models import Invitee
from congress.mail import services as mail
from congress.registration import services as registration
from congress.registration.models import Registration
from tests.archive.factories import captions_vtt, make_item, minimal_pdf
from tests.cfp.factories import make_proposal, make_speaker, open_call
from tests.factories import make_session, make_user
from tests.invitations.support import contacts, csv_bytes
from tests.mail.test_outbox import failed_message
from tests.registration.factories import add_round, form_data, open_congress, registered

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}

# The only routes that take no CSRF token, and why. Each exemption's own protection is tested below.
EXEMPT_BLUEPRINTS = {
    # /api/v1: bearer tokens, not cookies, authenticate writes; a browser never sends one by itself
    # (test_api_ignores_the_session_cookie).
    "api", "archive_api", "badges_api", "cfp_api", "checkin_api", "programme_api", "registration_api",
}
# Read-only machine endpoints, where a POST is only another way to send a query (OAI-PMH allows both):
# nothing to forge (tests/opendata/test_oai.py::test_get_and_post_give_the_same_answer).
READ_ONLY_EXEMPT = {"opendata.oai_pmh"}
# The one-click unsubscribe of RFC 8058: mail clients POST it without a session (its signed token is
# its protection; tests/communications/test_mailings.py).
EXEMPT_ENDPOINTS: set[str] = READ_ONLY_EXEMPT | {"communications.unsubscribe.one_click"}

# Run last in the control pass: they remove or spend what other routes' arguments point at.
DESTRUCTIVE = ("delete", "erase", "cancel", "revoke", "withdraw", "undo", "logout", "restore", "join",
               "decision", "verify", "reset_password", "accept_invitation", "contribute", "confirm", "conflict")


def exempt(rule) -> bool:
    blueprint = rule.endpoint.rsplit(".", 1)[0] if "." in rule.endpoint else ""
    return rule.endpoint in EXEMPT_ENDPOINTS or blueprint in EXEMPT_BLUEPRINTS or rule.rule.startswith("/api/")


def state_changing_rules(app: Flask) -> list:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.methods & STATE_CHANGING and not exempt(r)),
        key=lambda r: (any(word in r.endpoint for word in DESTRUCTIVE), r.rule),
    )


@dataclass
class World:
    """One edition with an object behind every kind of path argument, and the users who may act."""

    args: dict[str, object] = field(default_factory=dict)
    per_endpoint: dict[str, dict[str, object]] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)

    def values(self, rule) -> dict[str, object]:
        values = {**self.args, **self.per_endpoint.get(rule.endpoint, {})}
        missing = set(rule.arguments) - set(values)
        assert not missing, f"{rule.rule}: no test value for {sorted(missing)}; add one to build_world()"
        return {name: values[name] for name in rule.arguments}

    def user_for(self, rule, view):
        if rule.endpoint == "cfp.join":
            return self.users["co_speaker"]
        if rule.endpoint in ("cfp.manage.review", "cfp.manage.conflict"):
            return self.users["reviewer"]
        if rule.rule.startswith("/speaker/") and rule.endpoint not in ("cfp.signup", "cfp.verify"):
            return self.users["speaker"]
        if hasattr(view, "required_roles"):
            return self.users["admin"]
        if rule.endpoint == "accounts.logout":
            return self.users["admin"]
        return None


def build_world(app: Flask) -> World:
    world = World()
    congress = open_congress("csrf-congres")
    signup_round, sessions = add_round(congress, capacities=(30, 30))
    session = make_session(congress, start="14:00", end="15:00")
    regs = [registered(congress, [sessions[0].id], name=f"Bezoeker {i}", email=f"csrf{i}@example.org",
                       confirmed=True) for i in range(4)]
    for result in regs:
        badges.issue_code(result.registration)
    question = registration.add_question(congress, kind="short_text", label_nl="Vraag", label_en="Question")
    station, _ = checkin.create_station(congress, "Deur")
    db.session.commit()
    code = badges.issue_code(regs[0].registration)
    db.session.commit()
    with app.test_request_context():
        # At the door 3 hours ago: before the first workshop (moved to 2 hours ago below) on any clock, also
        # when "2 hours ago" is yesterday in Amsterdam (the door counts on or before the session's day).
        checkin.scan(checkin.Scan(code=code, congress=congress, scanned_at=utcnow() - timedelta(hours=3)))
    checkin_row = db.session.scalar(sa.text("SELECT id FROM checkins ORDER BY id LIMIT 1"))

    admin = make_user("admin", email="csrf-admin@example.org")
    passkey = Passkey(user_id=admin.id, name="Laptop", credential_id="Y3NyZi1wYXNza2V5", public_key=b"cose")
    db.session.add(passkey)
    db.session.commit()
    with app.test_request_context():
        open_call(congress)
        speaker = make_speaker(email="csrf-speaker@example.org")
        co_speaker = make_speaker(email="csrf-co@example.org", name="Co Spreker")
        proposal = make_proposal(congress, speaker)
        accepted = make_proposal(congress, speaker, title="Aanvaard voorstel")
        cfp.invite_co_speaker(proposal, speaker, co_speaker.email, "nl")
        reviewer = make_user("reviewer", email="csrf-reviewer@example.org")
        cfp.assign_reviewer(congress, admin, reviewer, proposal=proposal)
        db.session.commit()
    join_secret = "j" * 43
    invitation = cfp.pending_invitations(proposal)[0]
    invitation.token_hash = accounts.hash_secret(join_secret)
    decision_secret = "d" * 43
    accepted.status = "accepted"
    accepted.confirm_token_hash = accounts.hash_secret(decision_secret)
    db.session.commit()  # services refuse a session with changes made outside them

    staff = make_user("organiser", email="csrf-staff@example.org")
    reset_secret = accounts.issue_account_token(staff, accounts.PURPOSE_RESET, timedelta(hours=1))
    invite_secret = accounts.issue_account_token(staff, accounts.PURPOSE_INVITE, timedelta(days=1))
    unverified = make_user("speaker", email="csrf-new@example.org")
    verify_secret = accounts.issue_account_token(unverified, cfp.PURPOSE_VERIFY, timedelta(days=1))
    api_token = accounts.create_api_token("csrf", "read").token
    db.session.commit()
    failed_mail = failed_message("csrf-failed@example.org")  # the outbox: one to retry, one to send again
    sent_mail = mail.queue_mail("csrf-sent@example.org", "password_reset", user=None, link="https://x/r", hours=2)
    db.session.commit()

    item = make_item("CSRF-item")
    archive.add_file(item, io.BytesIO(minimal_pdf()), "verslag.pdf")
    archive.update_item(item, note="tweede versie", summary="Nieuwe samenvatting")
    recording = recordings.add_recording(item, url="https://video.congres.example/v/csrf",
                                         captions={"nl": captions_vtt("nl")})
    db.session.commit()
    draft = make_item("CSRF-concept", status="draft")
    synonym = archive.save_synonym("jongeren, jeugd")
    person = Person(name="Archief Spreker", email="csrf-archive@example.org")
    db.session.add(person)
    session.speakers.append(person)  # a speaker of the edition: the organisers' speaker profile
    contribute_secret = "c" * 43
    db.session.add(SpeakerInvitation(item=draft, person=person, email=person.email,
                                     token_hash=accounts.hash_secret(contribute_secret),
                                     expires_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    from congress.communications import mailings  # noqa: PLC0415 - the mailings' draft and unsubscribe token
    from congress.communications.unsubscribe import token_for  # noqa: PLC0415

    mailing = mailings.create_mailing(congress, mailings.Draft(mailings.Audience(status="confirmed"), "Hallo", "Tekst"))
    db.session.commit()
    invitation_list = invitations.create_list(congress, "Focusgemeenten")
    from congress.communications import schedules  # noqa: PLC0415 - two scheduled mails: one to delete

    scheduled, doomed = (schedules.create_rule(congress, schedules.default_rule("before_start")).id for _ in "ab")
    report = import_contacts(congress, "genodigden.csv", csv_bytes(contacts(1)), "Focusgemeenten")
    invitee_secret = secret_of(db.session.get(Invitee, report.invitee_ids[0]))
    from congress.certificates import services as certificates  # noqa: PLC0415 - the accreditation to delete

    accreditation = certificates.add_accreditation(congress, register="SKJ", number="SKJ-1", basis="day",
                                                   points=Decimal(4), unit_hundredths=100)
    # The participants' network: regs[1] and regs[2] joined, regs[2] wrote to regs[1], who reported it.
    from congress.network import services as network  # noqa: PLC0415 - a message, its report

    for result in regs[1:3]:
        registration.set_network_consent(result.registration, True)
    network_message = network.send_message(regs[2].registration, regs[1].registration.id, "Hallo")
    network_report = network.report(regs[1].registration, network_message.id, "test")
    db.session.commit()
    # The evaluation: regs[0] was checked in at the door and the first workshop's room has no station, so it
    # counts as attended once the workshop has ended.
    sessions[0].starts_at, sessions[0].ends_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1)
    db.session.commit()

    faq = core.add_faq(congress, question_nl="Wat kost het?", answer_nl="Niets.")
    db.session.commit()

    world.users = {"admin": admin, "speaker": speaker, "co_speaker": co_speaker, "reviewer": reviewer}
    world.args = {
        "slug": congress.slug,
        "secret": regs[1].link,
        "registration_id": regs[2].registration.id,
        "proposal_id": proposal.id,
        "checkin_id": checkin_row,
        "station_id": station.id,
        "item_id": item.id,
        "synonym_id": synonym.id,
        "file_id": item.files[0].id,
        "recording_id": recording.id,
        "number": 1,
        "room_id": congress.rooms[0].id,
        "round_id": signup_round.id,
        "session_id": session.id,
        "track_id": congress.tracks[0].id,
        "question_id": question.id,
        "target": "registration",  # the questions editor's form
        "token_id": api_token.id,
        "user_id": staff.id,  # the staff pages (roles per edition)
        "grant_id": staff.grants[0].id,
        "message_id": failed_mail,
        "mailing_id": mailing.id,
        "list_id": invitation_list.id,
        "rule_id": scheduled,
        "token": token_for("csrf1@example.org"),
        "accreditation_id": accreditation.id,
        "passkey_id": passkey.id,
        "report_id": network_report.id,
        "faq_id": faq.id,
    }
    world.per_endpoint = {
        "accounts.reset_password": {"token": reset_secret},
        "accounts.accept_invitation": {"token": invite_secret},
        "cfp.verify": {"token": verify_secret},
        "cfp.join": {"token": join_secret},
        "cfp.decision": {"token": decision_secret},
        "archive.contribute": {"token": contribute_secret},
        "registration.erase": {"secret": regs[3].link},
        "registration.cancel": {"secret": regs[3].link},
        "manage.outbox_resend": {"message_id": sent_mail.id},
        "invitations.respond": {"secret": invitee_secret},
        "communications.schedules.delete": {"rule_id": doomed},
        "evaluations.evaluate": {"secret": regs[0].link, "session_id": sessions[0].id},
        "communications.mail_texts.edit": {"kind": "registration.link", "locale": "nl"},
        "communications.mail_texts.reset": {"kind": "registration.link", "locale": "en"},
        "network.report": {"message_id": network_message.id},
        "archive_manage.recordings.act": {"action": "unpublish"},
        "archive_manage.recordings.remove_captions": {"language": "nl"},
        "programme_speakers.edit_speaker": {"person_id": person.id},
    }
    return world


def fingerprint() -> str:
    """A digest of every row of every table: equal digests, nothing written."""
    digest = hashlib.sha256()
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            rows = conn.execute(sa.select(table)).all()
            digest.update(table.name.encode())
            for row in sorted(repr(tuple(r)) for r in rows):
                digest.update(row.encode())
    return digest.hexdigest()


def client_for(app: Flask, user):
    return app.test_client(user=user) if user is not None else app.test_client()


@pytest.fixture
def csrf_on(app: Flask):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def check_routes(app: Flask, world: World, only: str | None = None) -> list[str]:
    """Refusals first for every route (nothing may change), then the controls; returns the failures."""
    failures = []
    rules = [r for r in state_changing_rules(app) if only is None or r.endpoint == only]
    urls = {}
    with app.test_request_context():
        for rule in rules:
            urls[id(rule)] = url_for(rule.endpoint, **world.values(rule))
    for rule in rules:
        method = sorted(rule.methods & STATE_CHANGING)[0]
        view = app.view_functions[rule.endpoint]
        client = client_for(app, world.user_for(rule, view))  # signing in writes its session row: before the digest
        before = fingerprint()
        app.config["WTF_CSRF_ENABLED"] = True
        response = client.open(urls[id(rule)], method=method, data={"x": "1"})
        db.session.expire_all()
        if response.status_code != 400:
            failures.append(f"{method} {rule.rule} ({rule.endpoint}) without a CSRF token: {response.status_code}")
            continue
        html = response.get_data(as_text=True)
        if "<html" not in html or "Ongeldig verzoek" not in html or "Dit formulier is verlopen" not in html:
            failures.append(f"{method} {rule.rule}: the 400 is not the error page")
        if fingerprint() != before:
            failures.append(f"{method} {rule.rule}: refused, yet the database changed")
    app.config["WTF_CSRF_ENABLED"] = False
    for rule in rules:
        method = sorted(rule.methods & STATE_CHANGING)[0]
        view = app.view_functions[rule.endpoint]
        response = client_for(app, world.user_for(rule, view)).open(urls[id(rule)], method=method, data={"x": "1"})
        db.session.expire_all()
        if response.status_code in (400, 401, 403, 404, 405) or response.status_code >= 500:
            failures.append(f"control {method} {rule.rule} ({urls[id(rule)]}): {response.status_code}, "
                            "so the refusal above proves nothing; fix the test's arguments or user")
    return failures


def test_every_state_changing_route_refuses_a_request_without_csrf_token(app):
    world = build_world(app)
    rules = state_changing_rules(app)
    assert len(rules) >= 60, f"only {len(rules)} state-changing routes found: the enumeration is broken"
    try:
        failures = check_routes(app, world)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert not failures, "\n".join(failures)


def test_a_route_without_csrf_fails_the_walk(app):
    """Exempting one form (as a new route without CSRF would be) makes the walk report it."""
    world = build_world(app)
    view = app.view_functions["registration.cancel"]
    name = f"{view.__module__}.{view.__name__}"
    csrf._exempt_views.add(name)
    try:
        failures = check_routes(app, world, only="registration.cancel")
    finally:
        csrf._exempt_views.discard(name)
        app.config["WTF_CSRF_ENABLED"] = False
    assert any("/my/<secret>/cancel" in f and "without a CSRF token" in f for f in failures), failures


def test_the_refusal_is_in_english_with_lang_en(app, csrf_on):
    response = app.test_client().post("/login?lang=en", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    assert "Bad request" in response.get_data(as_text=True)
    assert "This form has expired" in response.get_data(as_text=True)
    api_like = app.test_client().post("/login", headers={"Accept": "application/json"}, data={})
    assert api_like.status_code == 400 and api_like.json["error"]["code"] == 400


def test_api_ignores_the_session_cookie(app, admin):
    """The API is exempt from CSRF because a signed-in browser's cookie does not authenticate it."""
    congress = open_congress("csrf-api")
    client = app.test_client(user=admin)
    assert client.get("/manage/").status_code == 200  # the cookie is good for the pages
    body = {k: v for k, v in form_data(congress).items() if k != "sector"}
    body["consent_privacy"] = True
    response = client.post(f"/api/v1/congresses/{congress.slug}/registrations", json=body)
    assert response.status_code == 401
    response = client.post("/api/v1/checkins", json={"code": "C1X", "nonce": "n1"})
    assert response.status_code == 401
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_the_exemption_list_names_only_api_blueprints(app):
    """No page outside /api/ is exempt but the listed endpoints; each exempt blueprint has only
    bearer-token views."""
    for rule in app.url_map.iter_rules():
        if not rule.methods & STATE_CHANGING or not exempt(rule) or rule.endpoint in EXEMPT_ENDPOINTS:
            continue
        assert rule.rule.startswith("/api/"), rule.rule
        view = app.view_functions[rule.endpoint]
        assert hasattr(view, "required_scope"), f"{rule.rule} is exempt from CSRF but takes no bearer token"
    listed = {f"{app.view_functions[e].__module__}.{app.view_functions[e].__name__}" for e in EXEMPT_ENDPOINTS}
    assert csrf._exempt_views == listed, f"views exempt from CSRF outside the list: {csrf._exempt_views - listed}"
    exempted = {bp.name for bp in csrf._exempt_blueprints}
    assert exempted <= EXEMPT_BLUEPRINTS, f"blueprints exempt from CSRF, not listed: {exempted - EXEMPT_BLUEPRINTS}"
    assert all(rule.rule.startswith("/api/") for rule in app.url_map.iter_rules()
               if rule.endpoint.rsplit(".", 1)[0] in exempted)
