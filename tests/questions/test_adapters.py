"""Registration and the call for proposals ask their questions through the one component."""

from __future__ import annotations

from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from congress.cfp import services as cfp
from congress.manage import exports
from congress.questions import queries
from congress.registration import services as registration
from tests.registration.factories import open_congress, registered


def test_registration_and_cfp_keep_their_own_lists_in_the_one_table(app):
    congress = open_congress()
    asked = registration.add_question(congress, kind="checkbox", label_nl="Lunch?")
    cfp.sync_questions(congress, "text | Wie? | Who? | ja |")
    (proposed,) = cfp.questions(congress)
    assert registration.questions(congress) == [asked] and asked.target == "registration"
    assert proposed.target == "proposal" and proposed.kind == "short_text" and proposed.text_limit == 2000
    assert queries.questions(congress, "proposal") == [proposed]
    assert cfp.questions_text(congress) == "text | Wie? | Who? | yes | "


def test_cfp_checks_answers_with_the_components_messages(app):
    congress = open_congress()
    cfp.sync_questions(congress, "multiple_choice | Thema's | Themes | ja | a; b\nchoice | Ervaring? | | nee | x; y")
    themes, level = cfp.questions(congress)
    posted = MultiDict([(f"q_{themes.id}", "a"), (f"q_{themes.id}", "b"), (f"q_{level.id}", "z")])
    answers = cfp.answers_from_form(congress, posted)
    assert answers == {str(themes.id): ["a", "b"], str(level.id): "z"}
    with app.test_request_context(), force_locale("nl"):
        assert cfp.check_answers(congress, answers, complete=True) == ["Kies een van de mogelijkheden bij “Ervaring?”."]
        assert cfp.check_answers(congress, {}, complete=False) == []
        assert cfp.check_answers(congress, {}, complete=True) == ["Beantwoord de vraag “Thema's”."]
    with app.test_request_context(), force_locale("en"):
        # The question is named in the reader's language.
        assert cfp.check_answers(congress, {}, complete=True) == ["Answer the question “Themes”."]


def test_the_old_cfp_kind_names_still_add_questions(app):
    congress = open_congress()
    question = cfp.add_question(congress, "Toelichting", "Explanation", kind="textarea")
    assert question.kind == "long_text" and question.text_limit == 2000
    choice = cfp.add_question(congress, "Keuze", kind="choice", options=["ja", "nee"])
    assert choice.choices("en") == [("ja", "ja"), ("nee", "nee")]


def test_exports_show_answers_through_the_component(app):
    congress = open_congress()
    multi = registration.add_question(congress, kind="multiple_choice", label_nl="Thema's", label_en="Themes",
                                      options=[("Digitaal", "Digital"), ("Jeugd", "Youth")])
    box = registration.add_question(congress, kind="checkbox", label_nl="Lunch?")
    person = registered(congress, n=1, answers={str(multi.id): ["1", "2"], str(box.id): True}).registration
    with app.test_request_context(), force_locale("en"):
        header, rows = exports.registration_rows(congress, [person], "en")
    assert header[-2:] == ["Themes", "Lunch?"] and rows[0][-2:] == ["Digital, Youth", "yes"]


def test_registration_refusals_keep_their_class(app):
    congress = open_congress()
    try:
        registration.add_question(congress, kind="single_choice", label_nl="Zonder opties")
    except registration.RegistrationError as exc:
        assert exc.field == "options" and exc.status == 422
    else:
        raise AssertionError("a choice without options was accepted")
