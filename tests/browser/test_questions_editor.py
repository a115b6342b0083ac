"""An organiser edits the registration form's questions in the browser, at phone and desktop widths:
moves a question up, adds and hides an option, edits the sectors; axe finds no serious or critical
violation; screenshots for a look (instance/screenshots/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from congress.extensions import db
from congress.questions import services
from congress.questions.models import Question
from tests.browser.conftest import axe_violations
from tests.factories import PASSWORD, make_user
from tests.registration.factories import open_congress, registered

SHOTS = Path(__file__).resolve().parents[2] / "instance" / "screenshots"


@pytest.mark.parametrize("width", [375, 1280])
def test_organiser_edits_questions_and_sectors(browser, live_server, app, width):
    congress = open_congress(f"vragen-{width}")
    lunch = services.add_question(congress, "registration", kind="single_choice", label_nl="Welke lunch wilt u?",
                                  label_en="Which lunch?", options=[
                                      {"value": "1", "nl": "Vegetarisch", "en": "Vegetarian"},
                                      {"value": "2", "nl": "Vis", "en": "Fish"}])
    diet = services.add_question(congress, "registration", kind="short_text", label_nl="Dieetwensen")
    registered(congress, answers={str(lunch.id): "2"})
    organiser = make_user("organiser", email=f"vragen-{width}@example.org")
    db.session.commit()
    context = browser.new_context(locale="nl-NL", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#email", organiser.email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/manage/**")
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server}/manage/registrations/{congress.slug}/settings")
    page.click("text=De vragen van het aanmeldformulier bewerken")
    page.wait_for_url(f"**/manage/{congress.slug}/questions/registration/")
    assert axe_violations(page) == []
    page.click(f"#question-{diet.id} button[value=up]")
    page.wait_for_selector(".utrecht-alert, [role=status], .flash", state="attached")
    assert page.locator(".q-item__label").first.inner_text().endswith("Dieetwensen")
    page.screenshot(path=str(SHOTS / f"questions-editor-{width}.png"), full_page=True)

    page.click(f"#question-{lunch.id} a")
    assert "1 antwoord" in page.inner_text("main")
    assert page.locator("#option-2 button[value=remove]").count() == 0  # chosen: hide only
    page.fill("#option-nl", "Veganistisch")
    page.fill("#option-en", "Vegan")
    page.click("form[action$='/options/new'] [type=submit]")
    assert "Veganistisch" in page.inner_text("#options + ol")
    page.click("#option-2 button[value=hide]")
    assert "Verborgen" in page.inner_text("#option-2")
    assert axe_violations(page) == []
    page.screenshot(path=str(SHOTS / f"questions-edit-{width}.png"), full_page=True)

    page.goto(f"{live_server}/manage/registrations/{congress.slug}/sectors")
    assert axe_violations(page) == []
    page.screenshot(path=str(SHOTS / f"sectors-{width}.png"), full_page=True)
    context.close()
    db.session.rollback()  # end the test's read transaction: see what the live server wrote
    stored = db.session.get(Question, lunch.id)
    assert [o.get("hidden", False) for o in stored.options] == [False, True, False]
