"""The registration form as an attendee sees it: a chosen radio button or checkbox looks chosen (axe
does not catch this, so the test compares computed styles), and the page never scrolls sideways on a
375 px phone."""

from __future__ import annotations

import pytest

from congress.extensions import db
from congress.questions.models import Question
from tests.registration.factories import add_round, open_congress

# What the eye sees of a control: its painted background (the dot of a radio, the tick of a checkbox),
# its colours and its border. A checked control must differ from an unchecked one in at least one.
LOOK = """(selector) => {
  const s = getComputedStyle(document.querySelector(selector));
  return [s.backgroundImage, s.backgroundColor, s.borderColor, s.borderWidth, s.appearance].join(' | ');
}"""


def _edition_with_choices(slug: str):
    congress = open_congress(slug)
    signup_round, (first, second) = add_round(congress, capacities=(10, 20))
    question = Question(congress_id=congress.id, target="registration", kind="single_choice",
                        label_nl="Hoe hoorde u van het congres?", label_en="How did you hear of the congress?",
                        options=[{"value": "1", "nl": "Via een collega", "en": "Through a colleague"},
                                 {"value": "2", "nl": "Via de nieuwsbrief", "en": "Through the newsletter"}])
    db.session.add(question)
    db.session.commit()
    return congress, signup_round, first, second, question


@pytest.mark.parametrize("width", [375, 1280])
def test_a_chosen_radio_looks_chosen(browser, live_server, app, width):
    congress, signup_round, first, second, question = _edition_with_choices(f"keuze-{width}")
    context = browser.new_context(locale="nl-NL", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/{congress.slug}/register")
    workshop = f"#round_{signup_round.id}-{first.id}"
    other = f"#round_{signup_round.id}-{second.id}"
    unchecked = page.evaluate(LOOK, workshop)
    page.click(f"label[for='round_{signup_round.id}-{first.id}']")
    assert page.is_checked(workshop)
    assert page.evaluate(LOOK, workshop) != unchecked
    assert page.evaluate(LOOK, other) == unchecked  # the other option still looks unchosen

    # A question's options (the choice_fieldset macro) the same way.
    option = page.locator(f"input[name='q_{question.id}']").first
    option_id = option.get_attribute("id")
    before = page.evaluate(LOOK, f"#{option_id}")
    page.click(f"label[for='{option_id}']")
    assert page.is_checked(f"#{option_id}")
    assert page.evaluate(LOOK, f"#{option_id}") != before

    # The consent checkbox keeps the browser's own drawing (appearance auto), which shows its tick: compare
    # the pixels, without the focus ring.
    box = page.locator("#consent_privacy")
    before = box.screenshot()
    page.check("#consent_privacy")
    box.evaluate("(el) => el.blur()")
    assert box.screenshot() != before
    context.close()


WRAP = """() => [...document.querySelectorAll('.utrecht-form-field--checkbox label')].map((label) => {
  const field = label.closest('.utrecht-form-field').getBoundingClientRect();
  const rect = label.getBoundingClientRect();
  const line = parseFloat(getComputedStyle(label).lineHeight) || 24;
  return {id: label.htmlFor, width: rect.width, field: field.width, lines: Math.round(rect.height / line),
          words: label.textContent.trim().split(/\\s+/).length};
})"""


def test_consent_labels_wrap_at_the_phone_width(browser, live_server, app):
    congress, *_ = _edition_with_choices("toestemming-375")
    context = browser.new_context(locale="nl-NL", viewport={"width": 375, "height": 800}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server}/{congress.slug}/register")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375  # no sideways scrolling
    labels = page.evaluate(WRAP)
    assert {label["id"] for label in labels} >= {"consent_privacy", "consent_attendee_list", "consent_photos"}
    for label in labels:
        # The label takes the field's width beside its box, so a line holds several words, not one.
        assert label["width"] >= label["field"] - 48, label
        assert label["lines"] < label["words"] / 2, label
    context.close()
