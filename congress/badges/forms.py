from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from congress.badges.layouts import LAYOUTS

LAYOUT_LABELS = {
    "a6": _l("A6, one badge per page (badge printer)"),
    "badge-4x3": _l("4 × 3 inch, one badge per page (badge printer)"),
    "a4-4up": _l("A4 sheets with 4 badges (A6), cut marks"),
    "a4-8up": _l("A4 sheets with 8 badges (A7), cut marks"),
    "folded": _l("Folded A5: badge in front, personal programme on the back"),
}
WHO_LABELS = {
    "everyone": _l("Everyone (confirmed)"),
    "track": _l("Enrolled in a track"),
    "sector": _l("A sector"),
    "new": _l("Only new since the last print run"),
    "one": _l("One person"),
}


class PrintForm(FlaskForm):
    layout = SelectField(_l("Layout"), choices=[SelectChoice(k, LAYOUT_LABELS[k]) for k in LAYOUTS],
                         validators=[InputRequired()])
    who = SelectField(_l("Who"), choices=[SelectChoice(k, v) for k, v in WHO_LABELS.items()],
                      validators=[InputRequired()])
    track = SelectField(_l("Track"), coerce=int, validators=[Optional()], validate_choice=False)
    sector = SelectField(_l("Sector"), coerce=int, validators=[Optional()], validate_choice=False)
    registration = IntegerField(_l("Registration number (for one person)"), validators=[Optional()])
