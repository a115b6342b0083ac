"""Forms. Built per edition (sectors, sign-up rounds and custom questions vary); the rules themselves are
checked again by the services, whose messages are shown next to the fields."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from congress.municipalities import queries as municipalities
from congress.questions import queries as question_queries
from congress.questions.queries import KIND_LABELS as ALL_KIND_LABELS
from congress.questions.queries import MaxLength, QuestionKind, Required
from congress.registration.models import BadgeRole, Registration
from congress.registration.services import RegistrationData, SessionSeats
from congress.registration.validation import EMAIL_LIMIT, LIMITS

ROLE_LABELS = {
    BadgeRole.ATTENDEE.value: _l("Attendee"),
    BadgeRole.SPEAKER.value: _l("Speaker"),
    BadgeRole.PRESS.value: _l("Press"),
    BadgeRole.VOLUNTEER.value: _l("Volunteer"),
    BadgeRole.ORGANISATION.value: _l("Organisation"),
}
STATUS_LABELS = {
    "pending": _l("Awaiting confirmation"),
    "confirmed": _l("Confirmed"),
    "waitlisted": _l("On the waiting list"),
    "cancelled": _l("Cancelled"),
}
ENROLMENT_LABELS = {"enrolled": _l("Enrolled"), "waitlisted": _l("On the waiting list")}
# The kinds the registration form asks (the scales are for the session evaluations).
KIND_LABELS = {k.value: ALL_KIND_LABELS[k.value] for k in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT,
                                               QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE,
                                               QuestionKind.CHECKBOX)}


class BaseRegistrationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Required(), MaxLength(LIMITS["name"])],
                       render_kw={"autocomplete": "name"})
    email = StringField(_l("E-mail address"), validators=[Required(), MaxLength(EMAIL_LIMIT)],
                        render_kw={"autocomplete": "email", "inputmode": "email", "type": "email"})
    organisation = StringField(_l("Organisation"), validators=[MaxLength(LIMITS["organisation"])],
                               render_kw={"autocomplete": "organization"})
    function = StringField(_l("Function"), validators=[MaxLength(LIMITS["function"])],
                           render_kw={"autocomplete": "organization-title"})
    sector = SelectField(_l("Sector"), choices=[], validate_choice=False, validators=[Required()])
    # Offered when the organisers' list of municipalities is not empty; optional (the reach report).
    municipality = SelectField(_l("Municipality"), choices=[], validate_choice=False,
                               description=_l("If you work for a municipality: which one."))
    dietary = TextAreaField(_l("Dietary wishes"), validators=[MaxLength(LIMITS["dietary"])], render_kw={"rows": 2})
    accessibility = TextAreaField(_l("Accessibility needs"), validators=[MaxLength(LIMITS["accessibility"])],
                                  description=_l("For example a wheelchair space, a hearing loop or an interpreter."),
                                  render_kw={"rows": 2})
    consent_privacy = BooleanField(_l("I agree to the privacy statement."), validators=[Required()])
    consent_attendee_list = BooleanField(_l("My name and organisation may appear on the attendee list."))
    consent_photos = BooleanField(_l("I do not mind appearing in photos of the congress."))
    consent_network = BooleanField(
        _l("I want to appear in the participants' network and be contactable by other participants."),
        description=_l("Other confirmed participants of this edition then see your name, organisation, function, "
                       "sector, municipality and workshops, and can send you a message through the system. Your "
                       "e-mail address stays hidden unless you share it. You can withdraw this at any time."))
    # Offered when the edition has online places beside the venue's.
    attendance_mode = RadioField(_l("How will you take part?"), choices=[
        ("in_person", _l("In the venue")), ("online", _l("Online, through the stream or meeting link"))],
        default="in_person", validate_choice=False,
        description=_l("Online you can join every streamed session; workshop places are for the venue."))
    role = SelectField(_l("Badge role"), choices=[(k, v) for k, v in ROLE_LABELS.items()], validate_choice=True)
    override = BooleanField(_l("Go over capacity if a session or the edition is full (recorded in the audit log)"))
    submit = SubmitField(_l("Register"))


def registration_form(congress_sectors: list, questions: list, rounds: list[tuple[Any, list[SessionSeats]]],
                      locale: str, *, organiser: bool = False, registration: Registration | None = None,
                      formdata: Any = None, sessions: bool = True, online: bool = False) -> BaseRegistrationForm:
    """A form class with this edition's sectors, sign-up rounds and custom questions."""

    class RegistrationForm(BaseRegistrationForm):
        pass

    question_fields = question_queries.add_fields(RegistrationForm, questions, locale)
    if sessions:
        for signup_round, seats in rounds:
            if signup_round is not None:
                setattr(RegistrationForm, f"round_{signup_round.id}", RadioField(
                    signup_round.name(locale), choices=[("", _l("No workshop in this round"))]
                    + [(str(s.session.id), s.session.title_for(locale)) for s in seats],
                    validate_choice=False, default=""))
            else:
                for s in seats:
                    setattr(RegistrationForm, f"session_{s.session.id}", BooleanField(s.session.title_for(locale)))
    form = RegistrationForm(formdata=formdata) if formdata is not None else RegistrationForm()
    form.question_fields = question_fields
    # Hidden sectors are no longer offered; a registration that chose one keeps seeing it.
    current_sector = registration.sector_id if registration is not None else None
    congress_sectors = [s for s in congress_sectors if not s.hidden or s.id == current_sector]
    form.sector.choices = [("", _l("Choose…"))] + [(str(s.id), s.name(locale)) for s in congress_sectors]
    if not organiser:
        del form.role
        del form.override
    if not online or registration is not None:
        # Chosen when registering; a registration keeps its mode (the places are another pool).
        del form.attendance_mode
    if not congress_sectors:
        del form.sector
    listed = municipalities.all_municipalities()
    if listed:
        form.municipality.choices = [("", _l("Not applicable"))] + [(str(m.id), m.name) for m in listed]
    else:
        del form.municipality
    if registration is not None and not form.is_submitted():
        fill_from(form, registration)
    return form


def fill_from(form: BaseRegistrationForm, registration: Registration) -> None:
    for name in ("name", "email", "organisation", "function", "dietary", "accessibility",
                 "consent_privacy", "consent_attendee_list", "consent_photos", "consent_network"):
        getattr(form, name).data = getattr(registration, name)
    if getattr(form, "sector", None) is not None:
        form.sector.data = str(registration.sector_id) if registration.sector_id else ""
    if getattr(form, "municipality", None) is not None:
        form.municipality.data = str(registration.municipality_id) if registration.municipality_id else ""
    if getattr(form, "role", None) is not None:
        form.role.data = registration.role
    if getattr(form, "attendance_mode", None) is not None:
        form.attendance_mode.data = registration.attendance_mode
    question_queries.fill(form, form.question_fields, registration.answers)
    for enrolment in registration.enrolments:
        if enrolment.round_id is not None and getattr(form, f"round_{enrolment.round_id}", None) is not None:
            getattr(form, f"round_{enrolment.round_id}").data = str(enrolment.session_id)
        elif getattr(form, f"session_{enrolment.session_id}", None) is not None:
            getattr(form, f"session_{enrolment.session_id}").data = True


def _as_id(value: object) -> int | None:
    """A posted id as a number the database can hold (1..2**31-1); else None."""
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) <= 10 and 0 < int(text) <= 2**31 - 1 else None


def data_from(form: BaseRegistrationForm, locale: str) -> RegistrationData:
    sector = form.sector.data if getattr(form, "sector", None) is not None else ""
    return RegistrationData(
        name=form.name.data or "",
        email=form.email.data or "",
        organisation=form.organisation.data or "",
        function=form.function.data or "",
        sector_id=_as_id(sector),
        municipality_id=_as_id(form.municipality.data) if getattr(form, "municipality", None) is not None else None,
        dietary=form.dietary.data or "",
        accessibility=form.accessibility.data or "",
        answers=question_queries.answers_from(form, form.question_fields),
        consent_privacy=bool(form.consent_privacy.data) if getattr(form, "consent_privacy", None) is not None else True,
        consent_attendee_list=bool(form.consent_attendee_list.data),
        consent_photos=bool(form.consent_photos.data),
        consent_network=bool(form.consent_network.data),
        attendance_mode=(form.attendance_mode.data or "in_person") if getattr(form, "attendance_mode", None)
        is not None else "in_person",
        locale=locale,
    )


def chosen_sessions(form: BaseRegistrationForm) -> list[int]:
    chosen = []
    for field in form:
        if field.name.startswith("round_") and field.data and str(field.data).isdigit():
            chosen.append(_as_id(field.data) or 0)  # 0: no such session, the service says so
        elif field.name.startswith("session_") and field.data:
            chosen.append(int(field.name.split("_", 1)[1]))
    return chosen


def show_errors(form: BaseRegistrationForm, errors: dict[str, list[str]]) -> None:
    """Put the services' messages next to the fields they belong to."""
    for name, messages in errors.items():
        target = getattr(form, name, None) if name != "sessions" else None
        if target is None and name == "sessions":
            target = next((f for f in form if f.name.startswith(("round_", "session_"))), None)
        if target is None:
            form.form_errors.extend(messages)
            continue
        target.errors = list(target.errors or []) + [m for m in messages if m not in (target.errors or [])]


class LinkForm(FlaskForm):
    email = StringField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)],
                        render_kw={"autocomplete": "email", "inputmode": "email", "type": "email"})
    submit = SubmitField(_l("Send me my link"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirm my registration"))


class CancelForm(FlaskForm):
    submit = SubmitField(_l("Cancel my registration"))


class EraseForm(FlaskForm):
    sure = BooleanField(_l("I understand that my data will be erased and my registration cancelled."),
                        validators=[DataRequired()])
    submit = SubmitField(_l("Erase my data"))


class WindowForm(FlaskForm):
    opens_at = DateTimeLocalField(_l("Registration opens"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("Registration closes"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    capacity = IntegerField(_l("Capacity of the whole edition"), validators=[Optional(), NumberRange(min=0)],
                            description=_l("Leave empty for no limit."))
    waiting_list = BooleanField(_l("Offer a waiting list when the edition is full"),
                                description=_l("People who register when every place is taken join the list; "
                                               "a freed place goes to the first person waiting at once."))
    online_places = BooleanField(_l("Offer online places beside the places in the venue"),
                                 description=_l("Registrants choose: in the venue or online. Online registrants "
                                                "see the stream or meeting links of the sessions on their "
                                                "personal page; their attendance is recorded when they join."))
    online_capacity = IntegerField(_l("Online places"), validators=[Optional(), NumberRange(min=0, max=1_000_000)],
                                   description=_l("Leave empty for no limit."))
    submit = SubmitField(_l("Save"))


class SectorsForm(FlaskForm):
    sectors = TextAreaField(_l("Sectors"), validators=[DataRequired(), Length(max=4000)], render_kw={"rows": 8},
                            description=_l("One per line: Dutch name | English name."))
    submit = SubmitField(_l("Save sectors"))


class SectorForm(FlaskForm):
    name_nl = StringField(_l("Sector (Dutch)"), validators=[DataRequired(), Length(max=120)])
    name_en = StringField(_l("Sector (English)"), validators=[Optional(), Length(max=120)])
    submit = SubmitField(_l("Add sector"))


class SectorRowForm(FlaskForm):
    """One sector's row on the sectors page (its fields are read from the request: one form per row)."""


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[(k, v) for k, v in KIND_LABELS.items()])
    label_nl = StringField(_l("Question (Dutch)"), validators=[DataRequired(), Length(max=300)])
    label_en = StringField(_l("Question (English)"), validators=[Optional(), Length(max=300)])
    required = BooleanField(_l("Required"))
    options = TextAreaField(_l("Options"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 4},
                            description=_l("For choices: one per line, Dutch | English."))
    submit = SubmitField(_l("Add question"))


class CapacityForm(FlaskForm):
    capacity = IntegerField(_l("Capacity of this session"), validators=[Optional(), NumberRange(min=0)],
                            description=_l("Leave empty to use the room's capacity."))
    submit = SubmitField(_l("Save capacity"))


class MoveForm(FlaskForm):
    session = SelectField(_l("Session"), choices=[], validate_choice=False)
    target = SelectField(_l("Place"), choices=[("enrolled", _l("Enrolled")), ("waitlisted", _l("On the waiting list")),
                                               ("none", _l("Not in this session"))])
    override = BooleanField(_l("Go over capacity if the session is full (recorded in the audit log)"))
    submit = SubmitField(_l("Move"))


class RoleForm(FlaskForm):
    role = SelectField(_l("Badge role"), choices=[(k, v) for k, v in ROLE_LABELS.items()])
    submit = SubmitField(_l("Save role"))


def pairs(text: str) -> list[tuple[str, str]]:
    """``nl | en`` lines into pairs (English falls back to the Dutch)."""
    result = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        nl, _sep, en = line.partition("|")
        nl, en = nl.strip()[:120], en.strip()[:120]
        if nl:
            result.append((nl, en or nl))
    return result
