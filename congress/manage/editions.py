"""The edition screens of the back office (blueprint ``manage.editions``, nested in ``manage``):
create an edition (``/manage/editions/new``), edit its settings (``/manage/<slug>/settings``) and move
it through its lifecycle with a confirmation step (``/manage/<slug>/status``, POST from the settings).

Views stay thin: the form is read, ``core.services`` applies the rules in its own transaction, and a
refusal is shown next to its field in the user's language.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.core import services as core
from congress.core.models import Congress
from congress.core.queries import edition_or_404
from congress.errors import ServiceError
from congress.manage.edition_forms import PAIRS, EditionForm, NewEditionForm, StatusForm
from congress.registration import queries as registrations

bp = Blueprint("editions", __name__)
ORGANISER = Role.ORGANISER.value
# The edition's home in the back office once the cockpit is there; until then its settings.
COCKPIT = "manage.cockpit.index"


def _show_errors(form: EditionForm, exc: ServiceError) -> None:
    errors = exc.errors or {"title_nl": [exc.message]}
    for name, messages in errors.items():
        field = getattr(form, name, None) or form.title_nl
        field.errors = [*(field.errors or []), *messages]


def _local(value: datetime | None, timezone: str) -> datetime | None:
    return value.astimezone(ZoneInfo(timezone)).replace(tzinfo=None) if value else None


def _home(congress: Congress) -> str:
    if COCKPIT in current_app.view_functions:
        return url_for(COCKPIT, slug=congress.slug)
    return url_for("manage.editions.settings", slug=congress.slug)


@bp.route("/editions/new", methods=["GET", "POST"])
@roles_required(ORGANISER)
def new():
    form = NewEditionForm()
    if form.validate_on_submit():
        fields = form.fields_for_service()
        if fields["registration_closes_at"] is None:
            # Registration closes when the edition starts, unless the organiser says otherwise.
            start = form.starts_at_time.data or datetime.min.time()
            fields["registration_closes_at"] = core.local_datetime(form.starts_on.data, start,
                                                                   form.timezone.data or "Europe/Amsterdam")
        try:
            congress = core.create_congress(form.slug.data or "", **fields)
        except ServiceError as exc:
            if exc.field == "slug":
                form.slug.errors = [exc.message]
            else:
                _show_errors(form, exc)
        else:
            flash(_("The edition %(title)s has been created as a draft.", title=congress.title_nl), "success")
            return redirect(_home(congress))
    status = 422 if form.is_submitted() else 200
    return render_template("manage/editions/new.html", form=form, pairs=PAIRS), status


@bp.route("/<slug>/settings", methods=["GET", "POST"])
@roles_required(ORGANISER)
def settings(slug: str):
    congress = edition_or_404(slug)
    if request.method == "POST":
        form = EditionForm()
    else:
        form = EditionForm(data={
            **{name: getattr(congress, name) for name in core.EDITABLE},
            "registration_opens_at": _local(congress.registration_opens_at, congress.timezone),
            "registration_closes_at": _local(congress.registration_closes_at, congress.timezone),
        })
    if form.validate_on_submit():
        try:
            core.update_congress(congress, **form.fields_for_service())
        except ServiceError as exc:
            _show_errors(form, exc)
        else:
            flash(_("The settings have been saved."), "success")
            return redirect(url_for("manage.editions.settings", slug=slug))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "manage/editions/settings.html", congress=congress, form=form, pairs=PAIRS,
        moves=core.allowed_moves(congress.status), labels=core.STATUS_LABELS, status_form=StatusForm(),
        registration_state=registrations.registration_state(congress),
    ), status


@bp.route("/<slug>/status", methods=["POST"])
@roles_required(ORGANISER)
def status(slug: str):
    """First POST: the confirmation step (what the move does); with ``confirm=yes``: the move."""
    congress = edition_or_404(slug)
    form = StatusForm()
    wanted = form.status.data or ""
    if not form.validate_on_submit() or wanted not in core.STATUS_LABELS:
        flash(_("Choose a status from the settings page."), "error")
        return redirect(url_for("manage.editions.settings", slug=slug))
    if form.confirm.data != "yes":
        return render_template(
            "manage/editions/status.html", congress=congress, form=form, wanted=wanted,
            allowed=wanted in core.allowed_moves(congress.status), labels=core.STATUS_LABELS,
            effect=core.MOVE_EFFECTS.get(wanted, ""), active=registrations.active_count(congress.id),
        )
    try:
        core.change_status(congress, wanted, expected=form.expected.data or congress.status)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("manage.editions.settings", slug=slug), 303)
    flash(_("The edition is now %(status)s.", status=core.STATUS_LABELS[wanted]), "success")
    return redirect(url_for("manage.editions.settings", slug=slug), 303)
