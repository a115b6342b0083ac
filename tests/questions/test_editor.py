"""The questions editor: organisers change, reorder and remove questions and options of the registration
form and the call, and answers already given are never lost."""

from __future__ import annotations

import pytest

from congress.audit.models import AuditEvent
from congress.extensions import db
from congress.questions import queries, services
from congress.registration import services as registrations
from tests.cfp.factories import make_proposal, make_speaker, open_call
from tests.factories import make_user
from tests.registration.factories import open_congress, registered

LUNCH = [{"value": "1", "nl": "Vegetarisch", "en": "Vegetarian"}, {"value": "2", "nl": "Vis", "en": "Fish"},
         {"value": "3", "nl": "Vlees", "en": "Meat"}]


def lunch(congress, target="registration"):
    return services.add_question(congress, target, kind="single_choice", label_nl="Lunch", label_en="Lunch",
                                 options=LUNCH)


def answered(congress, question, value):
    return registered(congress, answers={str(question.id): value}).registration


def test_texts_order_and_required_change_freely_and_answers_keep_their_meaning(app):
    congress = open_congress()
    first = lunch(congress)
    second = services.add_question(congress, "registration", kind="short_text", label_nl="Dieetwensen")
    person = answered(congress, first, "2")
    services.update_question(first, label_nl="Lunchkeuze", label_en="Lunch choice", help_nl="Kies één",
                             required=True)
    services.edit_option(first, "2", "Vis (MSC)", "Fish (MSC)")
    services.move_question(first, +1)
    assert [q.id for q in queries.questions(congress, "registration")] == [second.id, first.id]
    services.move_question(first, +1)  # already last: nothing moves
    assert [q.id for q in queries.questions(congress, "registration")] == [second.id, first.id]
    services.move_option(first, "3", -1)
    assert [o["value"] for o in first.options] == ["1", "3", "2"]
    assert first.display(person.answers[str(first.id)], "en") == "Fish (MSC)"


def test_a_kind_change_is_refused_once_answered(app):
    congress = open_congress()
    question = lunch(congress)
    services.update_question(question, kind="multiple_choice")  # nobody answered yet: allowed
    answered(congress, question, ["1"])
    with pytest.raises(services.QuestionInUse) as exc:
        services.update_question(question, kind="short_text")
    assert exc.value.status == 409 and exc.value.field == "kind"
    db.session.expire_all()
    assert question.kind == "multiple_choice" and len(question.options) == 3


def test_a_chosen_option_is_hidden_not_removed_and_stays_readable(app):
    congress = open_congress()
    question = lunch(congress)
    person = answered(congress, question, "3")
    with pytest.raises(services.QuestionInUse):
        services.remove_option(question, "3")
    with pytest.raises(services.QuestionInUse):
        services.update_question(question, options=LUNCH[:2])
    services.remove_option(question, "2")  # nobody chose fish
    services.hide_option(question, "3")
    db.session.expire_all()
    assert [o["value"] for o in question.options] == ["1", "3"]
    assert question.choices("nl") == [("1", "Vegetarisch")]  # no longer offered
    assert question.display(person.answers[str(question.id)], "nl") == "Vlees"  # still shown
    cleaned, problems = queries.validate([question], {str(question.id): "3"})
    assert problems and problems[0].code == "choice"  # a new answer cannot choose it
    with pytest.raises(services.QuestionError):
        services.hide_option(question, "1")  # at least one option stays offered
    services.hide_option(question, "3", hidden=False)
    assert ("3", "Vlees") in question.choices("nl")


def test_new_options_get_values_never_used_before(app):
    congress = open_congress()
    question = lunch(congress)
    services.remove_option(question, "3")
    added = services.add_option(question, "Vegan", "Vegan")
    assert added["value"] == "3" or added["value"] not in {"1", "2"}
    again = services.add_option(question, "Halal")
    assert len({o["value"] for o in question.options}) == 4 and again["value"] != added["value"]
    with pytest.raises(services.QuestionError):
        services.add_option(question, "   ")
    text = services.add_question(congress, "registration", kind="short_text", label_nl="Opmerking")
    with pytest.raises(services.QuestionError):
        services.add_option(text, "Ja")


def test_an_answered_question_cannot_be_removed(app):
    congress = open_congress()
    question = lunch(congress)
    unused = services.add_question(congress, "registration", kind="checkbox", label_nl="Parkeren")
    answered(congress, question, "1")
    with pytest.raises(services.QuestionInUse):
        services.delete_question(question)
    services.delete_question(unused)
    assert queries.questions(congress, "registration") == [question]


def test_proposal_answers_are_counted_by_the_call(app, congress):
    open_call(congress)
    question = lunch(congress, "proposal")
    speaker = make_speaker(email="spreker@example.org")
    proposal = make_proposal(congress, speaker, title="Weerbaarheid in de wijk")
    proposal.answers = {str(question.id): "1"}
    db.session.commit()
    found = queries.usage(question)
    assert found.answered == 1 and found.by_value == {"1": 1}
    with pytest.raises(services.QuestionInUse):
        services.remove_option(question, "1")


def test_every_change_is_audited(app):
    congress = open_congress()
    question = lunch(congress)
    services.edit_option(question, "1", "Vegetarisch", "Veggie")
    services.hide_option(question, "2")
    services.move_question(question, -1)
    changes = [e.data.get("change") for e in db.session.query(AuditEvent).order_by(AuditEvent.id)
               if e.action == "registration.question_update"]
    assert changes == ["option_edited", "option_hidden", "moved"]


# --- the pages ---------------------------------------------------------------------------


def base(congress, target="registration"):
    return f"/manage/{congress.slug}/questions/{target}"


def test_the_editor_pages_work_without_javascript(app, organiser):
    congress = open_congress()
    client = app.test_client(user=organiser)
    page = client.get(base(congress) + "/")
    assert page.status_code == 200
    response = client.post(base(congress) + "/", data={
        "new-kind": "single_choice", "new-label_nl": "Lunch", "new-label_en": "Lunch",
        "new-options": "Vegetarisch | Vegetarian\nVis | Fish", "new-submit": "y"})
    assert response.status_code == 302
    (question,) = registrations.questions(congress)
    assert question.choices("en") == [("1", "Vegetarian"), ("2", "Fish")]
    other = services.add_question(congress, "registration", kind="short_text", label_nl="Dieet")
    assert client.post(f"{base(congress)}/{other.id}/move", data={"direction": "up"}).status_code == 302
    assert [q.id for q in registrations.questions(congress)] == [other.id, question.id]
    edit = client.get(f"{base(congress)}/{question.id}")
    assert edit.status_code == 200 and "Vegetarian" in edit.get_data(as_text=True)
    assert client.post(f"{base(congress)}/{question.id}", data={
        "kind": "single_choice", "label_nl": "Lunchkeuze", "label_en": "Lunch choice", "required": "y"}
    ).status_code == 302
    assert client.post(f"{base(congress)}/{question.id}/options/new",
                       data={"option-nl": "Vegan", "option-en": "Vegan"}).status_code == 302
    assert client.post(f"{base(congress)}/{question.id}/options",
                       data={"value": "2", "action": "down"}).status_code == 302  # 1 3 2
    assert client.post(f"{base(congress)}/{question.id}/options",
                       data={"value": "3", "action": "up"}).status_code == 302  # 3 1 2
    assert client.post(f"{base(congress)}/{question.id}/options",
                       data={"value": "1", "action": "save", "nl": "Vega", "en": "Veggie"}).status_code == 302
    db.session.expire_all()
    assert question.label_nl == "Lunchkeuze" and question.required
    assert [(o["value"], o["nl"]) for o in question.options] == [("3", "Vegan"), ("1", "Vega"), ("2", "Vis")]
    assert client.post(f"{base(congress)}/{other.id}/delete").status_code == 302
    assert [q.id for q in registrations.questions(congress)] == [question.id]


def test_refusals_are_shown_next_to_the_field_in_dutch(app, organiser):
    congress = open_congress()
    question = lunch(congress)
    answered(congress, question, "2")
    client = app.test_client(user=organiser)
    response = client.post(f"{base(congress)}/{question.id}?lang=nl", data={
        "kind": "short_text", "label_nl": "Lunch"})
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "u kunt de soort antwoord niet meer veranderen" in body
    assert 'aria-invalid="true"' in body
    response = client.post(f"{base(congress)}/{question.id}/options?lang=nl", data={"value": "2", "action": "remove"})
    assert response.status_code == 409 and "verbergen" in response.get_data(as_text=True)
    response = client.post(f"{base(congress)}/{question.id}/delete?lang=nl")
    assert response.status_code == 302
    assert queries.questions(congress, "registration") == [question]


@pytest.mark.parametrize("path", ["/", "/{id}", "/{id}/options"])
def test_hostile_requests_never_answer_500(app, organiser, path):
    congress = open_congress()
    question = lunch(congress)
    client = app.test_client(user=organiser)
    url = base(congress) + path.format(id=question.id)
    for data in ({"value": "\x00", "action": "save", "nl": "\x00"}, {"value": "nope", "action": "hide"},
                 {"action": "explode"}, {"new-kind": "slider", "new-label_nl": "x", "new-submit": "y"},
                 {"kind": "slider", "label_nl": "x" * 5000}):
        assert client.post(url, data=data).status_code < 500
    assert client.get(f"{base(congress)}/{10**30}").status_code == 404
    assert client.get(f"{base(congress, 'evaluation')}/").status_code == 200  # the evaluations' form
    assert client.get(f"{base(congress, 'elders')}/").status_code == 404
    other = open_congress("ander-congres")
    assert client.get(f"{base(other)}/{question.id}").status_code == 404


def test_only_organisers_edit_questions(app):
    congress = open_congress()
    reviewer = make_user("reviewer")
    assert app.test_client(user=reviewer).get(base(congress) + "/").status_code == 403
    assert app.test_client().get(base(congress, "proposal") + "/").status_code in (302, 401)


def test_settings_pages_name_the_kind_in_words_and_link_to_the_editor(app, organiser):
    congress = open_congress()
    lunch(congress)
    client = app.test_client(user=organiser)
    page = client.get(f"/manage/registrations/{congress.slug}/settings?lang=nl").get_data(as_text=True)
    assert "single_choice" not in page and "(Eén keuze)" in page
    assert f'href="{base(congress)}/"' in page
