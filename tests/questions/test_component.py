"""The questions component: one model, one validation, one rendering, the form fields and the text form."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from congress.audit.models import AuditEvent
from congress.extensions import db
from congress.questions import forms as question_forms
from congress.questions import queries, services, text_form
from congress.questions.kinds import KIND_LABELS, QuestionKind, Target
from congress.questions.models import Question

OPTIONS = [{"value": "a", "nl": "Appel", "en": "Apple"}, {"value": "b", "nl": "Peer", "en": ""}]


def q(congress, kind, *, target="evaluation", required=False, **extra):
    return services.add_question(congress, target, kind=kind, label_nl=f"Vraag {kind}", label_en=f"Question {kind}",
                                 required=required, options=OPTIONS if kind in ("single_choice", "multiple_choice")
                                 else (), **extra)


def test_every_kind_has_a_label_in_both_languages(app):
    assert set(KIND_LABELS) == {k.value for k in QuestionKind}
    with app.test_request_context():
        with force_locale("nl"):
            dutch = {k: str(v) for k, v in KIND_LABELS.items()}
        with force_locale("en"):
            english = {k: str(v) for k, v in KIND_LABELS.items()}
    assert dutch["scale_5"] == "Schaal van 1 tot en met 5" and english["scale_5"] == "Scale of 1 to 5"
    assert all(dutch[k] != english[k] for k in dutch)


def test_validation_of_every_kind(app, congress):
    short, long, single, multi, box, five, ten = (
        q(congress, k, required=True) for k in ("short_text", "long_text", "single_choice", "multiple_choice",
                                                "checkbox", "scale_5", "scale_10"))
    mine = {short.id, long.id, single.id, multi.id, box.id, five.id, ten.id}
    # (an edition also has the evaluations' default form: left out here)
    all_questions = [x for x in queries.questions(congress, Target.EVALUATION) if x.id in mine]
    assert [x.id for x in all_questions] == [short.id, long.id, single.id, multi.id, box.id, five.id, ten.id]
    cleaned, problems = queries.validate(all_questions, {
        str(short.id): " ja ", str(long.id): "x" * 4000, str(single.id): "b", str(multi.id): "a",
        str(box.id): True, str(five.id): "5", str(ten.id): 0})
    assert problems == []
    assert cleaned == {str(short.id): "ja", str(long.id): "x" * 4000, str(single.id): "b", str(multi.id): ["a"],
                       str(box.id): True, str(five.id): 5, str(ten.id): 0}

    with app.test_request_context(), force_locale("nl"):
        cleaned, problems = queries.validate(all_questions, {
            str(short.id): "x" * 301, str(long.id): 7, str(single.id): "c", str(multi.id): ["a", "z"],
            str(five.id): 0, str(ten.id): 11})
        errors = queries.errors_by_field(problems)
    assert errors == {
        f"q_{short.id}": ["Gebruik hoogstens 300 tekens."],
        f"q_{long.id}": ["Geen geldige waarde."],
        f"q_{single.id}": ["Kies een van de mogelijkheden."],
        f"q_{multi.id}": ["Kies een van de mogelijkheden."],
        f"q_{box.id}": ["Dit veld is verplicht."],
        f"q_{five.id}": ["Kies een getal van 1 tot en met 5."],
        f"q_{ten.id}": ["Kies een getal van 0 tot en met 10."],
    }
    # Answers of the wrong shape are not kept; the others are.
    assert set(cleaned) == {str(short.id), str(single.id), str(box.id)}
    summaries = {p.field: p.summary for p in problems}
    assert summaries[f"q_{box.id}"] == "Beantwoord de vraag “Vraag checkbox”."
    assert summaries[f"q_{five.id}"] == "Beantwoord “Vraag scale_5” met een getal van 1 tot en met 5."


def test_required_only_when_complete_and_scales_not_booleans(app, congress):
    five = q(congress, "scale_5", required=True)
    text = q(congress, "short_text", required=True)
    questions = [five, text]
    _cleaned, problems = queries.validate(questions, {}, complete=False)
    assert problems == []
    _cleaned, problems = queries.validate(questions, {})
    assert {p.code for p in problems} == {"required"} and len(problems) == 2
    _cleaned, problems = queries.validate([five], {str(five.id): True})
    assert [p.code for p in problems] == ["range"]


def test_max_length_of_a_question_overrides_its_kind(app, congress):
    text = q(congress, "short_text", max_length=2000)
    assert text.text_limit == 2000 and q(congress, "long_text").text_limit == 4000
    assert q(congress, "checkbox").text_limit is None
    assert queries.validate([text], {str(text.id): "x" * 2000})[1] == []
    assert [p.code for p in queries.validate([text], {str(text.id): "x" * 2001})[1]] == ["too_long"]


def test_display_of_answers(app, congress):
    single, multi, box, five, ten, short = (q(congress, k) for k in (
        "single_choice", "multiple_choice", "checkbox", "scale_5", "scale_10", "short_text"))
    with app.test_request_context(), force_locale("en"):
        assert single.display("a", "en") == "Apple"
        assert single.display("b", "en") == "Peer"  # no English: the Dutch
        assert single.display("gone", "en") == "gone"  # no longer an option: as stored
        assert multi.display(["a", "b"], "nl") == "Appel, Peer"
        assert box.display(True) == "yes" and box.display(False) == "no"
        assert five.display(4) == "4 / 5" and ten.display(0) == "0 / 10"
        assert short.display("Tekst") == "Tekst"
        assert short.display(None) == "" and multi.display([]) == ""
    with app.test_request_context(), force_locale("nl"):
        assert box.display(True) == "ja"
        assert queries.display(single, "a", "nl") == "Appel"


def test_scale_ends_are_bilingual(app, congress):
    five = q(congress, "scale_5", scale_low_nl="slecht", scale_low_en="poor", scale_high_nl="uitstekend",
             scale_high_en="excellent")
    assert five.scale == (1, 5) and five.scale_ends("nl") == "1 = slecht, 5 = uitstekend"
    assert five.scale_ends("en") == "1 = poor, 5 = excellent"
    assert q(congress, "short_text").scale_ends("nl") == ""


def test_form_fields_for_every_kind(app, congress):
    kinds = ("short_text", "long_text", "single_choice", "multiple_choice", "checkbox", "scale_5", "scale_10")
    questions = [q(congress, k, required=k == "scale_5") for k in kinds]
    by_kind = dict(zip(kinds, questions, strict=True))
    with app.test_request_context(method="POST", data=MultiDict([
            (f"q_{by_kind['short_text'].id}", "hallo"), (f"q_{by_kind['multiple_choice'].id}", "a"),
            (f"q_{by_kind['multiple_choice'].id}", "b"), (f"q_{by_kind['checkbox'].id}", "y"),
            (f"q_{by_kind['scale_5'].id}", "4"), (f"q_{by_kind['single_choice'].id}", "b")])):

        class Form(FlaskForm):
            class Meta:
                csrf = False

        fields = question_forms.add_fields(Form, questions, "en")
        form = Form()
        assert [name for name, _q in fields] == [f"q_{x.id}" for x in questions]
        assert form[f"q_{by_kind['scale_5'].id}"].flags.required
        assert [v for v, _label in form[f"q_{by_kind['scale_10'].id}"].choices] == [str(n) for n in range(11)]
        assert form[f"q_{by_kind['single_choice'].id}"].choices == [("a", "Apple"), ("b", "Peer")]
        answers = question_forms.answers_from(form, fields)
        cleaned, problems = queries.validate(questions, answers)
    assert problems == []
    assert cleaned[str(by_kind["multiple_choice"].id)] == ["a", "b"]
    assert cleaned[str(by_kind["scale_5"].id)] == 4 and cleaned[str(by_kind["checkbox"].id)] is True
    assert cleaned[str(by_kind["short_text"].id)] == "hallo"


def test_add_update_reorder_delete_and_audit(app, congress):
    first = q(congress, "short_text", target="registration")
    second = q(congress, "single_choice", target="registration")
    assert (first.position, second.position) == (0, 1)
    with pytest.raises(services.QuestionError) as exc:
        services.add_question(congress, "registration", kind="single_choice", label_nl="Zonder opties")
    assert exc.value.field == "options" and exc.value.status == 422
    with pytest.raises(services.QuestionError):
        services.add_question(congress, "registration", kind="slider", label_nl="Onbekend")
    with pytest.raises(services.QuestionError):
        services.add_question(congress, "elsewhere", kind="checkbox", label_nl="Onbekend formulier")
    services.update_question(second, label_en="Fruit", kind="short_text")
    assert second.options == [] and second.label("en") == "Fruit"
    assert [x.id for x in services.reorder(congress, "registration", [second.id])] == [second.id, first.id]
    assert [x.id for x in queries.questions(congress, "registration")] == [second.id, first.id]
    services.delete_question(first)
    assert [x.id for x in queries.questions(congress, "registration")] == [second.id]
    actions = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)
               if "question" in e.action and e.action.startswith("registration.")]
    assert actions == ["registration.question_add", "registration.question_add", "registration.question_update",
                       "registration.question_delete"]


def test_the_targets_keep_their_own_lists(app, congress):
    registration = q(congress, "checkbox", target="registration")
    proposal = q(congress, "checkbox", target="proposal")
    assert queries.questions(congress, "registration") == [registration]
    assert queries.questions(congress, "proposal") == [proposal]
    with app.test_request_context():
        assert queries.question_or_404(congress, registration.id, "registration") is registration
        with pytest.raises(Exception) as exc:
            queries.question_or_404(congress, proposal.id, "registration")
        assert getattr(exc.value, "code", None) == 404


def test_questions_are_read_once_per_request_and_forgotten_on_change(app, congress):
    q(congress, "checkbox", target="registration")
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if "FROM questions" in statement:
            statements.append(statement)

    engine = db.engine
    with app.test_request_context():
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            first = queries.questions(congress, "registration")
            again = queries.questions(congress, "registration")
            assert again is first and len(statements) == 1
            added = services.add_question(congress, "registration", kind="checkbox", label_nl="Nog een")
            assert queries.questions(congress, "registration")[-1].id == added.id
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)


def test_text_form_keeps_the_calls_syntax(app, congress):
    text_form.sync_text(congress, "proposal", "choice | Ervaring? | Experience? | ja | beginner; gevorderd\n"
                                              "textarea | Waarom? | Why? | nee |\n"
                                              "multiple_choice | Thema's | Themes | no | a; b", text_max_length=2000)
    choice, why, themes = queries.questions(congress, "proposal")
    assert (choice.kind, why.kind, themes.kind) == ("single_choice", "long_text", "multiple_choice")
    assert choice.options == [{"value": "beginner", "nl": "beginner", "en": ""},
                              {"value": "gevorderd", "nl": "gevorderd", "en": ""}]
    assert choice.required and not why.required and why.text_limit == 2000 and choice.max_length is None
    assert text_form.as_text(congress, "proposal").splitlines() == [
        "choice | Ervaring? | Experience? | yes | beginner; gevorderd",
        "textarea | Waarom? | Why? | no | ",
        "multiple_choice | Thema's | Themes | no | a; b",
    ]
    # English option labels given elsewhere survive a new sync; a missing line deletes its question.
    services.update_question(choice, options=[{"value": "beginner", "nl": "beginner", "en": "beginner"},
                                              {"value": "gevorderd", "nl": "gevorderd", "en": "advanced"}])
    text_form.sync_text(congress, "proposal", "choice | Ervaring? | Experience? | ja | beginner; gevorderd")
    (kept,) = queries.questions(congress, "proposal")
    assert kept.id == choice.id and kept.choices("en") == [("beginner", "beginner"), ("gevorderd", "advanced")]
    with pytest.raises(services.QuestionError):
        text_form.sync_text(congress, "proposal", "slider | Hoe? | How? | no |")
    with app.test_request_context(), force_locale("en"), pytest.raises(services.QuestionError) as exc:
        text_form.sync_text(congress, "proposal", "choice | Welke? | Which? | no |")
    assert "Give at least one option" in exc.value.message


def test_the_model_is_the_only_question_table(app):
    tables = {t for t in db.metadata.tables if "question" in t}
    assert tables == {"questions"}
    assert Question.__table__.c.target.type.length == 16
