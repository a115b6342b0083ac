"""Recording consent: a speaker gives (or withdraws) it on their proposal's page; a recording of the
session (a knowledge item of type ``opname`` linked to it) reaches OAI-PMH, DCAT, the sitemap and its
public page only while every speaker of the proposal consents. Without it the harvest reports the
record deleted (no metadata), and a change of consent comes in the next incremental harvest."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from lxml import etree

from congress.archive import queries as archive_queries
from congress.archive import services as archive
from congress.audit.models import AuditEvent
from congress.cfp import services as cfp
from congress.cfp.models import ProposalSpeaker
from congress.cfp.signals import recording_consent_changed
from congress.database import utcnow
from congress.extensions import db
from congress.opendata import records
from congress.public import sitemap as maps
from congress.registration import services as registration
from congress.tokens import hash_secret
from tests.archive.factories import make_item, minimal_pdf
from tests.cfp.factories import make_proposal, make_speaker, open_call
from tests.opendata.test_oai import NS, error_codes, harvest, identifiers, oai_id


@pytest.fixture
def recorded(app, congress, monkeypatch):
    """A confirmed proposal (so a session), its recording published with a transcript, and an
    ordinary report of the same session."""
    monkeypatch.setattr(registration, "register_speaker", lambda congress, **kw: None)
    open_call(congress)
    speaker = make_speaker()
    proposal = make_proposal(congress, speaker)
    cfp.decide([proposal], "accept")
    proposal.confirm_token_hash = hash_secret("t")
    db.session.commit()
    cfp.confirm_proposal("t")
    assert proposal.session_id is not None
    recording = make_item("Opname: jongeren en desinformatie", item_type="opname", session_id=proposal.session_id,
                          congress_id=congress.id, links=[{"url": "https://video.example.org/v/1", "label": "Video"}])
    archive.add_file(recording, io.BytesIO(minimal_pdf("Transcriptie")), "transcriptie.pdf")
    report = make_item("Verslag van de sessie", item_type="sessieverslag", session_id=proposal.session_id)
    db.session.commit()
    maps.item_lines.clear()
    records.record_xml.cache_clear()
    return proposal, speaker, recording, report


def _record(client, item):
    root = harvest(client, verb="GetRecord", identifier=oai_id(item), metadataPrefix="oai_dc")
    assert error_codes(root) == []
    return root.find(".//o:record", NS)


def _everywhere(client, item) -> dict[str, bool]:
    """Where the item shows: its OAI record's metadata, ListRecords, the sitemap, DCAT, its page."""
    record = _record(client, item)
    listed = harvest(client, verb="ListRecords", metadataPrefix="oai_dc")
    shown = [r for r in listed.iterfind(".//o:record", NS)
             if r.findtext("o:header/o:identifier", namespaces=NS) == oai_id(item)]
    return {
        "oai record": record.find("o:metadata", NS) is not None and record.find("o:header", NS).get("status") is None,
        "oai list": bool(shown) and shown[0].find("o:metadata", NS) is not None,
        "sitemap": item.key in client.get("/sitemap.xml").get_data(as_text=True),
        "dcat": item.key in client.get("/kennisbank/catalog.jsonld").get_data(as_text=True),
        "page": client.get(f"/kennisbank/item/{item.key}").status_code == 200,
    }


def test_without_every_speakers_consent_a_recording_is_nowhere_in_open_data(client, recorded):
    proposal, _speaker, recording, report = recorded
    assert _everywhere(client, recording) == dict.fromkeys(("oai record", "oai list", "sitemap", "dcat", "page"), False)
    # Reported deleted, with nothing of what it shows: no title, no link, no speaker.
    record = _record(client, recording)
    assert record.find("o:header", NS).get("status") == "deleted"
    assert b"desinformatie" not in etree.tostring(record) and b"video.example.org" not in etree.tostring(record)
    # The session's other items are not recordings: published as ever.
    assert _everywhere(client, report) | {"dcat": True} == dict.fromkeys(
        ("oai record", "oai list", "sitemap", "dcat", "page"), True)
    assert archive_queries.withheld_for_want_of_consent(recording)
    assert not archive_queries.withheld_for_want_of_consent(report)


def test_consent_publishes_the_recording_and_withdrawal_takes_it_back_in_the_next_incremental_harvest(
        client, recorded, app):
    proposal, speaker, recording, _report = recorded
    before = utcnow() - timedelta(seconds=1)
    cfp.set_recording_consent(proposal, speaker, True)
    db.session.refresh(recording)
    assert recording.updated_at >= before  # the consent changed the recording: incremental harvests see it
    assert _everywhere(client, recording) == dict.fromkeys(("oai record", "oai list", "sitemap", "dcat", "page"), True)
    row = db.session.query(ProposalSpeaker).filter_by(proposal_id=proposal.id).one()
    assert row.recording_consent and row.recording_consent_at is not None
    assert db.session.query(AuditEvent).filter_by(action="cfp.recording_consent").count() == 1
    # Withdrawn: the next harvest from this moment reports it deleted.
    since = utcnow().replace(microsecond=0)
    cfp.set_recording_consent(proposal, speaker, False)
    moment = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    root = harvest(client, verb="ListRecords", metadataPrefix="oai_dc", **{"from": moment})
    assert oai_id(recording) in identifiers(root)
    header = [h for h in root.iterfind(".//o:header", NS) if h.findtext("o:identifier", namespaces=NS) ==
              oai_id(recording)][0]
    assert header.get("status") == "deleted"
    assert _everywhere(client, recording) == dict.fromkeys(("oai record", "oai list", "sitemap", "dcat", "page"), False)


def test_a_co_speaker_who_has_not_consented_keeps_the_recording_back(client, recorded):
    proposal, speaker, recording, _report = recorded
    cfp.set_recording_consent(proposal, speaker, True)
    assert _everywhere(client, recording)["sitemap"]
    co_speaker = make_speaker("co@example.org", name="Chris Collega")
    person = cfp.person_for(co_speaker)
    db.session.add(ProposalSpeaker(proposal_id=proposal.id, person_id=person.id, position=1))
    db.session.commit()
    # what cfp announces when a speaker joins a proposal that has a session (cfp.cospeakers)
    recording_consent_changed.send(proposal, session_id=proposal.session_id)
    db.session.commit()
    assert not cfp.recording_consented(proposal)
    assert _everywhere(client, recording) == dict.fromkeys(("oai record", "oai list", "sitemap", "dcat", "page"), False)
    cfp.set_recording_consent(proposal, co_speaker, True)
    assert _everywhere(client, recording)["oai record"]


def test_the_speaker_gives_and_withdraws_consent_on_the_proposal_page(app, recorded):
    proposal, speaker, recording, _report = recorded
    client = app.test_client(user=speaker)
    page = client.get(f"/speaker/proposals/{proposal.id}").get_data(as_text=True)
    assert 'name="recording_consent"' in page and "opname" in page.lower()
    assert "alleen gepubliceerd als iedere spreker" in page.lower()
    answer = client.post(f"/speaker/proposals/{proposal.id}/recording", data={"recording_consent": "y"},
                         follow_redirects=True)
    assert answer.status_code == 200 and cfp.recording_consented(proposal)
    box = re.search(r'<input[^>]*name="recording_consent"[^>]*>', answer.get_data(as_text=True)).group(0)
    assert "checked" in box
    client.post(f"/speaker/proposals/{proposal.id}/recording", data={})
    db.session.expire_all()
    assert not cfp.recording_consented(proposal)
    # Someone else's proposal: nothing tells it exists.
    other = make_speaker("ander@example.org", name="Anne Ander")
    assert app.test_client(user=other).post(f"/speaker/proposals/{proposal.id}/recording",
                                            data={"recording_consent": "y"}).status_code == 404
    assert not cfp.recording_consented(proposal)
