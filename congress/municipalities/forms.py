"""The forms of the municipalities page (CSRF through Flask-WTF, as every form)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField
from wtforms.validators import InputRequired, Length

from congress.municipalities.services import NAME_MAX


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or Excel file"),
                     description=_l("The first row names the columns: code (the CBS code, e.g. GM0363) and naam "
                                    "(the name). All rows are imported or none; importing again changes nothing."))


class AddForm(FlaskForm):
    code = StringField(_l("CBS code"), validators=[InputRequired(), Length(max=20)],
                       description=_l("GM and four digits, e.g. GM0363."))
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=NAME_MAX)])


class RemoveForm(FlaskForm):
    municipality_id = HiddenField()
