"""The call's seams with the rest of the application: the read the archive uses
(``cfp.queries.slide_files``), the storage area its files go to, the permission rule it takes from
``accounts.permissions``, the registration it calls, and the one parser of its settings as text."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from congress.accounts import permissions
from congress.accounts import services as accounts
from congress.cfp import queries, services, settings
from congress.extensions import db
from congress.registration import services as registration
from congress.storage import storage
from congress.tokens import hash_secret
from tests.cfp.factories import make_proposal, make_speaker, open_call
from tests.factories import make_user
from tests.support.s3 import local_storage_only

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _confirmed(app, congress, monkeypatch):
    monkeypatch.setattr(registration, "register_speaker", lambda congress, **kw: None)
    open_call(congress)
    speaker = make_speaker()
    proposal = make_proposal(congress, speaker)
    services.decide([proposal], "accept")
    proposal.confirm_token_hash = hash_secret("t")
    db.session.commit()
    services.confirm_proposal("t")
    return proposal, speaker


def test_the_archive_reads_a_sessions_slides_through_the_query(app, congress, monkeypatch):
    proposal, speaker = _confirmed(app, congress, monkeypatch)
    assert queries.slide_files(proposal.session_id) == []
    services.upload_slides(proposal, speaker, "eerste.pdf", PDF, consent=True, licence="CC BY-SA 4.0")
    other = PDF.replace(b"1 0", b"2 0")
    services.upload_slides(proposal, speaker, "tweede.pdf", other)
    assert [(s.filename, s.data, s.publication_consent, s.licence) for s in queries.slide_files(proposal.session_id)] \
        == [("eerste.pdf", PDF, True, "CC BY-SA 4.0"), ("tweede.pdf", other, False, "")]
    assert queries.slide_files(proposal.session_id + 1000) == []


@local_storage_only
def test_slides_and_photos_go_to_the_cfp_storage_area(app, congress, monkeypatch):
    proposal, speaker = _confirmed(app, congress, monkeypatch)
    upload = services.upload_slides(proposal, speaker, "deck.pdf", PDF)
    area = storage("cfp")
    assert area.read(services.slide_key(upload.stored_name)) == PDF
    assert area.path(services.slide_key(upload.stored_name)).parent == area.root / "slides"
    image = io.BytesIO()
    Image.new("RGB", (20, 20), (10, 120, 30)).save(image, "JPEG")
    person = services.person_for(speaker)
    name = services.set_photo(person, image.getvalue())
    assert services.photo_key(name) == f"photos/{name}" and area.exists(f"photos/{name}")
    for bad in ("", "../x.jpg", ".hidden", "a\\b.jpg", "missing.jpg"):
        assert services.photo_key(bad) is None
    # The area is the configured folder (or instance/cfp), as before.
    assert str(area.root) == str(app.config.get("CFP_UPLOAD_DIR") or f"{app.instance_path}/cfp")


def test_confirmed_speakers_are_registered_by_the_registration_services(app, congress, monkeypatch):
    calls = []
    monkeypatch.setattr(registration, "register_speaker", lambda congress, **kw: calls.append(kw["email"]))
    open_call(congress)
    proposal = make_proposal(congress, make_speaker(email="spreker@example.org"))
    services.decide([proposal], "accept")
    proposal.confirm_token_hash = hash_secret("t")
    db.session.commit()
    app.config["CFP_SPEAKER_REGISTRAR"] = lambda congress, **kw: pytest.fail("the old override is not read")
    try:
        services.confirm_proposal("t")
    finally:
        app.config.pop("CFP_SPEAKER_REGISTRAR")
    assert calls == ["spreker@example.org"]


def test_the_track_manager_rule_is_the_one_of_accounts_permissions(app, congress, organiser):
    first, second = congress.tracks[0], congress.tracks[1]
    manager = accounts.create_user("tm-seam@example.org", name="TM", password="track managers own sentence",
                                   roles=("track_manager",), track_ids=(first.id,))
    reviewer = make_user("reviewer")
    db.session.commit()
    for user in (organiser, manager, reviewer):
        for track_id in (first.id, second.id, None):
            assert services.can_manage_track(user, track_id) == permissions.can_manage_track(user, track_id)
    assert services.can_manage_track(manager, first.id) and not services.can_manage_track(manager, second.id)


def test_one_parser_for_the_settings_as_text():
    text = "a | b | c | d | e\n\n   \n x |y\nonly\n"
    assert list(settings.text_rows(text, 3)) == [
        (0, "a | b | c | d | e", ["a", "b", "c"]),
        (1, " x |y", ["x", "y", ""]),
        (2, "only", ["only", "", ""]),
    ]
    assert list(settings.text_rows("", 2)) == []


def test_a_speaker_gives_or_withholds_consent_to_publish_their_slides_on_the_proposal_page(app, congress, monkeypatch):
    proposal, speaker = _confirmed(app, congress, monkeypatch)
    client = app.test_client(user=speaker)
    page = client.get(f"/speaker/proposals/{proposal.id}").get_data(as_text=True)
    assert 'name="publication_consent"' in page and "CC BY-SA 4.0" in page
    url = f"/speaker/proposals/{proposal.id}/slides"
    client.post(url, data={"slides": (io.BytesIO(PDF), "met.pdf"), "publication_consent": "y",
                           "licence": "CC BY-SA 4.0"}, content_type="multipart/form-data")
    client.post(url, data={"slides": (io.BytesIO(PDF.replace(b"1 0", b"3 0")), "zonder.pdf"), "licence": "CC BY 4.0"},
                content_type="multipart/form-data")
    refused = client.post(url, data={"slides": (io.BytesIO(PDF), "raar.pdf"), "licence": "<script>"},
                          content_type="multipart/form-data", follow_redirects=True)
    assert refused.status_code == 200 and "Kies een van de aangeboden licenties." in refused.get_data(as_text=True)
    assert [(s.filename, s.publication_consent, s.licence) for s in queries.slide_files(proposal.session_id)] == [
        ("met.pdf", True, "CC BY-SA 4.0"), ("zonder.pdf", False, "")]
    page = client.get(f"/speaker/proposals/{proposal.id}").get_data(as_text=True)
    assert "te publiceren onder CC BY-SA 4.0" in page and "niet voor publicatie" in page
