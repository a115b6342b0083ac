"""The forms of the organisers' questions editor."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from congress.questions.kinds import KIND_LABELS, SCALES, Target

# The kinds each form may ask (scales need an evaluation to make sense).
KINDS_OF = {
    Target.REGISTRATION.value: [k for k in KIND_LABELS if k not in SCALES],
    Target.PROPOSAL.value: [k for k in KIND_LABELS if k not in SCALES],
    Target.EVALUATION.value: list(KIND_LABELS),
}


class QuestionForm(FlaskForm):
    """A question's own fields (adding and editing)."""

    kind = SelectField(_l("Kind of answer"))
    label_nl = StringField(_l("Question (Dutch)"), validators=[DataRequired(), Length(max=300)])
    label_en = StringField(_l("Question (English)"), validators=[Optional(), Length(max=300)],
                           description=_l("Leave empty to show the Dutch text in English too."))
    help_nl = TextAreaField(_l("Help text (Dutch)"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})
    help_en = TextAreaField(_l("Help text (English)"), validators=[Optional(), Length(max=1000)],
                            render_kw={"rows": 2})
    required = BooleanField(_l("An answer is required"))
    max_length = IntegerField(_l("Longest answer (characters)"), validators=[Optional(), NumberRange(1, 4000)],
                              description=_l("For text answers; leave empty for the standard limit."))
    scale_low_nl = StringField(_l("Meaning of the lowest score (Dutch)"), validators=[Optional(), Length(max=100)])
    scale_low_en = StringField(_l("Meaning of the lowest score (English)"), validators=[Optional(), Length(max=100)])
    scale_high_nl = StringField(_l("Meaning of the highest score (Dutch)"), validators=[Optional(), Length(max=100)])
    scale_high_en = StringField(_l("Meaning of the highest score (English)"),
                                validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Save question"))


class NewQuestionForm(QuestionForm):
    options = TextAreaField(_l("Options"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 4},
                            description=_l("For choices: one option per line, Dutch | English."))
    submit = SubmitField(_l("Add question"))


class OptionForm(FlaskForm):
    """One option's row: its texts and what to do with it (the button pressed)."""

    value = HiddenField()
    nl = StringField(_l("Option (Dutch)"), validators=[Optional(), Length(max=200)])
    en = StringField(_l("Option (English)"), validators=[Optional(), Length(max=200)])
    action = HiddenField()


class NewOptionForm(FlaskForm):
    nl = StringField(_l("New option (Dutch)"), validators=[DataRequired(), Length(max=200)])
    en = StringField(_l("New option (English)"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Add option"))


class MoveForm(FlaskForm):
    """Up or down (the button's value)."""

    direction = HiddenField()
