"""Forms of the back-office screens that sit on top of the capabilities."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length

from congress.accounts.models import ROLE_LABELS, Role


class InviteForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(), Length(max=254), Email(message=_l("Enter a valid e-mail address."))],
    )
    roles = SelectMultipleField(
        _l("Roles"),
        choices=[SelectChoice(r.value, ROLE_LABELS[r.value]) for r in Role if r is not Role.SPEAKER],
        validators=[InputRequired(message=_l("Choose at least one role."))],
    )
    tracks = SelectMultipleField(_l("Tracks (for track managers)"), coerce=int, choices=[])
