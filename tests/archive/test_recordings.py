"""Recordings on a session's item (issue 19, item 3): the consent gate, the checks of a video and an
address, captions, the audit log, and what the public page, the files and open data show."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from lxml import etree
from lxml import html as lxml_html

from congress.archive import recordings
from congress.archive.models import KnowledgeRecording
from congress.audit.models import AuditEvent
from congress.cfp import services as cfp
from congress.database import utcnow
from congress.extensions import db
from tests.archive.factories import captions_vtt, make_item, minimal_mp4, minimal_pdf, minimal_webm
from tests.opendata.test_oai import NS, harvest, oai_id

DC = "{http://purl.org/dc/elements/1.1/}"


def consent_all(proposal, *speakers) -> None:
    for speaker in speakers:
        cfp.set_recording_consent(proposal, speaker, True)
    db.session.commit()


def test_publishing_without_every_speakers_consent_is_refused_with_their_names(session_item):
    item, proposal, speaker, co_speaker = session_item
    cfp.set_recording_consent(proposal, speaker, True)
    with pytest.raises(recordings.ConsentMissing) as refused:
        recordings.add_recording(item, video=(io.BytesIO(minimal_mp4()), "opname.mp4"), publish=True)
    assert refused.value.names == ["Chris Collega"] and "Chris Collega" in refused.value.message
    db.session.rollback()
    assert db.session.query(KnowledgeRecording).count() == 0  # nothing stored, nothing published
    assert db.session.query(AuditEvent).filter_by(action="archive.recording.add").count() == 0
    # Added without publishing: kept for the editors, publishing it is refused the same way.
    recording = recordings.add_recording(item, video=(io.BytesIO(minimal_mp4()), "opname.mp4"),
                                         captions={"nl": captions_vtt("nl")})
    with pytest.raises(recordings.ConsentMissing):
        recordings.publish_recording(recording)
    db.session.rollback()
    assert not recording.published and not recordings.is_public(recording)
    cfp.set_recording_consent(proposal, co_speaker, True)
    recordings.publish_recording(recording)
    db.session.commit()
    assert recordings.is_public(recording)
    actions = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)
               if e.action.startswith("archive.recording")]
    assert actions == ["archive.recording.add", "archive.recording.publish"]
    added = db.session.query(AuditEvent).filter_by(action="archive.recording.add").one()
    assert added.data["captions"] == ["nl"] and added.data["source"] == "file" and added.data["published"] is False


def test_a_withdrawn_consent_takes_a_published_recording_off_everywhere(client, session_item):
    item, proposal, speaker, co_speaker = session_item
    consent_all(proposal, speaker, co_speaker)
    recording = recordings.add_recording(item, video=(io.BytesIO(minimal_mp4()), "opname.mp4"), publish=True,
                                         captions={"nl": captions_vtt("nl"), "en": captions_vtt("en")})
    db.session.commit()
    video = f"/kennisbank/item/{item.key}/recordings/{recording.id}/video"
    assert client.get(video).status_code == 200
    assert "<video" in client.get(f"/kennisbank/item/{item.key}").get_data(as_text=True)
    before = utcnow() - timedelta(seconds=1)
    cfp.set_recording_consent(proposal, co_speaker, False)
    db.session.commit()
    db.session.refresh(item)
    assert item.updated_at >= before  # an incremental harvest hears of it
    assert client.get(video).status_code == 404
    assert client.get(f"/kennisbank/item/{item.key}/recordings/{recording.id}/captions/nl.vtt").status_code == 404
    page = client.get(f"/kennisbank/item/{item.key}").get_data(as_text=True)
    assert "<video" not in page and "Transcript" not in page and "Transcriptie" not in page
    record = etree.tostring(harvest(client, verb="GetRecord", identifier=oai_id(item), metadataPrefix="oai_dc"))
    assert b"video/mp4" not in record and b"/recordings/" not in record


def test_only_mp4_and_webm_videos_are_accepted_by_their_content(session_item, app):
    item, *_ = session_item
    for data, name in ((minimal_pdf(), "opname.mp4"), (b"\x00\x00\x00\x18ftypqt  " + b"\x00" * 40, "film.mp4"),
                       (minimal_mp4()[:30], "kapot.mp4"), (b"\x1a\x45\xdf\xa3\x80matroska", "x.webm")):
        with pytest.raises(recordings.RecordingRefused) as refused:
            recordings.add_recording(item, video=(io.BytesIO(data), name))
        assert refused.value.field == "video"
    db.session.rollback()
    mp4 = recordings.add_recording(item, video=(io.BytesIO(minimal_mp4()), "opname.webm"))
    webm = recordings.add_recording(item, video=(io.BytesIO(minimal_webm()), "opname.mp4"))
    assert (mp4.content_type, mp4.filename, webm.content_type, webm.filename) == (
        "video/mp4", "opname.mp4", "video/webm", "opname.webm")
    app.config["ARCHIVE_MAX_VIDEO_BYTES"] = 50
    with pytest.raises(recordings.RecordingRefused, match="groter dan"):
        recordings.add_recording(item, video=(io.BytesIO(minimal_mp4()), "groot.mp4"))


@pytest.mark.parametrize("url", ["http://video.congres.example/v/1", "javascript:alert(1)", "https://", "//x.example/v",
                                 "https://user:pw@video.congres.example/v", "https://video.congres.example:8443/v",
                                 "https://video.congres.example/" + "a" * 500, "https://video.congres.example/\x00",
                                 "https://video.congres.example/\ud800", "https://[::1/"])
def test_an_address_must_be_https_on_the_video_platform(session_item, url):
    item, *_ = session_item
    with pytest.raises(recordings.RecordingRefused) as refused:
        recordings.add_recording(item, url=url)
    assert refused.value.field == "url"


def test_the_configured_hosts_limit_the_addresses(session_item, app):
    item, *_ = session_item
    app.config["RECORDING_URL_HOSTS"] = "congres.example"
    with pytest.raises(recordings.RecordingRefused, match="congres.example"):
        recordings.add_recording(item, url="https://youtube.example/watch?v=1")
    db.session.rollback()
    recording = recordings.add_recording(item, url="https://video.congres.example/v/plenair")
    assert recording.source == "url"


def test_a_file_or_an_address_one_of_the_two(session_item):
    item, *_ = session_item
    for kwargs in ({}, {"video": (io.BytesIO(minimal_mp4()), "a.mp4"), "url": "https://video.congres.example/v"}):
        with pytest.raises(recordings.RecordingRefused):
            recordings.add_recording(item, **kwargs)
        db.session.rollback()


def test_captions_are_replaced_and_removed_with_an_audit_record(session_item):
    item, *_ = session_item
    recording = recordings.add_recording(item, url="https://video.congres.example/v/1")
    recordings.set_captions(recording, "en", captions_vtt("en"))
    recordings.set_captions(recording, "en", b"WEBVTT\n\n00:00.000 --> 00:01.000\nOnly one\n")
    assert [(c.language, c.cue_count) for c in recording.captions] == [("en", 1)]
    with pytest.raises(recordings.RecordingRefused, match="Regel 3"):
        recordings.set_captions(recording, "nl", b"WEBVTT\n\n00:02.000 --> 00:01.000\nTerug\n")
    db.session.rollback()
    recordings.remove_captions(recording, "en")
    db.session.commit()
    assert recording.captions == []
    actions = [e.action for e in db.session.query(AuditEvent).filter(AuditEvent.action.like("archive.recording%"))]
    assert actions == ["archive.recording.add", "archive.recording.captions", "archive.recording.captions",
                       "archive.recording.captions_remove"]


def test_an_item_without_a_session_needs_no_consent(app):
    item = make_item("Rapport met video")
    recording = recordings.add_recording(item, url="https://video.congres.example/v/rapport", publish=True)
    assert recordings.is_public(recording)


def test_the_public_page_plays_the_video_with_captions_and_a_transcript(client, session_item):
    item, proposal, speaker, co_speaker = session_item
    consent_all(proposal, speaker, co_speaker)
    recording = recordings.add_recording(item, video=(io.BytesIO(minimal_mp4()), "opname.mp4"), publish=True,
                                         title="Plenaire opening", title_en="Opening plenary",
                                         captions={"nl": captions_vtt("nl"), "en": captions_vtt("en")})
    link = recordings.add_recording(item, url="https://video.congres.example/v/workshop", publish=True)
    db.session.commit()
    for lang, shown in (("nl", "Plenaire opening"), ("en", "Opening plenary")):
        page = lxml_html.fromstring(client.get(f"/kennisbank/item/{item.key}?lang={lang}").data)
        video = page.xpath("//video")[0]
        assert video.get("controls") is not None
        assert video.xpath(".//source")[0].get("type") == "video/mp4"
        tracks = {t.get("srclang"): t for t in video.xpath(".//track")}
        assert set(tracks) == {"nl", "en"} and all(t.get("kind") == "captions" for t in tracks.values())
        assert [code for code, t in tracks.items() if t.get("default") is not None] == [lang]
        assert shown in page.text_content()
        transcripts = page.xpath("//details[contains(@class, 'archive-transcript')]")
        assert len(transcripts) == 2 and transcripts[0].get("open") is None
        first = {"nl": "Welkom bij de sessie over veerkracht.", "en": "Welcome to the session on resilience."}[lang]
        assert first in transcripts[0].text_content()  # the page's language first
        # The platform's recording is a link, never embedded.
        anchor = [a for a in page.xpath("//a") if a.get("href") == link.url][0]
        assert "noopener" in anchor.get("rel") and not page.xpath("//iframe")
    data = json.loads(page.xpath('//script[@type="application/ld+json"]')[0].text)
    videos = data["video"]
    assert videos[0]["@type"] == "VideoObject" and videos[0]["encodingFormat"] == "video/mp4"
    assert videos[0]["contentUrl"].endswith(f"/kennisbank/item/{item.key}/recordings/{recording.id}/video")
    assert {c["inLanguage"] for c in videos[0]["caption"]} == {"nl", "en"}
    assert videos[1]["url"] == link.url and "contentUrl" not in videos[1]


def test_the_files_are_served_with_their_types_and_ranges(client, session_item):
    item, proposal, speaker, co_speaker = session_item
    consent_all(proposal, speaker, co_speaker)
    data = minimal_mp4(b"\x01" * 500)
    recording = recordings.add_recording(item, video=(io.BytesIO(data), "opname.mp4"), publish=True,
                                         captions={"nl": captions_vtt("nl")})
    db.session.commit()
    base = f"/kennisbank/item/{item.key}/recordings/{recording.id}"
    whole = client.get(f"{base}/video")
    assert whole.status_code == 200 and whole.mimetype == "video/mp4" and whole.data == data
    assert whole.headers["Accept-Ranges"] == "bytes" and whole.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in whole.headers.get("Content-Disposition", "")
    part = client.get(f"{base}/video", headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.data == data[:100]
    assert part.headers["Content-Range"] == f"bytes 0-99/{len(data)}"
    vtt = client.get(f"{base}/captions/nl.vtt")
    assert vtt.status_code == 200 and vtt.headers["Content-Type"] == "text/vtt; charset=utf-8"
    assert vtt.get_data(as_text=True).startswith("WEBVTT")
    for url in (f"{base}/captions/en.vtt", f"{base}/captions/de.vtt",
                f"/kennisbank/item/{item.key}/recordings/999/video",
                f"/kennisbank/item/onbekend/recordings/{recording.id}/video",
                f"/kennisbank/item/{'x' * 300}/recordings/1/video"):
        assert client.get(url).status_code == 404, url


def test_open_data_mention_a_recording_only_when_it_is_published(client, session_item):
    item, proposal, speaker, co_speaker = session_item
    recording = recordings.add_recording(item, video=(io.BytesIO(minimal_mp4()), "opname.mp4"),
                                         captions={"en": captions_vtt("en")})
    link = recordings.add_recording(item, url="https://video.congres.example/v/1")
    db.session.commit()

    def dc_values() -> tuple[list[str], list[str]]:
        root = harvest(client, verb="GetRecord", identifier=oai_id(item), metadataPrefix="oai_dc")
        dc = root.find(".//o:metadata", NS)[0]
        return [e.text for e in dc.iter(f"{DC}format")], [e.text for e in dc.iter(f"{DC}relation")]

    formats, relations = dc_values()
    assert "video/mp4" not in formats and not any("/recordings/" in r or "video.congres" in r for r in relations)
    consent_all(proposal, speaker, co_speaker)
    recordings.publish_recording(recording)
    recordings.publish_recording(link)
    db.session.commit()
    formats, relations = dc_values()
    assert "video/mp4" in formats and "text/vtt" in formats
    assert f"http://127.0.0.1:5000/kennisbank/item/{item.key}/recordings/{recording.id}/video" in relations
    assert link.url in relations
    listed = etree.tostring(harvest(client, verb="ListRecords", metadataPrefix="oai_dc"))
    assert b"video/mp4" in listed and re.search(rb"/recordings/\d+/video", listed)


def test_the_video_is_served_with_ranges_from_either_storage(client, session_item, any_storage):
    item, proposal, speaker, co_speaker = session_item
    consent_all(proposal, speaker, co_speaker)
    data = minimal_mp4(bytes(range(256)) * 4)
    recording = recordings.add_recording(item, video=(io.BytesIO(data), "opname.mp4"), publish=True)
    db.session.commit()
    video = f"/kennisbank/item/{item.key}/recordings/{recording.id}/video"
    part = client.get(video, headers={"Range": "bytes=100-199"})
    assert (part.status_code, part.mimetype, part.data) == (206, "video/mp4", data[100:200]), any_storage
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert client.get(video).data == data
