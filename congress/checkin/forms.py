from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import InputRequired, Length


class StationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)],
                       description=_l("For example: Entrance A, or Room 2 — workshop round 1"))
    list = SelectField(_l("Check-in list"), validators=[InputRequired()], validate_choice=True)


class ScanForm(FlaskForm):
    code = StringField(_l("Badge code"), validators=[InputRequired(), Length(max=10_000)],
                       description=_l("Scan the badge: the scanner types the code and presses Enter."))
    list = SelectField(_l("Check-in list"), validators=[InputRequired()])
    admit = BooleanField(_l("Admit even if not enrolled in this session"))


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search

    q = StringField(_l("Name, e-mail address or organisation"), validators=[InputRequired(), Length(min=2, max=200)])
