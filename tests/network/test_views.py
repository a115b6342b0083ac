"""The network's pages behind the personal link and the organiser's page: who sees what, the contact
form with errors next to the field, sharing, reporting, blocking, consent on the personal page, and
never a 500 on hostile input."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa
from flask import url_for

from congress.extensions import db
from congress.network import queries
from congress.network.models import NetworkMessage
from congress.registration.models import Registration
from tests.factories import make_user
from tests.network.factories import link, network_edition
from tests.registration.factories import registered


@pytest.fixture
def edition(app):
    return network_edition("netwerk-paginas")


def test_the_list_and_its_filters(app, edition):
    congress, sessions, (anna, bram, carla, dirk) = edition
    client = app.test_client()
    page = client.get(f"/my/{link(anna)}/participants")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    html = page.get_data(as_text=True)
    assert "Deelnemersnetwerk" in html and "3 deelnemers" in html
    assert "Deelnemer 0" not in html.split("<h2", 1)[1]  # not oneself
    assert anna.email not in html and bram.email not in html
    assert sessions[0].title in html and "Gemeente Deventer" in html
    filtered = client.get(f"/my/{link(anna)}/participants?workshop={sessions[1].id}&q=zwolle").get_data(as_text=True)
    assert "1 deelnemer" in filtered and "Deelnemer 2" in filtered and "Deelnemer 3" not in filtered
    english = client.get(f"/my/{link(anna)}/participants?lang=en").get_data(as_text=True)
    assert "Participants&#39; network" in english or "Participants' network" in english


def test_who_may_not_look(app, edition):
    congress, _, people = edition
    pending = registered(congress, name="Onbevestigd", email="onb@example.org", consent_network=True).registration
    client = app.test_client()
    refused = client.get(f"/my/{link(pending)}/participants")
    assert refused.status_code == 403 and "Deelnemer 1" not in refused.get_data(as_text=True)
    assert client.get("/my/" + "x" * 43 + "/participants").status_code == 404
    assert client.get(f"/my/{link(people[0])}/participants/{people[0].id}").status_code == 404


def test_contact_share_and_report_through_the_pages(app, edition, mailbox):
    congress, _, (anna, bram, carla, _) = edition
    client = app.test_client()
    empty = client.post(f"/my/{link(anna)}/participants/{bram.id}", data={"body": ""})
    assert empty.status_code == 422 and "Dit veld is verplicht" in empty.get_data(as_text=True) or \
        "Schrijf een bericht" in empty.get_data(as_text=True)
    sent = client.post(f"/my/{link(anna)}/participants/{bram.id}",
                       data={"body": "Hoi Bram, zullen we na de workshop koffie drinken?"})
    assert sent.status_code == 302
    assert len(mailbox) == 1 and mailbox[0]["To"] == bram.email
    text = mailbox[0].get_body(("plain",)).get_content()
    assert "koffie" in text and anna.email not in mailbox[0].as_string()
    assert link(bram) in text  # the way to reply: the recipient's own page
    personal = client.get(f"/my/{link(bram)}").get_data(as_text=True)
    assert "Berichten die u ontving" in personal and "koffie" in personal and anna.email not in personal

    conversation = client.get(f"/my/{link(bram)}/participants/{anna.id}").get_data(as_text=True)
    assert "koffie" in conversation and "Dit bericht melden" in conversation
    client.post(f"/my/{link(bram)}/participants/{anna.id}/share", data={})
    one_side = client.get(f"/my/{link(anna)}/participants/{bram.id}").get_data(as_text=True)
    assert bram.email not in one_side and "wil e-mailadressen met u delen" in one_side
    client.post(f"/my/{link(anna)}/participants/{bram.id}/share", data={})
    both = client.get(f"/my/{link(anna)}/participants/{bram.id}").get_data(as_text=True)
    assert f"mailto:{bram.email}" in both

    message = db.session.scalar(sa.select(NetworkMessage))
    reported = client.post(f"/my/{link(bram)}/participants/messages/{message.id}/report",
                           data={"report-reason": "Ongewenst"})
    assert reported.status_code == 302
    forged = client.post(f"/my/{link(carla)}/participants/messages/{message.id}/report", data={})
    assert forged.status_code == 302  # refused with a message: not carla's to report
    organiser = app.test_client(user=make_user("organiser", email="netwerk-org@example.org"))
    back = organiser.get(f"/manage/{congress.slug}/network")
    assert back.status_code == 200 and "Ongewenst" in back.get_data(as_text=True)
    organiser.post(f"/manage/{congress.slug}/network/block/{anna.id}", data={"block-reason": "ongewenst"})
    assert "Deelnemer 0" not in client.get(f"/my/{link(carla)}/participants").get_data(as_text=True)
    blocked = client.post(f"/my/{link(anna)}/participants/{carla.id}", data={"body": "Hallo"})
    assert blocked.status_code == 403 and "uit het deelnemersnetwerk geweerd" in blocked.get_data(as_text=True)


def test_withdrawing_consent_on_the_personal_page(app, edition):
    _, _, (anna, bram, *_rest) = edition
    client = app.test_client()
    page = client.get(f"/my/{link(bram)}").get_data(as_text=True)
    assert "Uit het deelnemersnetwerk gaan" in page
    assert client.post(f"/my/{link(bram)}/participants/consent", data={"consent": "no"}).status_code == 302
    assert "Deelnemer 1" not in client.get(f"/my/{link(anna)}/participants").get_data(as_text=True)
    assert client.get(f"/my/{link(anna)}/participants/{bram.id}").status_code == 404
    assert client.post(f"/my/{link(bram)}/participants/consent", data={"consent": "maybe"}).status_code == 422
    client.post(f"/my/{link(bram)}/participants/consent", data={"consent": "yes"})
    assert "Deelnemer 1" in client.get(f"/my/{link(anna)}/participants").get_data(as_text=True)


def test_the_registration_form_offers_the_network_consent(app, edition):
    congress, _, _ = edition
    page = app.test_client().get(f"/{congress.slug}/register").get_data(as_text=True)
    assert 'name="consent_network"' in page and "deelnemersnetwerk" in page


@pytest.mark.parametrize("path", [
    "/my/{secret}/participants?sector=99999999999999999999&workshop=-1&page=0&q=%00%00",
    "/my/{secret}/participants?q=" + "a" * 5000,
    "/my/{secret}/participants/99999999999999999999",
    "/my/%00{secret}/participants",
    "/my/{secret}/participants/{other}?x=%00",
])
def test_hostile_input_is_never_a_server_error(app, edition, path):
    _, _, (anna, bram, *_rest) = edition
    response = app.test_client().get(path.format(secret=link(anna), other=bram.id))
    assert response.status_code < 500


def test_hostile_posts(app, edition):
    _, _, (anna, bram, *_rest) = edition
    client = app.test_client()
    assert client.post(f"/my/{link(anna)}/participants/{bram.id}", data={"body": "\x00\x00"}).status_code == 422
    assert client.post(f"/my/{link(anna)}/participants/messages/2147483647/report", data={}).status_code == 302
    assert client.post(f"/my/{link(anna)}/participants/{bram.id}/share", data={}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NetworkMessage)) == 0


def test_nobody_appears_without_consent_brute_force_over_the_demo(app, runner):
    """Every confirmed registration of every edition of the demo looks at its list: each person listed
    consented, is confirmed, of the same edition, not blocked; and each such person is listed."""
    assert runner.invoke(args=["congress", "demo"]).exit_code == 0
    everyone = list(db.session.scalars(sa.select(Registration)))
    consenting = {r.id for r in everyone if r.consent_network and r.status == "confirmed" and r.erased_at is None
                  and not queries.is_blocked(r)}
    assert consenting, "the demo has people in the network"
    client = app.test_client()
    looked = 0
    for viewer in everyone:
        if not queries.may_look(viewer):
            continue
        page, names = 1, set()
        while True:
            found = queries.participants(viewer, queries.Filters(page=page))
            names |= {p.registration.id for p in found.participants}
            if page >= found.pages:
                break
            page += 1
        expected = {r.id for r in everyone if r.id in consenting and r.congress_id == viewer.congress_id
                    and r.id != viewer.id}
        assert names == expected
        looked += 1
    assert looked > 10
    # and through the page, for one viewer per edition: no name of someone who did not consent
    for congress_id in {r.congress_id for r in everyone}:
        viewer = next((r for r in everyone if r.congress_id == congress_id and queries.may_look(r)), None)
        if viewer is None:
            continue
        html = client.get(f"/my/{link(viewer)}/participants").get_data(as_text=True)
        shown = set(re.findall(r'network-person__name">([^<]+)<', html))
        assert shown <= {r.name for r in everyone if r.id in consenting and r.congress_id == congress_id}


def test_the_registrations_export_says_who_is_in_the_network(app, edition):
    congress, _, people = edition
    organiser = app.test_client(user=make_user("organiser", email="netwerk-export@example.org"))
    with app.test_request_context():
        path = url_for("manage.registrations.export", slug=congress.slug, fmt="csv")
    text = organiser.get(path).get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), dialect=csv.Sniffer().sniff(text.splitlines()[0])))
    column = rows[0].index("Deelnemersnetwerk")
    assert {row[column] for row in rows[1:]} == {"ja"} and len(rows) == len(people) + 1
