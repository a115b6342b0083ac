"""The acceptance walkthrough, through HTTP as each person would do it."""

from __future__ import annotations

import re

import sqlalchemy as sa

from congress.accounts import services as accounts
from congress.cfp import services
from congress.cfp.models import Proposal, ProposalStatus
from congress.extensions import db
from congress.mail.models import OutboxMessage
from congress.programme.models import ProgrammeSession
from congress.registration import services as registration
from tests.cfp.factories import open_call
from tests.factories import make_user


def _link(mailbox, to: str, pattern: str) -> str:
    for message in reversed(mailbox):
        if message["To"] == to:
            body = message.get_body(("plain",)).get_content()
            found = re.search(pattern, body)
            if found:
                return found.group(0)
    raise AssertionError(f"no mail to {to} with {pattern}")


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_call_to_programme_walkthrough(app, client, congress, organiser, mailbox, monkeypatch):
    # The organiser opens the call.
    organiser_client = app.test_client(user=organiser)
    open_call(congress)
    page = client.get(f"/{congress.slug}/cfp")
    assert page.status_code == 200
    assert "Wij zoeken methoden" in page.get_data(as_text=True)

    # A speaker signs up, verifies the address and sets a password.
    response = client.post("/speaker/signup", data={"name": "Sanne Spreker", "email": "sanne@example.org"})
    assert response.status_code == 200
    verify = _path(_link(mailbox, "sanne@example.org", r"https?://\S+/speaker/verify/\S+"))
    password = {"password": "een lang wachtwoord", "confirm": "een lang wachtwoord"}
    assert client.post(verify, data=password).status_code == 302
    sanne = accounts.find_user("sanne@example.org")
    assert sanne.active and sanne.has_role("speaker")
    speaker = app.test_client(user=sanne)
    assert speaker.post("/speaker/profile", data={"name": "Sanne Spreker", "organisation": "Gemeente Testdorp",
                                                    "function": "adviseur", "bio": "Veerkracht."}).status_code == 302

    # She submits a proposal …
    workshop = services.formats(congress)[0]
    track = congress.tracks[0]
    response = speaker.post(f"/{congress.slug}/cfp/new", data={
        "title": "Weerbaar online", "abstract": "Desinformatie herkennen.", "description": "Oefenen in groepen.",
        "format_duration": f"{workshop.id}:90", "track_id": track.id, "language": "nl",
        "target_audience": "docenten", "protective_factor": "digitale weerbaarheid", "notes": "", "action": "submit",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    proposal = db.session.scalar(sa.select(Proposal))
    assert proposal.status == ProposalStatus.SUBMITTED.value

    # … with a co-speaker, who signs up and accepts the single-use invitation.
    invite = speaker.post(f"/speaker/proposals/{proposal.id}/invite", data={"email": "kees@example.org"})
    assert invite.status_code == 302
    join = _path(_link(mailbox, "kees@example.org", r"https?://\S+/speaker/join/\S+"))
    client.post("/speaker/signup", data={"name": "Kees Co", "email": "kees@example.org"})
    verify = _path(_link(mailbox, "kees@example.org", r"https?://\S+/speaker/verify/\S+"))
    client.post(verify, data={"password": "nog een wachtwoord", "confirm": "nog een wachtwoord"})
    kees = accounts.find_user("kees@example.org")
    co = app.test_client(user=kees)
    assert co.get(join).status_code == 200
    assert co.post(join).status_code == 302
    assert co.post(join).status_code == 409  # used once
    db.session.refresh(proposal)
    assert [s.person.name for s in proposal.speakers] == ["Sanne Spreker", "Kees Co"]

    # Two reviewers are assigned to the track; one declares a conflict, the other scores.
    ria = make_user("reviewer", name="Ria Reviewer", email="ria@example.org")
    rob = make_user("reviewer", name="Rob Reviewer", email="rob@example.org")
    for reviewer in (ria, rob):
        assert organiser_client.post(f"/manage/cfp/{congress.slug}/assignments",
                                     data={"reviewer_id": reviewer.id, "target": f"t{track.id}"}).status_code == 302
    rob_client = app.test_client(user=rob)
    assert rob_client.post(f"/manage/cfp/{congress.slug}/proposals/{proposal.id}/conflict").status_code == 302
    assert rob_client.get(f"/manage/cfp/{congress.slug}/proposals/{proposal.id}").status_code == 404
    ria_client = app.test_client(user=ria)
    scores = {f"score_{c.id}": "4" for c in services.criteria(congress)}
    assert ria_client.post(f"/manage/cfp/{congress.slug}/proposals/{proposal.id}/review",
                           data={**scores, "comment_organisers": "Sterk", "comment_speaker": "Mooi plan"}
                           ).status_code == 302
    ranking = organiser_client.get(f"/manage/cfp/{congress.slug}/ranking").get_data(as_text=True)
    assert "Weerbaar online" in ranking and "4,0" in ranking  # the Dutch decimal comma

    # The organiser accepts, reads the e-mail before it goes, then sends it.
    assert organiser_client.post(f"/manage/cfp/{congress.slug}/decide",
                                 data={"proposal_id": proposal.id, "decision": "accept"}).status_code == 302
    preview = organiser_client.get(f"/manage/cfp/{congress.slug}/mails").get_data(as_text=True)
    assert "Weerbaar online" in preview and "Mooi plan" in preview
    assert not db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.template == "cfp/decision_accepted"))
    sent = organiser_client.post(f"/manage/cfp/{congress.slug}/mails", data={"proposal_id": proposal.id})
    assert sent.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))
                             .where(OutboxMessage.template == "cfp/decision_accepted")) == 2

    # The speaker confirms through the link: the session is in the programme, ready to schedule.
    registered = []
    monkeypatch.setattr(registration, "register_speaker", lambda congress, **kw: registered.append(kw))
    decision = _path(_link(mailbox, "sanne@example.org", r"https?://\S+/speaker/decision/\S+"))
    assert client.get(decision).status_code == 200
    assert client.post(decision, data={"action": "confirm"}).status_code == 200
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.CONFIRMED.value
    session = db.session.get(ProgrammeSession, proposal.session_id)
    assert session.title == "Weerbaar online"
    assert session.track_id == track.id and session.format == "workshop" and session.duration_minutes == 90
    assert [p.name for p in session.speakers] == ["Sanne Spreker", "Kees Co"]
    assert session.starts_at is None and session.room_id is None
    assert sorted(r["email"] for r in registered) == ["kees@example.org", "sanne@example.org"]
    assert client.post(decision, data={"action": "confirm"}).status_code == 409
    dashboard = speaker.get("/speaker/").get_data(as_text=True)
    assert "Bevestigd" in dashboard
