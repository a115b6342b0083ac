"""The editors' recordings page: adding a video or a link with captions, the consent gate on the form,
refusals next to their field in the user's language (never a 500), forged ids, and who may use it."""

from __future__ import annotations

import io

import pytest
from lxml import html as lxml_html

from congress.archive import recordings
from congress.archive.models import KnowledgeRecording
from congress.cfp import services as cfp
from congress.extensions import db
from tests.archive.factories import captions_vtt, make_item, minimal_mp4, minimal_pdf
from tests.factories import make_user


def _post(editor, item, **data):
    form = {f"recording-{k}": v for k, v in data.items()}
    return editor.post(f"/manage/kennisbank/{item.id}/recordings", data=form, content_type="multipart/form-data")


def _errors(response) -> dict[str, str]:
    page = lxml_html.fromstring(response.data)
    return {e.get("id").removesuffix("-error"): e.text_content().strip()
            for e in page.xpath("//*[contains(@class, 'utrecht-form-field-error-message')]")}


def test_the_editor_adds_a_video_with_captions_and_sees_who_has_not_consented(app, organiser, session_item):
    item, proposal, speaker, _co = session_item
    cfp.set_recording_consent(proposal, speaker, True)
    db.session.commit()
    editor = app.test_client(user=organiser)
    page = editor.get(f"/manage/kennisbank/{item.id}/recordings")
    assert page.status_code == 200 and "Chris Collega" in page.get_data(as_text=True)
    assert "Sanne Spreker" not in page.get_data(as_text=True)  # she consented
    answer = _post(editor, item, title="Plenaire opening", video=(io.BytesIO(minimal_mp4()), "opname.mp4"),
                   captions_nl=(io.BytesIO(captions_vtt("nl")), "nl.vtt"), publish="y")
    assert answer.status_code == 422
    errors = _errors(answer)
    assert "Chris Collega" in errors["recording-publish"] and "Er is niets gepubliceerd" in errors["recording-publish"]
    assert db.session.query(KnowledgeRecording).count() == 0
    answer = _post(editor, item, title="Plenaire opening", video=(io.BytesIO(minimal_mp4()), "opname.mp4"),
                   captions_nl=(io.BytesIO(captions_vtt("nl")), "nl.vtt"))
    assert answer.status_code == 303
    recording = db.session.query(KnowledgeRecording).one()
    assert (recording.title, recording.published, [c.language for c in recording.captions]) == (
        "Plenaire opening", False, ["nl"])
    # Publishing from the list says who is missing, and publishes nothing.
    answer = editor.post(f"/manage/kennisbank/{item.id}/recordings/{recording.id}/publish", follow_redirects=True)
    assert "Chris Collega" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(KnowledgeRecording, recording.id).published
    assert editor.get(f"/manage/kennisbank/{item.id}/recordings/{recording.id}/video").mimetype == "video/mp4"
    assert editor.get(f"/manage/kennisbank/{item.id}/recordings/{recording.id}/captions/nl.vtt").status_code == 200


@pytest.mark.parametrize(("data", "field", "words"), [
    ({"video": (io.BytesIO(minimal_pdf()), "opname.mp4")}, "recording-video", "MP4"),
    ({"url": "http://video.congres.example/v/1"}, "recording-url", "https"),
    ({"url": "javascript:alert(1)"}, "recording-url", "https"),
    ({"url": "https://video.congres.example/\x00v"}, None, None),  # NUL stripped from the form: accepted
    ({"url": "https://video.congres.example/" + "x" * 3000}, "recording-url", None),
    ({"url": "https://[::1"}, "recording-url", "https"),
    ({}, "recording-video", "één van beide"),
    ({"url": "https://video.congres.example/v/1",
      "captions_en": (io.BytesIO(b"WEBVTT\n\n00:02.000 --> 00:01.000\nx\n"), "en.vtt")},
     "recording-captions_en", "Regel 3"),
    ({"url": "https://video.congres.example/v/1", "captions_nl": (io.BytesIO(b"\xff\xfe\x00W\x00E"), "nl.vtt")},
     "recording-captions_nl", "NUL"),
    ({"url": "https://video.congres.example/v/1", "captions_nl": (io.BytesIO(b"SRT\n1\n"), "nl.vtt")},
     "recording-captions_nl", "WEBVTT"),
    ({"url": "https://video.congres.example/v/1", "captions_nl": (io.BytesIO(b"WEBVTT\n\n" + b"x" * (2 << 20)),
                                                                  "nl.vtt")}, "recording-captions_nl", "groter dan"),
    ({"url": "https://video.congres.example/v/1", "title": "t" * 5000}, "recording-title", None),
    ({"url": "https://video.congres.example/v/1", "title": "Opening\x00 plenair"}, None, None),
])
def test_bad_input_is_refused_next_to_its_field_never_a_500(app, organiser, session_item, data, field, words):
    item, *_ = session_item
    answer = _post(app.test_client(user=organiser), item, **data)
    assert answer.status_code < 500
    if field is None:
        assert answer.status_code == 303
        return
    assert answer.status_code == 422
    errors = _errors(answer)
    assert field in errors, errors
    if words:
        assert words in errors[field]
    assert db.session.query(KnowledgeRecording).count() == 0


def test_captions_form_refusals_and_forged_ids(app, organiser, session_item):
    item, *_ = session_item
    recording = recordings.add_recording(item, url="https://video.congres.example/v/1")
    other = make_item("Ander item")
    db.session.commit()
    editor = app.test_client(user=organiser)
    base = f"/manage/kennisbank/{item.id}/recordings/{recording.id}"
    answer = editor.post(f"{base}/captions", data={f"captions-{recording.id}-language": "nl",
                                                   f"captions-{recording.id}-file": (io.BytesIO(b"WEBVTT\nx --> y\n"),
                                                                                     "nl.vtt")},
                         content_type="multipart/form-data")
    assert answer.status_code == 422 and "Regel 2" in answer.get_data(as_text=True)
    german = {f"captions-{recording.id}-language": "de",
              f"captions-{recording.id}-file": (io.BytesIO(captions_vtt()), "x.vtt")}
    answer = editor.post(f"{base}/captions", data=german,
                         content_type="multipart/form-data")
    assert answer.status_code == 422
    answer = editor.post(f"{base}/captions", data={f"captions-{recording.id}-language": "en",
                                                   f"captions-{recording.id}-file": (io.BytesIO(captions_vtt("en")),
                                                                                     "en.vtt")},
                         content_type="multipart/form-data")
    assert answer.status_code == 303
    for url in (f"/manage/kennisbank/{other.id}/recordings/{recording.id}/publish",  # another item's recording
                f"/manage/kennisbank/{item.id}/recordings/999999/delete",
                f"{base}/captions/nl/delete",  # no Dutch captions
                f"/manage/kennisbank/{item.id}/recordings/{recording.id}/explode",
                f"/manage/kennisbank/{item.id}/recordings/99999999999999999999999/publish"):
        assert editor.post(url).status_code == 404, url
    assert editor.post(f"{base}/captions/en/delete").status_code == 303
    assert editor.post(f"{base}/delete").status_code == 303
    assert db.session.query(KnowledgeRecording).count() == 0


def test_only_editors_reach_the_page(app, session_item):
    item, *_ = session_item
    assert app.test_client().get(f"/manage/kennisbank/{item.id}/recordings").status_code in (302, 401)
    speaker = make_user("speaker", email="spreker-rec@example.org")
    assert app.test_client(user=speaker).get(f"/manage/kennisbank/{item.id}/recordings").status_code == 403
    assert app.test_client(user=speaker).post(f"/manage/kennisbank/{item.id}/recordings",
                                              data={"recording-url": "https://x.example/v"}).status_code == 403
    assert db.session.query(KnowledgeRecording).count() == 0
