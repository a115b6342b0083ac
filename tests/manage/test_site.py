"""The event-site screen of the back office (congress.manage.site): practical information and the accent
colour, the logo, the questions and answers; refusals next to their field in Dutch and English; hostile
input never a 500. (CSRF on every route: tests/test_csrf.py.)"""

from __future__ import annotations

import io

import pytest
from lxml import html as lxml_html
from PIL import Image

from congress.core import services as core
from congress.core.models import CongressStatus
from congress.extensions import db
from tests.factories import make_congress, make_user

SITE = {"travel_nl": "Met de trein naar Utrecht Centraal.", "travel_en": "By train to Utrecht Centraal.",
        "accessibility_nl": "Drempelvrij, met liften.", "accessibility_en": "", "accent_colour": "#00695c"}


@pytest.fixture
def staff(app, organiser):
    return app.test_client(user=organiser)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (120, 40), (0, 105, 92, 255)).save(out, "PNG")
    return out.getvalue()


def _error(page, field: str) -> str:
    tree = lxml_html.fromstring(page.get_data(as_text=True))
    found = tree.get_element_by_id(f"{field}-error", None)
    return found.text_content().strip() if found is not None else ""


def test_the_screen_shows_the_fields_with_their_limits_up_front(staff, congress):
    page = staff.get(f"/manage/{congress.slug}/site")
    assert page.status_code == 200
    tree = lxml_html.fromstring(page.get_data(as_text=True))
    assert tree.get_element_by_id("travel_nl").get("maxlength") == "4000"
    assert tree.get_element_by_id("accent_colour").get("maxlength") == "7"
    assert tree.get_element_by_id("question_nl").get("maxlength") == "300"
    assert "Hoogstens 4000 tekens." in tree.get_element_by_id("travel_nl-limit").text_content() or \
        "4000" in tree.get_element_by_id("travel_nl-limit").text_content()
    assert tree.get_element_by_id("travel_nl").get("aria-describedby").split() == ["travel_nl-description",
                                                                                 "travel_nl-limit"]
    # One click from the edition's menu.
    settings = staff.get(f"/manage/{congress.slug}/settings").get_data(as_text=True)
    assert f'href="/manage/{congress.slug}/site"' in settings


def test_the_practical_information_is_saved_and_shown_on_the_public_page(staff, client, congress):
    answer = staff.post(f"/manage/{congress.slug}/site", data=SITE)
    assert answer.status_code == 303
    db.session.refresh(congress)
    assert (congress.travel_en, congress.accent_colour) == ("By train to Utrecht Centraal.", "#00695c")
    html = client.get(f"/{congress.slug}/?lang=en").get_data(as_text=True)
    assert "By train to Utrecht Centraal." in html and "Drempelvrij, met liften." in html  # Dutch as fallback
    assert f'href="/{congress.slug}/accent-00695c.css' in html


@pytest.mark.parametrize(("lang", "says"), [
    ("nl", "Witte tekst op deze kleur heeft een contrast van 1,51:1; dat moet minstens 4,5:1 zijn."),
    ("en", "White text on this colour has a contrast of 1.51:1; it needs at least 4.5:1."),
])
def test_a_light_accent_is_refused_next_to_the_field_in_the_users_language(staff, congress, lang, says):
    answer = staff.post(f"/manage/{congress.slug}/site?lang={lang}", data={**SITE, "accent_colour": "#ffcc00"})
    assert answer.status_code == 422
    assert says in _error(answer, "accent_colour")
    tree = lxml_html.fromstring(answer.get_data(as_text=True))
    assert tree.get_element_by_id("accent_colour").get("aria-invalid") == "true"
    assert tree.get_element_by_id("accent_colour").get("value") == "#ffcc00"  # what was typed stays
    db.session.refresh(congress)
    assert congress.accent_colour == "" and congress.travel_nl == ""  # nothing half-saved


@pytest.mark.parametrize("hostile", [
    {"travel_nl": "Trein\x00"}, {"accent_colour": "\x00#00695c"}, {"travel_en": "x" * 100_000},
    {"accent_colour": "9" * 400}, {"accessibility_nl": ["a", "b"]}, {"travel_nl": "\u202eniarT <script>"},
])
def test_hostile_input_is_cleaned_or_refused_never_a_500(staff, congress, hostile):
    answer = staff.post(f"/manage/{congress.slug}/site", data={**SITE, **hostile})
    assert answer.status_code in (303, 422)
    db.session.refresh(congress)
    assert "\x00" not in congress.travel_nl + congress.accent_colour
    if answer.status_code == 422:
        assert 'class="utrecht-form-field-error-message"' in answer.get_data(as_text=True)


def test_the_logo_is_uploaded_replaced_and_removed(staff, client, congress):
    answer = staff.post(f"/manage/{congress.slug}/site/logo", data={"logo": (io.BytesIO(_png()), "logo.png")},
                        content_type="multipart/form-data")
    assert answer.status_code == 303
    db.session.refresh(congress)
    name = congress.logo
    served = client.get(f"/{congress.slug}/logo/{name}")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert "immutable" in served.headers["Cache-Control"] and "max-age=31536000" in served.headers["Cache-Control"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert f'src="/{congress.slug}/logo/{name}"' in client.get(f"/{congress.slug}/").get_data(as_text=True)
    assert staff.post(f"/manage/{congress.slug}/site/logo/remove").status_code == 303
    db.session.refresh(congress)
    assert congress.logo is None
    assert client.get(f"/{congress.slug}/logo/{name}").status_code == 404  # no longer the edition's


@pytest.mark.parametrize(("upload", "lang", "says"), [
    ((io.BytesIO(b"GIF89a" + b"\x00" * 64), "logo.gif"), "nl", "Het logo moet een PNG- of JPEG-afbeelding zijn."),
    ((io.BytesIO(b"<svg onload=alert(1)>"), "logo.png"), "en", "The logo must be a PNG or JPEG image."),
    ((io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * (3 * 1024 * 1024)), "groot.png"), "en", "larger than 2 MB"),
    (None, "nl", "Kies een afbeeldingsbestand."),
])
def test_a_refused_logo_is_said_next_to_the_field(staff, congress, upload, lang, says):
    data = {"logo": upload} if upload else {}
    answer = staff.post(f"/manage/{congress.slug}/site/logo?lang={lang}", data=data, content_type="multipart/form-data")
    assert answer.status_code == 422 and says in _error(answer, "logo")
    db.session.refresh(congress)
    assert congress.logo is None


def test_questions_are_added_edited_reordered_and_removed(staff, client, congress):
    for question in ("Wat kost het?", "Is er lunch?"):
        assert staff.post(f"/manage/{congress.slug}/site/faq",
                          data={"question_nl": question, "answer_nl": "Ja.", "question_en": "", "answer_en": ""}
                          ).status_code == 303
    first, second = congress.faqs
    edit = staff.get(f"/manage/{congress.slug}/site/faq/{first.id}")
    assert edit.status_code == 200 and 'value="Wat kost het?"' in edit.get_data(as_text=True)
    assert staff.post(f"/manage/{congress.slug}/site/faq/{first.id}",
                      data={"question_nl": "Wat kost deelname?", "answer_nl": "Niets.",
                            "question_en": "What does it cost?", "answer_en": "Nothing."}).status_code == 303
    assert staff.post(f"/manage/{congress.slug}/site/faq/{second.id}/move", data={"direction": "up"}).status_code == 303
    db.session.expire_all()
    assert [f.question_nl for f in congress.faqs] == ["Is er lunch?", "Wat kost deelname?"]
    html = client.get(f"/{congress.slug}/?lang=en").get_data(as_text=True)
    assert html.index("Is er lunch?") < html.index("What does it cost?")
    assert '<summary class="edition-faq__question">What does it cost?</summary>' in html
    assert staff.post(f"/manage/{congress.slug}/site/faq/{second.id}/remove").status_code == 303
    db.session.expire_all()
    assert [f.question_nl for f in congress.faqs] == ["Wat kost deelname?"]


def test_a_lone_surrogate_in_a_post_is_never_stored(staff, congress):
    """A browser cannot send one, a script can: UTF-8 bytes of U+D800 (ED A0 80), raw in the body."""
    body = b"travel_nl=Trein%ED%A0%80&accent_colour=%2300695c&travel_en=&accessibility_nl=&accessibility_en="
    answer = staff.post(f"/manage/{congress.slug}/site", data=body,
                        content_type="application/x-www-form-urlencoded")
    assert answer.status_code in (303, 422)
    db.session.refresh(congress)
    assert not any("\ud800" <= ch <= "\udfff" for ch in congress.travel_nl)


def test_a_question_without_text_is_refused_next_to_its_field(staff, congress):
    answer = staff.post(f"/manage/{congress.slug}/site/faq?lang=en",
                        data={"question_nl": "\x00", "answer_nl": "", "question_en": "", "answer_en": ""})
    assert answer.status_code == 422
    assert _error(answer, "question_nl") == "Enter the question." and _error(answer, "answer_nl") == "Enter the answer."
    assert congress.faqs == []


@pytest.mark.parametrize("direction", ["sideways", "", "\x00up"])
def test_a_forged_direction_moves_nothing(staff, congress, direction):
    faq = core.add_faq(congress, question_nl="Een", answer_nl="Ja.")
    core.add_faq(congress, question_nl="Twee", answer_nl="Ja.")
    db.session.commit()
    moved = staff.post(f"/manage/{congress.slug}/site/faq/{faq.id}/move", data={"direction": direction})
    assert moved.status_code == 303
    db.session.expire_all()
    assert [f.question_nl for f in congress.faqs] == ["Een", "Twee"]


def test_another_editions_question_or_an_impossible_id_is_not_found(staff, congress):
    other = make_congress("ander-congres")
    foreign = core.add_faq(other, question_nl="Elders", answer_nl="Ja.")
    db.session.commit()
    for path in (f"/site/faq/{foreign.id}", f"/site/faq/{foreign.id}/remove", f"/site/faq/{2**64}",
                 f"/site/faq/{2**31}/move"):
        method = staff.post if path.endswith(("remove", "move")) else staff.get
        assert method(f"/manage/{congress.slug}{path}").status_code == 404
    db.session.expire_all()
    assert [f.question_nl for f in other.faqs] == ["Elders"]


def test_the_screen_is_for_organisers_only(app, client, congress):
    checkin = make_user("checkin", email="deur@example.org")
    for user_client in (client, app.test_client(user=checkin)):
        assert user_client.get(f"/manage/{congress.slug}/site").status_code in (302, 403)
        assert user_client.post(f"/manage/{congress.slug}/site/faq", data={"question_nl": "X", "answer_nl": "Y"}
                                ).status_code in (302, 403)
    assert congress.faqs == []


def test_an_archived_edition_shows_its_questions_but_refuses_changes(staff, congress):
    faq = core.add_faq(congress, question_nl="Een", answer_nl="Ja.")
    core.change_status(congress, CongressStatus.CLOSED.value)
    core.change_status(congress, CongressStatus.ARCHIVED.value)
    db.session.commit()
    page = staff.get(f"/manage/{congress.slug}/site").get_data(as_text=True)
    assert "Een" in page and 'name="question_nl"' not in page
    assert staff.post(f"/manage/{congress.slug}/site", data=SITE).status_code == 403
    assert staff.post(f"/manage/{congress.slug}/site/faq/{faq.id}/remove").status_code == 403
