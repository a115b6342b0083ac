"""Acceptance walkthrough: the edition ends → organisers archive its sessions → a speaker adds slides
through the personal link → the editor publishes → a Dutch query that matches only through
stemming finds it, and so does a word that occurs only inside the slides."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import sqlalchemy as sa

from congress.archive import search, services
from congress.archive.models import ItemStatus, KnowledgeItem, SpeakerInvitation
from congress.audit.models import AuditEvent
from congress.cfp import services as cfp_services
from congress.cfp.queries import slide_files
from congress.core.models import Person
from congress.extensions import db
from congress.tokens import hash_secret
from tests.archive.factories import minimal_pdf
from tests.cfp.factories import make_proposal, make_speaker, open_call
from tests.factories import make_congress, make_session


def test_session_to_published_item(app, organiser, mailbox):
    congress = make_congress("congres-voorbij", day=date.today() - timedelta(days=3))
    speaker = Person(name="Sanne de Jong", email="sanne@sprekers.example", organisation="Gemeente Utrecht")
    db.session.add(speaker)
    session = make_session(congress, title="Weerbaarheid van jongeren online", speakers=[speaker])
    session.abstract = "Hoe professionals jongeren helpen hun weg te vinden tussen desinformatie en polarisatie."
    other = make_session(congress, title="Netwerken in de wijk", start="13:00", end="14:00", track_index=1)
    db.session.commit()
    editor = app.test_client(user=organiser)

    # Before the edition has ended nothing can be archived.
    future = make_congress("congres-komt", day=date.today() + timedelta(days=30))
    make_session(future, title="Nog niet")
    response = editor.post(f"/manage/kennisbank/sessions/{future.slug}", data={"all": "1"}, follow_redirects=True)
    assert "zodra de editie is afgelopen" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeItem)) == 0

    # The organiser archives one session: a draft with abstract, speakers and track.
    response = editor.post(f"/manage/kennisbank/sessions/{congress.slug}", data={"sessions": [session.id]})
    assert response.status_code == 302
    item = db.session.scalar(sa.select(KnowledgeItem).where(KnowledgeItem.session_id == session.id))
    assert item.status == ItemStatus.DRAFT.value
    assert item.summary == session.abstract and item.authors == ["Sanne de Jong"]
    assert item.track_name == congress.tracks[0].name_nl and item.speakers == [speaker]
    assert db.session.scalar(sa.select(KnowledgeItem).where(KnowledgeItem.session_id == other.id)) is None
    # Not public yet.
    assert search.search("weerbaarheid").total == 0
    assert editor.get(f"/kennisbank/item/{item.key}").status_code == 200  # editors preview
    assert app.test_client().get(f"/kennisbank/item/{item.key}").status_code == 404

    # The speaker received a personal link of at least 128 bits.
    assert len(mailbox) == 1 and mailbox[0]["To"] == "sanne@sprekers.example"
    body = mailbox[0].get_body(("plain",)).get_content()
    link = re.search(r"http://\S+/kennisbank/contribute/(\S+)", body)
    assert link, body
    secret = link.group(1)
    assert len(secret) >= 43  # token_urlsafe(32): 256 bits
    assert db.session.scalar(sa.select(SpeakerInvitation.token_hash)) != secret  # only its hash is stored

    # The speaker adds slides (a PDF whose text holds a word found nowhere else) and a summary.
    speaker_client = app.test_client()
    assert speaker_client.get(f"/kennisbank/contribute/{secret}").status_code == 200
    assert speaker_client.get(f"/kennisbank/contribute/{secret[:-2]}xx").status_code == 404
    pdf = minimal_pdf("Casus Kanaleneiland: mediawijsheidsspel met groep acht")
    response = speaker_client.post(
        f"/kennisbank/contribute/{secret}",
        data={"summary": "Wij lieten zien hoe weerbare jongeren desinformatie herkennen.",
              "files": [(io.BytesIO(pdf), "slides-weerbaarheid.pdf")], "publication_consent": "y",
              "licence": "CC BY 4.0"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(item)
    assert [f.filename for f in item.files] == ["slides-weerbaarheid.pdf"]
    assert "Kanaleneiland" in item.files[0].extracted_text
    assert item.files[0].public and item.files[0].licence == "CC BY 4.0"
    assert item.summary.startswith("Wij lieten zien")

    # The editor sends it for review and publishes it.
    for status in ("in_review", "published"):
        response = editor.post(f"/manage/kennisbank/{item.id}/status", data={"status-status": status})
        assert response.status_code == 302
    db.session.refresh(item)
    assert item.status == ItemStatus.PUBLISHED.value
    # Once published, the speaker's link no longer changes it.
    assert speaker_client.get(f"/kennisbank/contribute/{secret}").status_code == 404

    public = app.test_client()
    # "weerbaar" occurs nowhere as such: the title says "Weerbaarheid", the summary "weerbare".
    assert "weerbaar " not in f"{item.title} {item.summary} ".lower()
    html = public.get("/kennisbank/", query_string={"q": "weerbaar"}).get_data(as_text=True)
    assert "Weerbaarheid van jongeren online" in html
    # A word that is only inside the slides.
    html = public.get("/kennisbank/", query_string={"q": "kanaleneiland"}).get_data(as_text=True)
    assert "Weerbaarheid van jongeren online" in html and "<mark>Kanaleneiland</mark>" in html
    api = public.get("/api/v1/knowledge", query_string={"q": "mediawijsheidsspel"}).get_json()
    assert api["total"] == 1 and api["items"][0]["key"] == item.key
    # The slides are downloadable from the public page.
    page = public.get(f"/kennisbank/item/{item.key}").get_data(as_text=True)
    assert "slides-weerbaarheid.pdf" in page
    download = public.get(f"/kennisbank/item/{item.key}/files/{item.files[0].id}")
    assert download.status_code == 200 and download.data == pdf
    assert download.headers["Content-Type"] == "application/pdf"

    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"archive.session.archive", "archive.speakers.invite", "archive.speaker.contribute",
            "archive.file.add", "archive.item.in_review", "archive.item.published"} <= actions


def test_archive_all_and_again_skips_archived(app, organiser):
    congress = make_congress(day=date.today() - timedelta(days=1))
    for i in range(3):
        make_session(congress, title=f"Sessie {i}", start=f"1{i}:00", end=f"1{i}:45")
    first = services.archive_sessions(congress, invite=False)
    db.session.commit()
    assert len(first.items) == 3
    again = services.archive_sessions(congress, invite=False)
    assert again.items == [] and len(again.skipped) == 3


def test_slides_from_the_call_for_proposals_are_taken_up(app):
    """The archive asks the call for proposals for a session's slides (cfp.queries.slide_files);
    each goes through the archive's own content checks, like a direct upload."""
    congress = make_congress(day=date.today() - timedelta(days=1))
    open_call(congress)
    speaker = make_speaker()
    proposal = make_proposal(congress, speaker, title="Social Labs")
    cfp_services.decide([proposal], "accept")
    proposal.confirm_token_hash = hash_secret("bevestig")
    db.session.commit()
    cfp_services.confirm_proposal("bevestig")
    cfp_services.upload_slides(proposal, speaker, "social-labs.pdf", minimal_pdf("Social Labs in drie wijken"),
                               consent=True, licence="CC BY-NC 4.0")
    cfp_services.upload_slides(proposal, speaker, "zonder-toestemming.pdf", minimal_pdf("Alleen voor de redactie"))
    # Passes the call's quick check (PDF header and trailer) but is no PDF the archive can read.
    cfp_services.upload_slides(proposal, speaker, "stiekem.pdf", b"%PDF-1.4\n<html><script>alert(1)</script>\n%%EOF\n")
    db.session.commit()
    assert [s.filename for s in slide_files(proposal.session_id)] == ["social-labs.pdf", "zonder-toestemming.pdf",
                                                                      "stiekem.pdf"]

    outcome = services.archive_sessions(congress, [proposal.session_id], invite=False)
    db.session.commit()
    item = outcome.items[0]
    assert [f.filename for f in item.files] == ["social-labs.pdf", "zonder-toestemming.pdf"]
    # The speaker's consent and licence come along; slides without consent stay with the editors.
    assert [(f.filename, f.licence) for f in item.public_files] == [("social-labs.pdf", "CC BY-NC 4.0")]
    assert item.files[0].description == "Presentatie"  # the call's "Slides", in the organiser's language
    assert "drie wijken" in item.files[0].extracted_text
    assert len(outcome.refused_files) == 1 and "stiekem.pdf" in outcome.refused_files[0]


def test_a_session_without_slides_is_archived_without_files(app):
    congress = make_congress(day=date.today() - timedelta(days=1))
    session = make_session(congress, title="Zonder dia's")
    assert slide_files(session.id) == []
    outcome = services.archive_sessions(congress, [session.id], invite=False)
    assert outcome.items[0].files == [] and outcome.refused_files == []
