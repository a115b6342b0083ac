"""Pages of the call: the public page, the speaker's forms with bad input, uploads, settings."""

from __future__ import annotations

import io

import sqlalchemy as sa
from PIL import Image

from congress.accounts import services as accounts
from congress.cfp import services
from congress.cfp.models import Proposal
from congress.core.models import Person
from congress.extensions import db
from tests.cfp.factories import make_proposal, make_speaker, open_call
from tests.factories import make_user


def _form(congress, **overrides):
    workshop = services.formats(congress)[0]
    data = {"title": "Sterke gezinnen", "abstract": "Kort.", "description": "Lang.",
            "format_duration": f"{workshop.id}:60", "track_id": congress.tracks[0].id, "language": "nl",
            "target_audience": "ouders", "protective_factor": "ondersteunende gezinsstructuren", "notes": "",
            "action": "submit"}
    data.update(overrides)
    return data


def test_public_call_page_in_both_languages(client, congress):
    open_call(congress)
    html = client.get(f"/{congress.slug}/cfp").get_data(as_text=True)
    assert "Wij zoeken methoden" in html and "Workshop: 60, 90 minuten" in html and "Een voorstel indienen" in html
    html = client.get(f"/{congress.slug}/cfp?lang=en").get_data(as_text=True)
    assert "We are looking for methods" in html and "Lecture: 30 minutes" in html


def test_no_call_page_without_settings_or_for_a_draft_edition(client, congress):
    assert client.get(f"/{congress.slug}/cfp").status_code == 404


def test_over_long_text_is_refused_with_a_message_and_nothing_saved(app, congress):
    open_call(congress, abstract_max=50)
    speaker = app.test_client(user=make_speaker())
    response = speaker.post(f"/{congress.slug}/cfp/new", data=_form(congress, abstract="a" * 51))
    assert response.status_code == 422
    assert "Samenvatting is te lang: maximaal 50 tekens." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 0


def test_closed_call_refuses_with_a_message(app, congress):
    open_call(congress, closed=True)
    speaker = app.test_client(user=make_speaker())
    response = speaker.post(f"/{congress.slug}/cfp/new", data=_form(congress), follow_redirects=True)
    assert "De oproep voor voorstellen is gesloten." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 0
    assert "De oproep voor voorstellen is gesloten." in speaker.get(f"/{congress.slug}/cfp").get_data(as_text=True)


def test_sixth_proposal_refused_with_a_message(app, congress):
    open_call(congress, max_proposals=5)
    user = make_speaker()
    for i in range(5):
        make_proposal(congress, user, title=f"V{i}")
    response = app.test_client(user=user).post(f"/{congress.slug}/cfp/new", data=_form(congress))
    assert response.status_code == 422
    assert "U kunt maximaal 5 voorstellen in deze call hebben." in response.get_data(as_text=True)


def test_draft_saved_without_everything_then_submitted(app, congress):
    open_call(congress)
    speaker = app.test_client(user=make_speaker())
    response = speaker.post(f"/{congress.slug}/cfp/new",
                            data=_form(congress, abstract="", format_duration="", action="draft"))
    assert response.status_code == 302
    proposal = db.session.scalar(sa.select(Proposal))
    assert proposal.status == "draft"
    assert speaker.post(f"/speaker/proposals/{proposal.id}/submit").status_code == 302
    assert db.session.get(Proposal, proposal.id).status == "draft"  # still incomplete
    speaker.post(f"/speaker/proposals/{proposal.id}/edit", data=_form(congress))
    assert db.session.get(Proposal, proposal.id).status == "submitted"
    speaker.post(f"/speaker/proposals/{proposal.id}/withdraw")
    assert db.session.get(Proposal, proposal.id).status == "withdrawn"


def test_profile_photo_upload_cleans_and_refuses_scripts(app, congress):
    user = make_speaker()
    client = app.test_client(user=user)
    image = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "GeheimeCamera"
    Image.new("RGB", (300, 200), (0, 80, 160)).save(image, "JPEG", exif=exif.tobytes())
    data = {"name": "Sanne", "organisation": "Gemeente", "function": "", "bio": "Hallo",
            "photo": (io.BytesIO(image.getvalue()), "ik.jpg")}
    assert client.post("/speaker/profile", data=data, content_type="multipart/form-data").status_code == 302
    person = db.session.scalar(sa.select(Person).where(Person.user_id == user.id))
    assert person.photo and person.photo.endswith(".jpg")
    served = client.get(f"/speaker/photos/{person.photo}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert b"GeheimeCamera" not in served.data
    before = person.photo
    script = {"name": "Sanne", "organisation": "Gemeente", "function": "", "bio": "Hallo",
              "photo": (io.BytesIO(b"<script>alert(1)</script>"), "foto.jpg", "image/jpeg")}
    response = client.post("/speaker/profile", data=script, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "De foto moet een JPEG-, PNG- of WebP-afbeelding zijn." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(Person).where(Person.user_id == user.id)).photo == before
    assert client.get("/speaker/photos/..%2F..%2Fetc%2Fpasswd").status_code == 404


def test_signup_does_not_tell_whether_an_address_exists(client, congress, mailbox, organiser):
    first = client.post("/speaker/signup", data={"name": "Olga", "email": organiser.email})
    second = client.post("/speaker/signup", data={"name": "Nieuw", "email": "nieuw@example.org"})
    assert first.status_code == second.status_code == 200
    assert first.get_data(as_text=True).replace(organiser.email, "X") == \
        second.get_data(as_text=True).replace("nieuw@example.org", "X")
    assert {m["To"] for m in mailbox} == {organiser.email, "nieuw@example.org"}
    assert not accounts.find_user(organiser.email).has_role("speaker")
    assert not accounts.find_user("nieuw@example.org").active


def test_organiser_settings_form_round_trip(app, congress, organiser):
    client = app.test_client(user=organiser)
    asked = services.add_question(congress, "Ervaring?", "Experience?", kind="choice",
                                  options=["beginner", "gevorderd"])
    page = client.get(f"/manage/cfp/{congress.slug}/settings")
    assert page.status_code == 200
    # The questions are edited in the questions editor, linked from here (not as text any more).
    assert f"/manage/{congress.slug}/questions/proposal/" in page.get_data(as_text=True)
    response = client.post(f"/manage/cfp/{congress.slug}/settings", data={
        "opens_at": "2030-01-01T09:00", "closes_at": "2030-03-01T17:00", "max_proposals_per_speaker": 3,
        "title_max": 120, "abstract_max": 800, "description_max": 4000, "notes_max": 1000, "bio_max": 1000,
        "call_text_nl": "Doe mee", "call_text_en": "Join", "anonymised": "y", "tracks": [congress.tracks[1].id],
        "formats": "workshop | Workshop | Workshop | 60, 90\nlezing | Lezing | Lecture | 30",
        "questions": "",  # an old form's text field is ignored: saving keeps the questions
        "criteria": "Relevantie | Relevance | 3\nKwaliteit | Quality | 2",
    })
    assert response.status_code == 302
    settings = services.settings_for(congress)
    assert settings.anonymised and settings.max_proposals_per_speaker == 3
    assert settings.opens_at.hour == 8  # 09:00 in Amsterdam (winter) is 08:00 UTC
    assert [t.id for t in services.open_tracks(congress)] == [congress.tracks[1].id]
    assert [f.durations for f in services.formats(congress)] == [[60, 90], [30]]
    assert services.questions(congress) == [asked]
    assert [o["value"] for o in asked.options] == ["beginner", "gevorderd"]
    assert [c.weight for c in services.criteria(congress)] == [3, 2]
    bad = client.post(f"/manage/cfp/{congress.slug}/settings", data={
        "max_proposals_per_speaker": 3, "title_max": 120, "abstract_max": 800, "description_max": 4000,
        "notes_max": 1000, "bio_max": 1000, "formats": "koffie | Koffie | Coffee | 10", "criteria": ""})
    assert bad.status_code == 422 and "bekende soort" in bad.get_data(as_text=True)
    assert [f.name_nl for f in services.formats(congress)] == ["Workshop", "Lezing"]  # nothing half-saved


def test_speaker_withdraws_through_the_decision_link_and_sees_comments(app, client, congress, organiser, mailbox):
    open_call(congress)
    user = make_speaker(email="twijfel@example.org")
    proposal = make_proposal(congress, user, title="Misschien toch niet")
    reviewer = make_user("reviewer")
    with app.test_request_context():
        services.assign_reviewer(congress, organiser, reviewer, proposal=proposal)
        services.save_review(proposal, reviewer, {c.id: 3 for c in services.criteria(congress)},
                             "Intern: twijfelgeval", "Denk aan de doelgroep")
        db.session.commit()
        speaker = app.test_client(user=user)
        assert "Denk aan de doelgroep" not in speaker.get(f"/speaker/proposals/{proposal.id}").get_data(as_text=True)
        services.decide([proposal], "accept")
        services.send_decision_mails(congress)
    message = next(m for m in mailbox if m["To"] == "twijfel@example.org")
    body = message.get_body(("plain",)).get_content()
    assert "Denk aan de doelgroep" in body and "twijfelgeval" not in body
    link = "/speaker/decision/" + body.split("/speaker/decision/")[1].split()[0]
    assert client.post(link, data={"action": "withdraw"}).status_code == 200
    assert db.session.get(Proposal, proposal.id).status == "withdrawn"
    assert db.session.get(Proposal, proposal.id).session_id is None
    assert client.get(link).status_code == 404
    page = speaker.get(f"/speaker/proposals/{proposal.id}").get_data(as_text=True)
    assert "Denk aan de doelgroep" in page and "twijfelgeval" not in page
