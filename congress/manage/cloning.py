"""Cloning an edition from the back office (blueprint ``manage.cloning``, nested in ``manage``):
``/manage/<slug>/clone`` asks the new slug, start date and titles, says what will and will not be
copied, and hands over to :func:`congress.core.cloning.clone_edition`."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length

from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.cfp import services as cfp
from congress.core import cloning
from congress.core.models import Congress
from congress.core.queries import congress_by_slug, edition_or_404
from congress.errors import ServiceError
from congress.i18n import current_language
from congress.programme import queries as programme
from congress.questions import queries as questions
from congress.registration import queries as registration

bp = Blueprint("cloning", __name__)
# Where a new edition is set up further (the lifecycle's settings page); the dashboard until it exists.
SETTINGS_ENDPOINT = "manage.editions.settings"

# What the counts of :func:`congress.core.cloning.clone_edition` are called on the page.
KIND_LABELS = {
    "tracks": _l("Tracks"),
    "rooms": _l("Rooms, with their availability"),
    "signup_rounds": _l("Sign-up rounds"),
    "sessions": _l("Sessions, moved to the new dates, without speakers (a draft programme)"),
    "sectors": _l("Sectors of the registration form"),
    "questions_registration": _l("Questions of the registration form"),
    "questions_proposal": _l("Questions of the call for proposals"),
    "questions_evaluation": _l("Questions of the session evaluations"),
    "cfp_settings": _l("Call for proposals: window, limits and texts"),
    "cfp_tracks": _l("Tracks open for proposals"),
    "cfp_formats": _l("Session formats of the call"),
    "cfp_criteria": _l("Review criteria"),
}
NOT_COPIED = (
    _l("Registrations, enrolments and waiting lists"),
    _l("Speakers and their proposals, co-speakers’ invitations and slides"),
    _l("Reviewers’ assignments, conflicts of interest and reviews"),
    _l("Check-ins, check-in stations, badges and print runs"),
    _l("Published programme versions: the new programme stays a draft until you publish it"),
    _l("Sent mail, the audit log and the knowledge archive"),
    _l("Staff and their roles"),
)


class CloneForm(FlaskForm):
    slug = StringField(_l("Slug of the new edition"), validators=[InputRequired(), Length(max=64)],
                       description=_l("Part of its web addresses, e.g. congres-2026: lower-case letters, digits "
                                      "and hyphens."))
    starts_on = DateField(_l("First day of the new edition"), validators=[InputRequired()],
                          description=_l("Every date and time moves by the same number of days."))
    title_nl = StringField(_l("Title (Dutch)"), validators=[DataRequired(), Length(max=cloning.TITLE_MAX)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=cloning.TITLE_MAX)])
    submit = SubmitField(_l("Clone the edition"))


def summary(source: Congress) -> list[tuple[str, int]]:
    """(label, count) of what cloning ``source`` copies now, in the order of :data:`KIND_LABELS`."""
    settings = cfp.settings_for(source)
    counts = {
        "tracks": len(source.tracks),
        "rooms": len(source.rooms),
        "signup_rounds": len(programme.signup_rounds(source)),
        "sessions": sum(not s.is_cancelled for s in programme.all_sessions(source)),
        "sectors": len(registration.sectors(source)),
        **{f"questions_{t.value}": len(questions.questions(source, t.value)) for t in questions.Target},
        "cfp_settings": int(settings is not None),
        "cfp_tracks": len(cfp.open_tracks(source)),
        "cfp_formats": len(cfp.formats(source)),
        "cfp_criteria": len(cfp.criteria(source)),
    }
    return [(str(label), counts[kind]) for kind, label in KIND_LABELS.items()]


def _suggestion(source: Congress) -> tuple[str, date]:
    """A slug and start date a year on (the same weekday), the slug only when it is free."""
    starts_on = source.starts_on + timedelta(weeks=52)
    if starts_on.year == source.starts_on.year:
        starts_on += timedelta(weeks=1)
    slug = cloning.next_title(source.slug, starts_on - source.starts_on)
    return (slug if slug != source.slug and congress_by_slug(slug) is None else ""), starts_on


@bp.route("/<slug>/clone", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def clone(slug: str):
    source = edition_or_404(slug, only_read=True)  # an archived edition is cloned too
    form = CloneForm()
    status = 200
    if not form.is_submitted():
        form.slug.data, form.starts_on.data = _suggestion(source)
        shift = form.starts_on.data - source.starts_on
        form.title_nl.data = cloning.next_title(source.title_nl, shift)
        form.title_en.data = cloning.next_title(source.title_en, shift)
    elif form.validate():
        try:
            result = cloning.clone_edition(source, form.slug.data, form.starts_on.data, title_nl=form.title_nl.data,
                                           title_en=form.title_en.data)
        except ServiceError as exc:
            _show_errors(form, exc)
            status = exc.status
        else:
            target = result.congress
            flash(_("%(title)s has been created as a draft from %(source)s.", title=target.title(current_language()),
                    source=source.slug), "success")
            return redirect(_next_page(target))
    else:
        status = 422
    return render_template("manage/cloning/clone.html", source=source, form=form, summary=summary(source),
                           not_copied=[str(line) for line in NOT_COPIED]), status


def _show_errors(form: CloneForm, exc: ServiceError) -> None:
    for name, messages in (exc.errors or {"slug": [exc.message]}).items():
        target = getattr(form, name, None)
        if target is None:
            form.form_errors.extend(messages)
        else:
            target.errors = [*target.errors, *messages]


def _next_page(target: Congress) -> str:
    if SETTINGS_ENDPOINT in current_app.view_functions:
        return url_for(SETTINGS_ENDPOINT, slug=target.slug)
    return url_for("manage.dashboard")
