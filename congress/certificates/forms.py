"""The organiser's accreditation form, the attendee's register form, and the delete button."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from congress.certificates.models import Basis


def basis_choices() -> list[SelectChoice]:
    return [SelectChoice(Basis.DAY.value, _l("For each congress day")),
            SelectChoice(Basis.SESSION.value, _l("For each session"))]


def unit_choices() -> list[SelectChoice]:
    return [SelectChoice("100", _l("Whole points (1)")), SelectChoice("50", _l("Half points (0.5)")),
            SelectChoice("25", _l("Quarter points (0.25)")), SelectChoice("10", _l("Tenths (0.1)"))]


class AccreditationForm(FlaskForm):
    register = StringField(_l("Professional register"), validators=[InputRequired(), Length(max=80)],
                           render_kw={"list": "known-registers", "autocomplete": "off"},
                           description=_l("For example SKJ, Registerplein, Kwaliteitsregister V&V or BIG-register."))
    number = StringField(_l("Accreditation number"), validators=[Length(max=80)])
    points = StringField(_l("Points"), validators=[InputRequired(), Length(max=12)],
                         description=_l("For example 4 or 3,5."))
    basis = SelectField(_l("The points are"), choices=basis_choices)
    unit = SelectField(_l("The register rounds to"), choices=unit_choices)
    submit = SubmitField(_l("Add the accreditation"))


class DeleteForm(FlaskForm):
    submit = SubmitField(_l("Delete"))


class RegisterNumberForm(FlaskForm):
    register = SelectField(_l("Professional register"), choices=[])
    number = StringField(_l("Registration number"), validators=[Length(max=40)],
                         description=_l("Leave both empty if you do not want your number on the certificate."))
    submit = SubmitField(_l("Save"))
