"""The organisers' pages (blueprint ``registration_manage`` under /manage/registrations)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from congress.accounts import permissions
from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.core.models import Congress
from congress.core.queries import edition_or_404, of_edition_or_404
from congress.errors import ServiceError
from congress.extensions import db
from congress.i18n import current_language
from congress.programme.models import ProgrammeSession
from congress.registration import queries as registrations
from congress.registration import sectors as sector_editing
from congress.registration import services
from congress.registration.forms import (
    CapacityForm,
    MoveForm,
    RoleForm,
    SectorForm,
    SectorRowForm,
    WindowForm,
    chosen_sessions,
    data_from,
    registration_form,
    show_errors,
)
from congress.registration.guard_forms import OrganiserCancelForm
from congress.registration.models import Registration, Sector

manage_bp = Blueprint("registration_manage", __name__)
URL_PREFIX = "/manage/registrations"
ORGANISER = Role.ORGANISER.value


# The question views call the edition by this name.
_congress = edition_or_404


@manage_bp.route("/")
@roles_required(ORGANISER)
def editions():
    congresses = db.session.scalars(sa.select(Congress).order_by(Congress.starts_on.desc())).all()
    congresses = permissions.my_editions(current_user, congresses, ORGANISER)
    counts = registrations.active_counts_by_edition()
    return render_template("registration/manage/editions.html", congresses=congresses, counts=counts)


@manage_bp.route("/<slug>/new", methods=["GET", "POST"])
@roles_required(ORGANISER)
def new(slug: str):
    congress = edition_or_404(slug)
    locale = current_language()
    rounds = services.rounds_with_seats(congress)
    form = registration_form(services.sectors(congress), services.questions(congress), rounds, locale,
                             organiser=True)
    form.submit.label.text = _("Add registration")
    if form.validate_on_submit():
        data = data_from(form, locale)
        try:
            result = services.register(congress, data, chosen_sessions(form), confirmed=True, source="organiser",
                                       role=form.role.data, override=bool(form.override.data), ignore_window=True)
        except services.RegistrationError as exc:
            if exc.code == "full":
                flash(_("This edition is full. Tick the override to add someone anyway."), "error")
            show_errors(form, exc.errors)
        else:
            if not result.created:
                flash(_("This e-mail address is already registered for this edition."), "info")
            else:
                flash(_("The registration has been added and the personal link e-mailed."), "success")
            return redirect(url_for("registration_manage.detail", slug=slug, registration_id=result.registration.id))
    return render_template("registration/manage/form.html", congress=congress, form=form, rounds=rounds,
                           title=_("Add a registration")), 422 if form.is_submitted() else 200


@manage_bp.route("/<slug>/<int:registration_id>")
@roles_required(ORGANISER)
def detail(slug: str, registration_id: int):
    congress = edition_or_404(slug)
    registration = of_edition_or_404(Registration, registration_id, congress)
    move = MoveForm()
    move.session.choices = [(str(s.id), s.title) for s in services.signup_sessions(congress)]
    role = RoleForm(role=registration.role)
    enrolments = [(e, services.waiting_rank(e)) for e in registration.enrolments]
    return render_template("registration/manage/detail.html", congress=congress, registration=registration,
                           enrolments=enrolments, move_form=move, role_form=role,
                           questions=services.questions(congress),
                           edition_waiting_rank=services.edition_waiting_rank(registration))


@manage_bp.route("/<slug>/<int:registration_id>/edit", methods=["GET", "POST"])
@roles_required(ORGANISER)
def edit(slug: str, registration_id: int):
    congress = edition_or_404(slug)
    registration = of_edition_or_404(Registration, registration_id, congress)
    locale = current_language()
    form = registration_form(services.sectors(congress), services.questions(congress), [], locale,
                             organiser=True, registration=registration, sessions=False)
    del form.override
    del form.consent_privacy
    form.submit.label.text = _("Save changes")
    if form.validate_on_submit():
        data = data_from(form, registration.locale)
        data.consent_privacy = registration.consent_privacy or True
        try:
            services.update_details(registration, data)
            services.set_role(registration, form.role.data)
        except services.RegistrationError as exc:
            show_errors(form, exc.errors)
        else:
            flash(_("Your changes have been saved."), "success")
            return redirect(url_for("registration_manage.detail", slug=slug, registration_id=registration_id))
    return render_template("registration/manage/form.html", congress=congress, form=form, rounds=[],
                           title=_("Edit registration")), 422 if form.is_submitted() else 200


@manage_bp.route("/<slug>/<int:registration_id>/role", methods=["POST"])
@roles_required(ORGANISER)
def set_role(slug: str, registration_id: int):
    congress = edition_or_404(slug)
    registration = of_edition_or_404(Registration, registration_id, congress)
    form = RoleForm()
    if form.validate_on_submit():
        services.set_role(registration, form.role.data)
        flash(_("The badge role has been saved."), "success")
    return redirect(url_for("registration_manage.detail", slug=slug, registration_id=registration_id))


@manage_bp.route("/<slug>/<int:registration_id>/move", methods=["POST"])
@roles_required(ORGANISER)
def move(slug: str, registration_id: int):
    congress = edition_or_404(slug)
    registration = of_edition_or_404(Registration, registration_id, congress)
    form = MoveForm()
    if form.validate_on_submit() and str(form.session.data).isdigit():
        session = of_edition_or_404(ProgrammeSession, int(form.session.data), congress)
        try:
            services.move_enrolment(registration, session, form.target.data, override=bool(form.override.data))
        except services.RegistrationError as exc:
            flash(str(exc), "error")
        else:
            flash(_("The workshop choice has been changed."), "success")
    return redirect(url_for("registration_manage.detail", slug=slug, registration_id=registration_id))


@manage_bp.route("/<slug>/<int:registration_id>/cancel", methods=["GET", "POST"])
@roles_required(ORGANISER)
def cancel(slug: str, registration_id: int):
    """A confirmation step first: only the confirmation page's own form cancels (guard rail)."""
    congress = edition_or_404(slug)
    registration = of_edition_or_404(Registration, registration_id, congress)
    detail_url = url_for("registration_manage.detail", slug=slug, registration_id=registration_id)
    if not registration.is_active:
        return redirect(detail_url)
    form = OrganiserCancelForm()
    if form.validate_on_submit():
        if services.cancel(registration, reason="organiser", notify=bool(form.notify.data)):
            flash(_("The registration of %(name)s has been cancelled.", name=registration.name), "success")
        return redirect(detail_url)
    seats = [e for e in registration.enrolments if e.status == "enrolled"]
    return render_template("registration/manage/cancel.html", congress=congress, registration=registration,
                           form=form, seats=seats, detail_url=detail_url,
                           edition_waiting=services.edition_waiting_count(congress.id)
                           if registration.holds_place else 0)


@manage_bp.route("/<slug>/<int:registration_id>/confirm", methods=["POST"])
@roles_required(ORGANISER)
def confirm(slug: str, registration_id: int):
    congress = edition_or_404(slug)
    registration = of_edition_or_404(Registration, registration_id, congress)
    if services.confirm(registration):
        flash(_("The registration has been confirmed."), "success")
    return redirect(url_for("registration_manage.detail", slug=slug, registration_id=registration_id))


@manage_bp.route("/<slug>/<int:registration_id>/link", methods=["POST"])
@roles_required(ORGANISER)
def new_link(slug: str, registration_id: int):
    congress = edition_or_404(slug)
    registration = of_edition_or_404(Registration, registration_id, congress)
    if not registration.is_active:
        abort(409)
    services.new_link(registration)
    flash(_("A new personal link has been e-mailed; the old one no longer works."), "success")
    return redirect(url_for("registration_manage.detail", slug=slug, registration_id=registration_id))


@manage_bp.route("/<slug>/sessions/")
@roles_required(ORGANISER)
def sessions(slug: str):
    congress = edition_or_404(slug)
    return render_template("registration/manage/sessions.html", congress=congress,
                           rounds=services.rounds_with_seats(congress))


@manage_bp.route("/<slug>/sessions/<int:session_id>", methods=["GET", "POST"])
@roles_required(ORGANISER)
def session_detail(slug: str, session_id: int):
    congress = edition_or_404(slug)
    session = of_edition_or_404(ProgrammeSession, session_id, congress)
    form = CapacityForm(capacity=session.capacity)
    if form.validate_on_submit():
        promoted = services.set_session_capacity(session, form.capacity.data)
        flash(_("The capacity has been saved; %(n)d people moved up from the waiting list.", n=len(promoted)),
              "success")
        return redirect(url_for("registration_manage.session_detail", slug=slug, session_id=session_id))
    enrolments = registrations.attendance(session)
    counts = services.enrolled_counts([session.id])[session.id]
    return render_template("registration/manage/session.html", congress=congress, session=session, form=form,
                           enrolments=enrolments, counts=counts), 422 if form.is_submitted() else 200


@manage_bp.route("/<slug>/settings", methods=["GET", "POST"])
@roles_required(ORGANISER)
def settings(slug: str):
    """The window and capacity; the sectors and the form's questions have pages of their own (linked)."""
    congress = _congress(slug)
    zone = ZoneInfo(congress.timezone)

    def local(value: datetime | None) -> datetime | None:
        return value.astimezone(zone).replace(tzinfo=None) if value else None

    window = WindowForm(prefix="window", opens_at=local(congress.registration_opens_at),
                        closes_at=local(congress.registration_closes_at), capacity=congress.capacity,
                        waiting_list=services.offers_waiting_list(congress.id),
                        online_places=services.online_places(congress.id)[0],
                        online_capacity=services.online_places(congress.id)[1])
    status = 200
    if window.submit.data and window.validate_on_submit():
        try:
            services.save_window(
                congress,
                opens_at=window.opens_at.data.replace(tzinfo=zone) if window.opens_at.data else None,
                closes_at=window.closes_at.data.replace(tzinfo=zone) if window.closes_at.data else None,
                capacity=window.capacity.data, waiting_list=bool(window.waiting_list.data),
                online_places=bool(window.online_places.data), online_capacity=window.online_capacity.data)
        except services.RegistrationError as exc:
            show_errors(window, {exc.field or "capacity": [str(exc)]})
            status = 422
        else:
            flash(_("The registration settings have been saved."), "success")
            return redirect(url_for("registration_manage.settings", slug=slug))
    elif request.method == "POST":
        status = 422
    return render_template("registration/manage/settings.html", congress=congress, window=window,
                           sectors=services.sectors(congress), questions=services.questions(congress)), status


SECTOR_ACTIONS = ("save", "up", "down", "hide", "show", "remove")


@manage_bp.route("/<slug>/sectors", methods=["GET", "POST"])
@roles_required(ORGANISER)
def sectors(slug: str):
    """The sectors one by one: add, rename, reorder, hide (in use) or remove (unused)."""
    congress = _congress(slug)
    new_form = SectorForm(prefix="new")
    row_form = SectorRowForm()
    errors: dict[int, str] = {}
    status = 200
    if new_form.submit.data:
        if new_form.validate_on_submit():
            try:
                sector_editing.add_sector(congress, new_form.name_nl.data, new_form.name_en.data or "")
            except services.RegistrationError as exc:
                new_form.name_nl.errors = [exc.message]
                status = exc.status
            else:
                flash(_("The sector has been added."), "success")
                return redirect(url_for("registration_manage.sectors", slug=slug))
        else:
            status = 422
    elif request.method == "POST":
        action = request.form.get("action", "")
        sector_id = request.form.get("sector_id", "")
        if not row_form.validate_on_submit() or action not in SECTOR_ACTIONS or not sector_id.isdigit() \
                or len(sector_id) > 18:
            abort(422)
        sector = of_edition_or_404(Sector, int(sector_id), congress)
        try:
            if action == "save":
                sector_editing.rename_sector(congress, sector, request.form.get("name_nl", ""),
                                             request.form.get("name_en", ""))
            elif action in ("up", "down"):
                sector_editing.move_sector(congress, sector, -1 if action == "up" else 1)
            elif action in ("hide", "show"):
                sector_editing.hide_sector(congress, sector, hidden=action == "hide")
            else:
                sector_editing.delete_sector(congress, sector)
        except ServiceError as exc:
            errors[sector.id] = exc.message
            status = exc.status
        else:
            flash(_("The sectors have been saved."), "success")
            return redirect(url_for("registration_manage.sectors", slug=slug))
    return render_template("registration/manage/sectors.html", congress=congress, new_form=new_form,
                           sectors=services.sectors(congress), used=sector_editing.use_counts(congress),
                           errors=errors), status
