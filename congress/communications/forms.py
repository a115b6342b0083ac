"""The forms of communications' back-office pages (CSRF through Flask-WTF, as every form)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from congress.communications.mailings import KIND_LABELS, SUBJECT_MAX, TEXT_MAX
from congress.communications.schedules import MAX_DAYS, MOMENT_LABELS

PLACEHOLDER_HELP = _l("Markdown. Placeholders: {{ name }}, {{ manage_url }}, {{ edition }}. The unsubscribe link is "
                      "added at the end by itself.")


class MailingForm(FlaskForm):
    """The audience (the registrations list's filters, or the speakers) and the texts; the filters'
    choices are the edition's (set by the view)."""

    kind = SelectField(_l("Send to"), choices=[(k, v) for k, v in KIND_LABELS.items()])
    status = SelectField(_l("Status"), choices=[], default="")
    role = SelectField(_l("Badge role"), choices=[], default="")
    sector = SelectField(_l("Sector"), choices=[], default="")
    workshop = SelectField(_l("Workshop"), choices=[], default="")
    place = SelectField(_l("Place in the workshop"), choices=[], default="")
    checked_in = SelectField(_l("Checked in"), choices=[], default="")
    subject_nl = StringField(_l("Subject (Dutch)"), validators=[InputRequired(), Length(max=SUBJECT_MAX)])
    text_nl = TextAreaField(_l("Text (Dutch)"), validators=[InputRequired(), Length(max=TEXT_MAX)],
                            description=PLACEHOLDER_HELP, render_kw={"rows": 14})
    subject_en = StringField(_l("Subject (English, optional)"), validators=[Optional(), Length(max=SUBJECT_MAX)])
    text_en = TextAreaField(_l("Text (English, optional)"), validators=[Optional(), Length(max=TEXT_MAX)],
                            description=_l("Recipients whose registration is in English get this version when it "
                                           "is there; everyone else gets the Dutch one."), render_kw={"rows": 10})


class ButtonForm(FlaskForm):
    """A form with a button only: its CSRF token."""


class ScheduleForm(FlaskForm):
    """A scheduled mail: when (days before the start or after the end) and the texts."""

    moment = SelectField(_l("When"), choices=[(k, v) for k, v in MOMENT_LABELS.items()])
    days = IntegerField(_l("Number of days"), validators=[InputRequired(), NumberRange(min=0, max=MAX_DAYS)],
                        description=_l("Sent at 09:00 on that day (the edition's time). 0: on the first day (before "
                                       "the start) or on the last day (after the end)."),
                        render_kw={"min": 0, "max": MAX_DAYS, "inputmode": "numeric"})
    subject_nl = StringField(_l("Subject (Dutch)"), validators=[InputRequired(), Length(max=SUBJECT_MAX)])
    text_nl = TextAreaField(_l("Text (Dutch)"), validators=[InputRequired(), Length(max=TEXT_MAX)],
                            description=PLACEHOLDER_HELP, render_kw={"rows": 14})
    subject_en = StringField(_l("Subject (English, optional)"), validators=[Optional(), Length(max=SUBJECT_MAX)])
    text_en = TextAreaField(_l("Text (English, optional)"), validators=[Optional(), Length(max=TEXT_MAX)],
                            description=_l("Recipients whose registration is in English get this version when it "
                                           "is there; everyone else gets the Dutch one."), render_kw={"rows": 10})
class MailTextForm(FlaskForm):
    """One mail's subject and Markdown text in one language, and the registration the preview uses (its
    choices set by the view). Length and parsing are checked by the service, every refusal at once."""

    subject = StringField(_l("Subject"), validators=[Optional()])
    text = TextAreaField(_l("Text (Markdown)"), validators=[Optional()], render_kw={"rows": 16})
    registration = SelectField(_l("Preview with"), choices=[], validate_choice=False)
