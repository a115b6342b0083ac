"""Forms of the programme's management pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, Regexp

from congress.programme.models import SessionFormat, format_label

LOCAL = "%Y-%m-%dT%H:%M"


def format_choices() -> list[tuple[str, str]]:
    return [(f.value, format_label(f.value)) for f in SessionFormat]


LANGUAGE_CHOICES = [("nl", _l("Dutch")), ("en", _l("English"))]


def _optional_int(value: object) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)  # type: ignore[arg-type]


class SessionForm(FlaskForm):
    title = StringField(_l("Title (Dutch)"), validators=[InputRequired(), Length(max=250)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=250)],
                           description=_l("Optional: English readers see the Dutch title without it."))
    abstract = TextAreaField(_l("Abstract (Dutch)"), validators=[Length(max=10000)])
    abstract_en = TextAreaField(_l("Abstract (English)"), validators=[Length(max=10000)])
    format = SelectField(_l("Format"), choices=[])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    target_audience = StringField(_l("Target audience"), validators=[Length(max=250)])
    track_id = SelectField(_l("Track"), coerce=_optional_int, choices=[])
    room_id = SelectField(_l("Room"), coerce=_optional_int, choices=[])
    starts_at = DateTimeLocalField(_l("Start"), format=LOCAL, validators=[Optional()],
                                   description=_l("Local time of the congress venue."))
    ends_at = DateTimeLocalField(_l("End"), format=LOCAL, validators=[Optional()])
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), NumberRange(min=0, max=100000)],
                            description=_l("Leave empty to use the room's capacity."))
    signup_round_id = SelectField(_l("Sign-up round"), coerce=_optional_int, choices=[])
    signup_required = BooleanField(_l("Attendees sign up for this session"))
    speaker_ids = SelectMultipleField(_l("Speakers"), coerce=int, choices=[])
    new_speaker_name = StringField(_l("New speaker: name"), validators=[Length(max=200)])
    new_speaker_email = EmailField(_l("New speaker: e-mail address"),
                                   validators=[Optional(), Length(max=254), Email()])
    is_cancelled = BooleanField(_l("Cancelled"))
    stream_url = StringField(_l("Stream or meeting link"), validators=[Length(max=500)],
                             description=_l("Only registrants see it, on their personal page; opening it "
                                            "during the session counts them as present online."))


class MoveForm(FlaskForm):
    session_id = HiddenField(validators=[InputRequired()])
    room_id = SelectField(_l("Room"), coerce=_optional_int, choices=[])
    day = SelectField(_l("Day"), choices=[])
    start = StringField(_l("Start time"), validators=[InputRequired(), Regexp(r"^([01]\d|2[0-3]):[0-5]\d$",
                                                      message=_l("Use hours and minutes, e.g. 13:30."))])


class TrackForm(FlaskForm):
    name_nl = StringField(_l("Name (Dutch)"), validators=[InputRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[InputRequired(), Length(max=200)])
    colour = StringField(_l("Colour"), default="#154273",
                         validators=[InputRequired(), Regexp(r"^#[0-9a-fA-F]{6}$",
                                                             message=_l("A colour such as #154273."))])
    description_nl = TextAreaField(_l("Description (Dutch)"), validators=[Length(max=5000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=5000)])
    managers = SelectMultipleField(_l("Track managers"), coerce=int, choices=[])


class RoomForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    capacity = IntegerField(_l("Capacity"), validators=[InputRequired(), NumberRange(min=0, max=100000)])
    accessibility_notes = TextAreaField(_l("Accessibility notes"), validators=[Length(max=5000)])
    available_from = DateTimeLocalField(_l("Available from"), format=LOCAL, validators=[Optional()],
                                        description=_l("Leave empty if the room is available all congress."))
    available_until = DateTimeLocalField(_l("Available until"), format=LOCAL, validators=[Optional()])
    stream_url = StringField(_l("Stream or meeting link"), validators=[Length(max=500)],
                             description=_l("For the room's sessions without a link of their own; only "
                                            "registrants see it."))


class SignupRoundForm(FlaskForm):
    name_nl = StringField(_l("Name (Dutch)"), validators=[InputRequired(), Length(max=120)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=120)])
    position = IntegerField(_l("Order"), default=0, validators=[Optional(), NumberRange(min=0, max=1000)])


class PublishForm(FlaskForm):
    note = TextAreaField(_l("Note for the changelog"), validators=[Length(max=2000)])
