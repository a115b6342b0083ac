"""Forms of the back-office screens that sit on top of the capabilities."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length

from congress.accounts.models import ROLE_LABELS, Role, TokenScope

# Administrator last: never the choice a form starts with.
STAFF_ROLE_CHOICES = [SelectChoice(r.value, ROLE_LABELS[r.value])
                      for r in (Role.ORGANISER, Role.TRACK_MANAGER, Role.REVIEWER, Role.CHECKIN, Role.ADMIN)]
EDITIONS_DESCRIPTION = _l("Choose none for every edition (administrators and organisers of every edition only).")


class InviteForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(), Length(max=254), Email(message=_l("Enter a valid e-mail address."))],
    )
    roles = SelectMultipleField(
        _l("Roles"),
        choices=list(STAFF_ROLE_CHOICES),
        validators=[InputRequired(message=_l("Choose at least one role."))],
    )
    editions = SelectMultipleField(_l("Editions"), coerce=int, choices=[], description=EDITIONS_DESCRIPTION)
    tracks = SelectMultipleField(_l("Tracks (for track managers)"), coerce=int, choices=[])


class RoleForm(FlaskForm):
    """One role for one person: for these editions, or (a track manager) these tracks."""

    role = SelectField(_l("Role"), choices=list(STAFF_ROLE_CHOICES), validators=[InputRequired()])
    editions = SelectMultipleField(_l("Editions"), coerce=int, choices=[], description=EDITIONS_DESCRIPTION)
    tracks = SelectMultipleField(_l("Tracks (for track managers)"), coerce=int, choices=[])


TOKEN_SCOPE_LABELS = {
    TokenScope.CHECKIN.value: _l("Check-in (scanners)"),
    TokenScope.REGISTRATIONS.value: _l("Registrations (a partner's system registers people)"),
    TokenScope.READ.value: _l("Read only (programme and feeds)"),
}


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=100)],
                       description=_l("Who or what uses it, such as \u201cscanner hall 1\u201d."))
    scope = SelectField(_l("Scope"), choices=[], validators=[InputRequired()])
