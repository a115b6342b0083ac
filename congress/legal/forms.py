"""The privacy page's form: the statement in Dutch and English side by side, and the retention period."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from congress.legal.models import MAX_RETENTION_MONTHS


class PrivacyForm(FlaskForm):
    privacy_nl = TextAreaField(_l("Privacy statement in Dutch (Markdown)"),
                               validators=[Optional()], render_kw={"rows": 24},
                               description=_l("Headings with ##, lists with -, links as [text](https://…). "
                                              "Leave empty to show the default text."))
    privacy_en = TextAreaField(_l("Privacy statement in English (Markdown)"),
                               validators=[Optional()], render_kw={"rows": 24},
                               description=_l("Leave empty to show the default text."))
    retention_months = IntegerField(
        _l("Retention period in months after the edition ends"),
        validators=[InputRequired(), NumberRange(min=1, max=MAX_RETENTION_MONTHS)],
        description=_l("After this period personal data of registrations, speakers' private fields and "
                       "check-ins are anonymised; counts and the archive stay."))
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Save"))
