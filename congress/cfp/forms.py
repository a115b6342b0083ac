from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, EqualTo, InputRequired, Length, NumberRange, Optional

from congress.accounts.services import MIN_PASSWORD_LENGTH
from congress.cfp.models import PROTECTIVE_FACTORS
from congress.uploads import PublicationRightsFields


class SignupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(), Length(max=254), Email(message=_l("Enter a valid e-mail address."))],
    )


class VerifyForm(FlaskForm):
    password = PasswordField(
        _l("Choose a password"),
        validators=[InputRequired(), Length(min=MIN_PASSWORD_LENGTH, max=500)],
        description=_l("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    function = StringField(_l("Function"), validators=[Optional(), Length(max=200)])
    bio = TextAreaField(_l("Biography"), validators=[Optional()],
                        description=_l("In Dutch; shown on the programme's speaker pages."))
    bio_en = TextAreaField(_l("Biography in English"), validators=[Optional()],
                           description=_l("Optional; English readers see the Dutch one without it."))
    photo = FileField(_l("Photo"), description=_l("JPEG, PNG or WebP, at most 3 MB. It is cropped to a square "
                                                  "and shown once a session of yours is in the published "
                                                  "programme."))
    remove_photo = BooleanField(_l("Remove my photo"))


def protective_factor_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("Choose…"))] + [SelectChoice(f, f) for f in PROTECTIVE_FACTORS]


class ProposalForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=300)])
    abstract = TextAreaField(_l("Abstract"), description=_l("A short summary for the programme."))
    description = TextAreaField(_l("Description"), description=_l("What happens in the session, and how."))
    format_duration = SelectField(_l("Format and duration"), choices=[])
    track_id = SelectField(_l("Track"), coerce=int, choices=[])
    language = SelectField(_l("Language"), choices=[SelectChoice("nl", _l("Dutch")), SelectChoice("en", _l("English"))])
    target_audience = StringField(_l("Target audience"), validators=[Optional(), Length(max=250)])
    protective_factor = SelectField(_l("Protective factor the session strengthens"), choices=[])
    notes = TextAreaField(_l("Notes for the organisers"), description=_l("Only the organisers read this."))


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-mail address of the co-speaker"),
        validators=[InputRequired(), Length(max=254), Email(message=_l("Enter a valid e-mail address."))],
    )


class RecordingConsentForm(FlaskForm):
    """The speaker's consent to the recording of their session (per proposal, so per session)."""

    recording_consent = BooleanField(
        _l("I agree that my session is recorded (image and sound) and that the recording is published in the "
           "knowledge base."),
        description=_l("Published means: anyone can watch it on the knowledge base, and open-data services "
                       "(repositories, search engines, data portals) may list it, under the licence the editors "
                       "give the recording. It is published only when every speaker of the session agrees. You "
                       "can withdraw your consent here at any time: the recording then leaves the public "
                       "knowledge base and the open-data listings (harvesters are told it was deleted)."))


class SlidesForm(PublicationRightsFields, FlaskForm):
    slides = FileField(_l("Slides"), description=_l("PDF or PowerPoint (.pptx), at most 40 MB."))


class SettingsForm(FlaskForm):
    opens_at = DateTimeLocalField(_l("Opens at"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes at"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    max_proposals_per_speaker = IntegerField(
        _l("Maximum number of proposals per speaker"), validators=[InputRequired(), NumberRange(min=1, max=100)]
    )
    title_max = IntegerField(_l("Maximum length of the title"), validators=[InputRequired(), NumberRange(10, 300)])
    abstract_max = IntegerField(_l("Maximum length of the abstract"),
                                validators=[InputRequired(), NumberRange(50, 20000)])
    description_max = IntegerField(_l("Maximum length of the description"),
                                   validators=[InputRequired(), NumberRange(50, 50000)])
    notes_max = IntegerField(_l("Maximum length of the notes"), validators=[InputRequired(), NumberRange(0, 20000)])
    bio_max = IntegerField(_l("Maximum length of the biography"), validators=[InputRequired(), NumberRange(0, 20000)])
    call_text_nl = TextAreaField(_l("Call text (Dutch)"))
    call_text_en = TextAreaField(_l("Call text (English)"))
    anonymised = BooleanField(_l("Anonymised review: reviewers do not see names or organisations"))
    tracks = SelectMultipleField(_l("Tracks that take proposals"), coerce=int, choices=[])
    formats = TextAreaField(
        _l("Formats"),
        description=_l("One per line: kind | name NL | name EN | durations in minutes, e.g. "
                       "workshop | Workshop | Workshop | 60, 90"),
    )
    # The call's questions have the questions editor of their own (linked from the settings page).
    criteria = TextAreaField(
        _l("Review criteria"), description=_l("One per line: name NL | name EN | weight (whole number)")
    )


class AssignForm(FlaskForm):
    reviewer_id = SelectField(_l("Reviewer"), coerce=int, choices=[])
    target = SelectField(_l("Track or proposal"), choices=[])
