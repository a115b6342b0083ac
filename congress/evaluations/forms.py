"""The evaluation form (the edition's questions, through the questions component) and the settings."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from congress.questions import queries as question_queries
from congress.questions.queries import Question


class BaseEvaluationForm(FlaskForm):
    submit = SubmitField(_l("Send my evaluation"))


def evaluation_form(questions: list[Question], locale: str, *, formdata: Any = None) -> Any:
    """A form with a field per question of the edition's evaluation form."""

    class EvaluationForm(BaseEvaluationForm):
        pass

    fields = question_queries.add_fields(EvaluationForm, questions, locale)
    form = EvaluationForm(formdata=formdata) if formdata is not None else EvaluationForm()
    form.question_fields = fields
    return form


class SettingsForm(FlaskForm):
    close_days = IntegerField(_l("Days after the congress during which attendees can evaluate"),
                              validators=[InputRequired(), NumberRange(min=0, max=365)])
    save = SubmitField(_l("Save"))


class EvidenceForm(FlaskForm):
    """The organiser's button: the sessions' aggregated evaluations into the knowledge base (CSRF only)."""
