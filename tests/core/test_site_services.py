"""The event site's services (core.services): practical information and the accent colour through
``update_congress``, the logo, and the questions and answers with their order; hostile input."""

from __future__ import annotations

import io

import pytest
from flask_babel import force_locale
from PIL import Image

from congress.audit.models import AuditEvent
from congress.core import services as core
from congress.core.cloning import clone_congress
from congress.core.models import CongressStatus
from congress.errors import ServiceError
from congress.extensions import db
from congress.storage import storage
from tests.factories import make_congress


def _png(size=(40, 20), mode="RGBA", colour=(0, 105, 92, 255)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour if mode == "RGBA" else colour[:3]).save(out, "PNG")
    return out.getvalue()


def _questions(congress) -> list[str]:
    db.session.expire(congress, ["faqs"])
    return [faq.question_nl for faq in congress.faqs]


def _actions(congress) -> list[str]:
    return [e.action for e in db.session.query(AuditEvent).filter(AuditEvent.congress_id == congress.id)
            .order_by(AuditEvent.id)]


def test_faqs_keep_the_organisers_order_through_moves_and_removals(congress):
    first, second, third = (core.add_faq(congress, question_nl=q, answer_nl="Antwoord.")
                            for q in ("Een", "Twee", "Drie"))
    assert _questions(congress) == ["Een", "Twee", "Drie"]
    core.move_faq(third, "up")
    assert _questions(congress) == ["Een", "Drie", "Twee"]
    core.move_faq(first, "up")  # already first: stays
    core.move_faq(second, "down")  # already last: stays
    assert _questions(congress) == ["Een", "Drie", "Twee"]
    core.move_faq(first, "down")
    assert _questions(congress) == ["Drie", "Een", "Twee"]
    core.remove_faq(third)
    assert _questions(congress) == ["Een", "Twee"]
    assert [faq.position for faq in congress.faqs] == [0, 1]  # no gaps after a removal
    assert core.add_faq(congress, question_nl="Vier", answer_nl="Ja.").position == 2
    assert _actions(congress).count("congress.faq.move") == 2  # the moves that changed nothing are not recorded
    assert {"congress.faq.add", "congress.faq.remove"} <= set(_actions(congress))


def test_a_faq_is_bilingual_with_the_dutch_as_fallback(congress):
    faq = core.add_faq(congress, question_nl="Wat kost het?", answer_nl="Niets.", question_en="What does it cost?")
    assert (faq.question("en"), faq.answer("en"), faq.question("nl")) == (
        "What does it cost?", "Niets.", "Wat kost het?")
    core.update_faq(faq, question_nl="Wat kost deelname?", answer_nl="Niets.", question_en="", answer_en="Nothing.")
    assert (faq.question("en"), faq.answer("en")) == ("Wat kost deelname?", "Nothing.")
    assert "congress.faq.update" in _actions(congress)


@pytest.mark.parametrize(("fields", "field"), [
    ({"question_nl": "", "answer_nl": "Ja."}, "question_nl"),
    ({"question_nl": "   ", "answer_nl": "Ja."}, "question_nl"),
    ({"question_nl": "Vraag?", "answer_nl": "\x00"}, "answer_nl"),  # only a NUL: empty once it is removed
    ({"question_nl": "v" * 301, "answer_nl": "Ja."}, "question_nl"),
    ({"question_nl": "Vraag?", "answer_nl": "a" * 4001}, "answer_nl"),
    ({"question_nl": "Vraag?", "answer_nl": "Ja.", "question_en": "q" * 301}, "question_en"),
    ({"question_nl": ["lijst"], "answer_nl": {"a": 1}}, "question_nl"),  # not text at all
])
def test_faq_refusals_name_their_field(congress, fields, field):
    with pytest.raises(ServiceError) as refused:
        core.add_faq(congress, **fields)
    assert refused.value.status == 422 and field in refused.value.errors
    assert congress.faqs == []


def test_nul_and_surrogates_never_reach_the_database(congress):
    faq = core.add_faq(congress, question_nl="Wat\x00 kost het?\ud800", answer_nl="Niets\udfff.")
    assert (faq.question_nl, faq.answer_nl) == ("Wat kost het?", "Niets.")
    core.update_congress(congress, travel_nl="Trein\x00 en\ud83d fiets", accent_colour="#00695C")
    assert congress.travel_nl == "Trein en fiets"


def test_the_number_of_questions_is_limited(congress, monkeypatch):
    monkeypatch.setattr(core, "MAX_FAQS", 2)
    core.add_faq(congress, question_nl="Een", answer_nl="Ja.")
    core.add_faq(congress, question_nl="Twee", answer_nl="Ja.")
    with pytest.raises(ServiceError) as refused:
        core.add_faq(congress, question_nl="Drie", answer_nl="Ja.")
    assert refused.value.status == 409 and "2" in refused.value.message


def test_practical_information_and_an_accent_that_white_text_can_be_read_on(congress):
    core.update_congress(congress, travel_nl="Met de trein.", travel_en="By train.", accessibility_nl="Drempelvrij.",
                         accessibility_en="", accent_colour="#00695C")
    assert congress.accent_colour == "#00695c"  # stored in lower case: one spelling, one stylesheet address
    assert (congress.travel("en"), congress.accessibility("en")) == ("By train.", "Drempelvrij.")
    core.update_congress(congress, accent_colour="")  # back to the house colour
    assert congress.accent_colour == ""


@pytest.mark.parametrize(("colour", "nl", "en"), [
    ("#ffcc00", "1,51:1", "1.51:1"),  # yellow: white text unreadable
    ("#777777", "4,47:1", "4.47:1"),  # 4.478, rounded down: never shown as 4.5
    ("#00a000", "3,48:1", "3.48:1"),
])
def test_a_light_accent_is_refused_saying_the_measured_ratio(app, congress, colour, nl, en):
    for lang, says, needed in (("nl", nl, "minstens 4,5:1"), ("en", en, "at least 4.5:1")):
        with app.test_request_context("/"), force_locale(lang), pytest.raises(ServiceError) as refused:
            core.update_congress(congress, accent_colour=colour)
        assert refused.value.field == "accent_colour"
        assert says in refused.value.message and needed in refused.value.message
    assert congress.accent_colour == ""


@pytest.mark.parametrize("colour", ["154273", "#1542", "red", "#15427g", "#154273; }", "<script>", "#" + "1" * 50])
def test_an_accent_that_is_not_a_colour_is_refused(congress, colour):
    with pytest.raises(ServiceError) as refused:
        core.update_congress(congress, accent_colour=colour)
    assert refused.value.field == "accent_colour"


def test_the_logo_is_re_encoded_and_stored_under_its_content_hash(congress):
    exif_laden = io.BytesIO()
    Image.new("RGB", (1600, 400), (21, 66, 115)).save(exif_laden, "JPEG", exif=b"Exif\x00\x00secret-camera")
    name = core.set_logo(congress, exif_laden.getvalue())
    assert congress.logo == name and name.endswith(".png") and len(name) == 68
    stored = storage(core.LOGO_AREA).read(f"logos/{name}")
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and image.size == (800, 200)  # at most 800 × 400, in proportion
        assert "exif" not in image.info
    assert b"secret-camera" not in stored
    assert core.set_logo(congress, exif_laden.getvalue()) == name  # the same image, the same name
    assert core.logo_stored_key(name) == f"logos/{name}"
    core.remove_logo(congress)
    assert congress.logo is None and _actions(congress).count("congress.logo") == 3


@pytest.mark.parametrize(("data", "says"), [
    (b"", "Choose an image file"),
    (b"GIF89a" + b"\x00" * 100, "PNG or JPEG"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "PNG or JPEG"),
    (b"\x89PNG\r\n\x1a\n" + b"not really a png", "PNG or JPEG"),
    (b"\xff\xd8\xff" + b"\x00" * (2 * 1024 * 1024), "2 MB"),
])
def test_a_logo_that_is_not_a_small_png_or_jpeg_is_refused(app, congress, data, says):
    with app.test_request_context("/"), force_locale("en"), pytest.raises(ServiceError) as refused:
        core.set_logo(congress, data)
    assert refused.value.field == "logo" and says in refused.value.message
    assert congress.logo is None


def test_a_name_that_is_not_a_stored_logo_has_no_key(congress):
    for name in ("../../etc/passwd", "a" * 64 + ".png", "logo.png", "", None):
        assert core.logo_stored_key(name) is None


def test_an_archived_edition_refuses_every_change(congress):
    faq = core.add_faq(congress, question_nl="Een", answer_nl="Ja.")
    core.change_status(congress, CongressStatus.CLOSED.value)
    core.change_status(congress, CongressStatus.ARCHIVED.value)
    for change in (lambda: core.add_faq(congress, question_nl="Twee", answer_nl="Ja."),
                   lambda: core.update_faq(faq, question_nl="Anders", answer_nl="Nee."),
                   lambda: core.move_faq(faq, "down"), lambda: core.remove_faq(faq),
                   lambda: core.set_logo(congress, _png()),
                   lambda: core.update_congress(congress, travel_nl="Anders")):
        with pytest.raises(ServiceError) as refused:
            change()
        assert refused.value.status == 403
    assert _questions(congress) == ["Een"]


def test_a_clone_takes_the_site_along(congress):
    core.update_congress(congress, travel_nl="Met de trein.", accent_colour="#00695c")
    core.set_logo(congress, _png())
    core.add_faq(congress, question_nl="Een", answer_nl="Ja.", question_en="One", answer_en="Yes.")
    core.add_faq(congress, question_nl="Twee", answer_nl="Nee.")
    db.session.commit()
    copy = clone_congress(congress, "kloon-2027", congress.starts_on.replace(year=congress.starts_on.year + 1))
    assert (copy.travel_nl, copy.accent_colour, copy.logo) == ("Met de trein.", "#00695c", congress.logo)
    assert [(f.question_nl, f.question_en, f.position) for f in copy.faqs] == [("Een", "One", 0), ("Twee", "", 1)]


def test_a_move_in_an_unknown_direction_is_refused(congress):
    faq = core.add_faq(congress, question_nl="Een", answer_nl="Ja.")
    with pytest.raises(ServiceError):
        core.move_faq(faq, "sideways")


def test_another_editions_list_is_not_touched(congress):
    other = make_congress("ander-congres")
    core.add_faq(other, question_nl="Elders", answer_nl="Ja.")
    mine = core.add_faq(congress, question_nl="Hier", answer_nl="Ja.")
    core.move_faq(mine, "up")
    core.remove_faq(mine)
    assert _questions(other) == ["Elders"]
