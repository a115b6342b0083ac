"""Forms of the edition screens (:mod:`congress.manage.editions`): create, settings, status change.

Dutch and English fields come in pairs (``PAIRS``) that the template shows side by side. The rules
(dates in order, a known timezone, the registration window) are the service's
(``core.services.update_congress``); the form checks only the shape of what was typed.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from congress.core.services import MAX_CAPACITY, common_timezones, known_timezones

# (Dutch field, English field) shown next to each other.
PAIRS = (("title_nl", "title_en"), ("tagline_nl", "tagline_en"), ("description_nl", "description_en"))
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class EditionForm(FlaskForm):
    title_nl = StringField(_l("Title (Dutch)"), validators=[InputRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)],
                           description=_l("Empty: the Dutch title."))
    tagline_nl = StringField(_l("Subtitle (Dutch)"), validators=[Optional(), Length(max=300)])
    tagline_en = StringField(_l("Subtitle (English)"), validators=[Optional(), Length(max=300)])
    description_nl = TextAreaField(_l("Description (Dutch)"), validators=[Optional(), Length(max=20_000)],
                                   render_kw={"rows": 6})
    description_en = TextAreaField(_l("Description (English)"), validators=[Optional(), Length(max=20_000)],
                                   render_kw={"rows": 6})
    starts_on = DateField(_l("First day"), validators=[InputRequired(message=_l("Enter the first day."))])
    ends_on = DateField(_l("Last day"), validators=[Optional()], description=_l("Empty: a one-day edition."))
    starts_at_time = TimeField(_l("Starts at"), validators=[Optional()], description=_l("For example 09:30."))
    ends_at_time = TimeField(_l("Ends at"), validators=[Optional()], description=_l("For example 17:00."))
    timezone = SelectField(_l("Timezone"), default="Europe/Amsterdam")
    venue_name = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    venue_address = StringField(_l("Address of the venue"), validators=[Optional(), Length(max=300)])
    capacity = IntegerField(_l("Capacity of the whole edition"),
                            validators=[Optional(), NumberRange(min=0, max=MAX_CAPACITY)],
                            description=_l("Empty: no limit."))
    registration_opens_at = DateTimeLocalField(_l("Registration opens"), validators=[Optional()],
                                               format=DATETIME_FORMAT,
                                               description=_l("Empty: registration does not open yet."))
    registration_closes_at = DateTimeLocalField(_l("Registration closes"), validators=[Optional()],
                                                format=DATETIME_FORMAT,
                                                description=_l("Empty: when the edition starts."))
    contact_email = EmailField(_l("Contact e-mail address"), validators=[Optional(), Length(max=254)],
                               description=_l("Shown to attendees for their questions."))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        zones = common_timezones()
        current = self.timezone.data or "Europe/Amsterdam"
        # An edition's own zone outside the common list (say Etc/GMT+1) stays choosable; nothing typed is.
        known = current in zones or current not in known_timezones()
        self.timezone.choices = [(z, z) for z in (zones if known else [current, *zones])]

    def fields_for_service(self) -> dict[str, object]:
        """The typed values, as ``core.services.update_congress`` takes them (window times in the edition's
        timezone, stored in UTC)."""
        zone = ZoneInfo(self.timezone.data or "Europe/Amsterdam")

        def aware(value: datetime | None) -> datetime | None:
            return value.replace(tzinfo=zone) if value else None

        return {
            "title_nl": self.title_nl.data or "", "title_en": self.title_en.data or "",
            "tagline_nl": self.tagline_nl.data or "", "tagline_en": self.tagline_en.data or "",
            "description_nl": self.description_nl.data or "", "description_en": self.description_en.data or "",
            "starts_on": self.starts_on.data, "ends_on": self.ends_on.data or self.starts_on.data,
            "starts_at_time": self.starts_at_time.data, "ends_at_time": self.ends_at_time.data,
            "timezone": self.timezone.data, "venue_name": self.venue_name.data or "",
            "venue_address": self.venue_address.data or "", "capacity": self.capacity.data,
            "registration_opens_at": aware(self.registration_opens_at.data),
            "registration_closes_at": aware(self.registration_closes_at.data),
            "contact_email": self.contact_email.data or "",
        }


class NewEditionForm(EditionForm):
    slug = StringField(_l("Web address"), validators=[InputRequired(), Length(max=64)],
                       description=_l("Lowercase letters, digits and hyphens, such as congres-2027. It cannot be "
                                      "changed later."))


class StatusForm(FlaskForm):
    status = HiddenField(validators=[InputRequired()])
    expected = HiddenField(validators=[InputRequired()])
    confirm = HiddenField()
