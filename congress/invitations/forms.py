"""The forms of the invitations pages (CSRF through Flask-WTF, as every form)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from congress.invitations.importing import LIST_MAX


class ListForm(FlaskForm):
    name = StringField(_l("Name of the list"), validators=[InputRequired(), Length(max=LIST_MAX)])
    reserved_places = IntegerField(_l("Reserved places (optional)"), validators=[Optional(), NumberRange(0, 100_000)],
                                   description=_l("Places held for the members of this list; everyone else cannot "
                                                  "take them until the date below."))
    reserved_until = DateField(_l("Reserved until (inclusive)"), validators=[Optional()])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or Excel file"),
                     description=_l("The first row names the columns: name, e-mail, organisation, sector, list. "
                                    "Name and e-mail are required; a row without a list goes to the list below."))
    list_name = StringField(_l("List"), validators=[InputRequired(), Length(max=LIST_MAX)],
                            description=_l("An existing list, or a new one that is created."))


class ConfirmImportForm(FlaskForm):
    """The checked file once more (base64), to import its valid rows without the refused ones."""

    content = HiddenField()
    filename = HiddenField()
    list_name = HiddenField()


class SendForm(FlaskForm):
    """A send button; ``send_key`` names this round of reminders (a second click sends nothing more)."""

    send_key = HiddenField()


class ButtonForm(FlaskForm):
    """A form with a button only: its CSRF token."""
