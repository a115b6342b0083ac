"""Forms of the back office's confirmation steps (guard rails before an organiser's irreversible act)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.validators import AnyOf


class OrganiserCancelForm(FlaskForm):
    """The confirmation step before an organiser cancels someone's registration: only a post of this
    form (its ``step`` field) cancels; any other post is shown the confirmation page."""

    step = HiddenField(validators=[AnyOf(["confirmed"])])  # no default: a post without it confirms nothing
    notify = BooleanField(_l("E-mail the person that their registration has been cancelled"), default=True)
    submit = SubmitField(_l("Yes, cancel this registration"))
