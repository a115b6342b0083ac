"""The organisers' pages (blueprint ``registration_manage`` under /manage/registrations)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from congress import spreadsheets
from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.core import services as core
from congress.core.models import Congress
from congress.extensions import db
from congress.i18n import current_language
from congress.programme.models import ProgrammeSession
from congress.registration import exports, services
from congress.registration.forms import (
    ROLE_LABELS,
    STATUS_LABELS,
    CapacityForm,
    MoveForm,
    QuestionForm,
    RoleForm,
    SectorsForm,
    WindowForm,
    chosen_sessions,
    data_from,
    pairs,
    registration_form,
    show_errors,
)
from congress.registration.models import Enrolment, Registration, Sector
from congress.registration.questions import question_or_404
from congress.sanitize import query_int

manage_bp = Blueprint("registration_manage", __name__)
URL_PREFIX = "/manage/registrations"
ORGANISER = Role.ORGANISER.value
PAGE_SIZE = 50
SORTS = {
    "name": Registration.name,
    "organisation": Registration.organisation,
    "created": Registration.created_at,
    "status": Registration.status,
}


def _congress(slug: str) -> Congress:
    congress = core.congress_by_slug(slug)
    if congress is None:
        abort(404)
    return congress


def _registration(congress: Congress, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.congress_id != congress.id:
        abort(404)
    return registration


def _session(congress: Congress, session_id: int) -> ProgrammeSession:
    session = db.session.get(ProgrammeSession, session_id)
    if session is None or session.congress_id != congress.id:
        abort(404)
    return session


def checked_in_ids():
    """A query of the registration ids checked in at the venue (None without the check-in capability)."""
    try:
        from congress.checkin.models import VENUE, CheckIn
    except ImportError:
        return None
    return sa.select(CheckIn.registration_id).where(CheckIn.list_key == VENUE, CheckIn.undone_at.is_(None))


@manage_bp.route("/")
@roles_required(ORGANISER)
def editions():
    congresses = db.session.scalars(sa.select(Congress).order_by(Congress.starts_on.desc())).all()
    counts = dict(db.session.execute(
        sa.select(Registration.congress_id, sa.func.count()).where(Registration.status.in_(services.ACTIVE))
        .group_by(Registration.congress_id)).all())
    return render_template("registration/manage/editions.html", congresses=congresses, counts=counts)


def _filtered(congress: Congress):
    args = request.args
    query = sa.select(Registration).where(Registration.congress_id == congress.id)
    q = args.get("q", "").strip()
    if q:
        like = f"%{q.lower()}%"
        query = query.where(sa.or_(sa.func.lower(Registration.name).like(like),
                                   sa.func.lower(Registration.email).like(like),
                                   sa.func.lower(Registration.organisation).like(like)))
    if args.get("status") in STATUS_LABELS:
        query = query.where(Registration.status == args["status"])
    if args.get("role") in ROLE_LABELS:
        query = query.where(Registration.role == args["role"])
    if query_int(args, "sector") is not None:
        query = query.where(Registration.sector_id == query_int(args, "sector"))
    if query_int(args, "session") is not None:
        sub = sa.select(Enrolment.registration_id).where(Enrolment.session_id == query_int(args, "session"))
        if args.get("place") in ("enrolled", "waitlisted"):
            sub = sub.where(Enrolment.status == args["place"])
        query = query.where(Registration.id.in_(sub))
    if args.get("confirmed") == "yes":
        query = query.where(Registration.status == "confirmed")
    elif args.get("confirmed") == "no":
        query = query.where(Registration.status == "pending")
    checked = checked_in_ids()
    if checked is not None and args.get("checked_in") in ("yes", "no"):
        query = query.where(Registration.id.in_(checked) if args["checked_in"] == "yes"
                            else Registration.id.not_in(checked))
    sort = args.get("sort", "created")
    column = SORTS.get(sort.lstrip("-"), Registration.created_at)
    query = query.order_by(column.desc() if sort.startswith("-") else column.asc(), Registration.id)
    return query.options(selectinload(Registration.sector),
                         selectinload(Registration.enrolments).selectinload(Enrolment.session))


@manage_bp.route("/<slug>/")
@roles_required(ORGANISER)
def index(slug: str):
    congress = _congress(slug)
    page = query_int(request.args, "page", 1) or 1
    pagination = db.paginate(_filtered(congress), page=page, per_page=PAGE_SIZE, error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "registration/manage/index.html", congress=congress, pagination=pagination, args=args,
        sectors=services.sectors(congress), sessions=services.signup_sessions(congress),
        state=services.registration_state(congress), active=services.active_count(congress.id),
        checkin_available=checked_in_ids() is not None,
    )


@manage_bp.route("/<slug>/export.<fmt>")
@roles_required(ORGANISER)
def export(slug: str, fmt: str):
    congress = _congress(slug)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    registrations = db.session.scalars(_filtered(congress)).all()
    header, rows = exports.registration_rows(congress, registrations, current_language())
    return _download(congress.slug + "-registrations", fmt, header, rows, _("Registrations"))


def _download(name: str, fmt: str, header: list, rows: list, title: str) -> Response:
    if fmt == "csv":
        response = Response(exports.to_csv(header, rows), mimetype=spreadsheets.CSV_MIMETYPE)
    else:
        response = Response(exports.to_xlsx(title, header, rows), mimetype=spreadsheets.XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@manage_bp.route("/<slug>/new", methods=["GET", "POST"])
@roles_required(ORGANISER)
def new(slug: str):
    congress = _congress(slug)
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
    congress = _congress(slug)
    registration = _registration(congress, registration_id)
    move = MoveForm()
    move.session.choices = [(str(s.id), s.title) for s in services.signup_sessions(congress)]
    role = RoleForm(role=registration.role)
    enrolments = [(e, services.waiting_rank(e)) for e in registration.enrolments]
    return render_template("registration/manage/detail.html", congress=congress, registration=registration,
                           enrolments=enrolments, move_form=move, role_form=role,
                           questions=services.questions(congress))


@manage_bp.route("/<slug>/<int:registration_id>/edit", methods=["GET", "POST"])
@roles_required(ORGANISER)
def edit(slug: str, registration_id: int):
    congress = _congress(slug)
    registration = _registration(congress, registration_id)
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
    congress = _congress(slug)
    registration = _registration(congress, registration_id)
    form = RoleForm()
    if form.validate_on_submit():
        services.set_role(registration, form.role.data)
        flash(_("The badge role has been saved."), "success")
    return redirect(url_for("registration_manage.detail", slug=slug, registration_id=registration_id))


@manage_bp.route("/<slug>/<int:registration_id>/move", methods=["POST"])
@roles_required(ORGANISER)
def move(slug: str, registration_id: int):
    congress = _congress(slug)
    registration = _registration(congress, registration_id)
    form = MoveForm()
    if form.validate_on_submit() and str(form.session.data).isdigit():
        session = _session(congress, int(form.session.data))
        try:
            services.move_enrolment(registration, session, form.target.data, override=bool(form.override.data))
        except services.RegistrationError as exc:
            flash(str(exc), "error")
        else:
            flash(_("The workshop choice has been changed."), "success")
    return redirect(url_for("registration_manage.detail", slug=slug, registration_id=registration_id))


@manage_bp.route("/<slug>/<int:registration_id>/cancel", methods=["POST"])
@roles_required(ORGANISER)
def cancel(slug: str, registration_id: int):
    congress = _congress(slug)
    registration = _registration(congress, registration_id)
    if services.cancel(registration, reason="organiser"):
        flash(_("The registration has been cancelled."), "success")
    return redirect(url_for("registration_manage.detail", slug=slug, registration_id=registration_id))


@manage_bp.route("/<slug>/<int:registration_id>/confirm", methods=["POST"])
@roles_required(ORGANISER)
def confirm(slug: str, registration_id: int):
    congress = _congress(slug)
    registration = _registration(congress, registration_id)
    if services.confirm(registration):
        flash(_("The registration has been confirmed."), "success")
    return redirect(url_for("registration_manage.detail", slug=slug, registration_id=registration_id))


@manage_bp.route("/<slug>/<int:registration_id>/link", methods=["POST"])
@roles_required(ORGANISER)
def new_link(slug: str, registration_id: int):
    congress = _congress(slug)
    registration = _registration(congress, registration_id)
    if not registration.is_active:
        abort(409)
    services.new_link(registration)
    flash(_("A new personal link has been e-mailed; the old one no longer works."), "success")
    return redirect(url_for("registration_manage.detail", slug=slug, registration_id=registration_id))


@manage_bp.route("/<slug>/sessions/")
@roles_required(ORGANISER)
def sessions(slug: str):
    congress = _congress(slug)
    return render_template("registration/manage/sessions.html", congress=congress,
                           rounds=services.rounds_with_seats(congress))


def _attendance(session: ProgrammeSession) -> list[Enrolment]:
    return list(db.session.scalars(
        sa.select(Enrolment).join(Registration).where(Enrolment.session_id == session.id)
        .options(selectinload(Enrolment.registration).selectinload(Registration.sector))
        .order_by(Enrolment.status, Enrolment.position, Registration.name)
    ))


@manage_bp.route("/<slug>/sessions/<int:session_id>", methods=["GET", "POST"])
@roles_required(ORGANISER)
def session_detail(slug: str, session_id: int):
    congress = _congress(slug)
    session = _session(congress, session_id)
    form = CapacityForm(capacity=session.capacity)
    if form.validate_on_submit():
        promoted = services.set_session_capacity(session, form.capacity.data)
        flash(_("The capacity has been saved; %(n)d people moved up from the waiting list.", n=len(promoted)),
              "success")
        return redirect(url_for("registration_manage.session_detail", slug=slug, session_id=session_id))
    enrolments = _attendance(session)
    counts = services.enrolled_counts([session.id])[session.id]
    return render_template("registration/manage/session.html", congress=congress, session=session, form=form,
                           enrolments=enrolments, counts=counts), 422 if form.is_submitted() else 200


@manage_bp.route("/<slug>/sessions/<int:session_id>/attendance.<fmt>")
@roles_required(ORGANISER)
def attendance(slug: str, session_id: int, fmt: str):
    congress = _congress(slug)
    session = _session(congress, session_id)
    enrolments = _attendance(session)
    if fmt == "pdf":
        response = Response(exports.attendance_pdf(congress, session, enrolments), mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="attendance-{session.id}.pdf"'
        response.headers["Cache-Control"] = "private, no-store"
        return response
    if fmt not in ("csv", "xlsx"):
        abort(404)
    header, rows = exports.attendance_rows(session, enrolments)
    return _download(f"attendance-{session.id}", fmt, header, rows, _("Attendance"))


@manage_bp.route("/<slug>/statistics")
@roles_required(ORGANISER)
def statistics(slug: str):
    congress = _congress(slug)
    locale = current_language()
    by_status = dict(db.session.execute(
        sa.select(Registration.status, sa.func.count()).where(Registration.congress_id == congress.id)
        .group_by(Registration.status)).all())
    sector_rows = db.session.execute(
        sa.select(Sector.name_nl, Sector.name_en, sa.func.count(Registration.id))
        .select_from(Registration).outerjoin(Sector, Registration.sector_id == Sector.id)
        .where(Registration.congress_id == congress.id, Registration.status.in_(services.ACTIVE))
        .group_by(Sector.id, Sector.name_nl, Sector.name_en, Sector.position).order_by(Sector.position)).all()
    by_sector = [((en if locale == "en" and en else nl) if nl else _("No sector"), n) for nl, en, n in sector_rows]
    fill = services.seat_overview(congress)
    return render_template("registration/manage/statistics.html", congress=congress,
                           by_status=[(str(STATUS_LABELS[s]), by_status.get(s, 0)) for s in STATUS_LABELS],
                           by_sector=by_sector, fill=fill)


@manage_bp.route("/<slug>/settings", methods=["GET", "POST"])
@roles_required(ORGANISER)
def settings(slug: str):
    congress = _congress(slug)
    zone = ZoneInfo(congress.timezone)

    def local(value: datetime | None) -> datetime | None:
        return value.astimezone(zone).replace(tzinfo=None) if value else None

    window = WindowForm(prefix="window", opens_at=local(congress.registration_opens_at),
                        closes_at=local(congress.registration_closes_at), capacity=congress.capacity)
    sector_form = SectorsForm(prefix="sectors", sectors="\n".join(
        f"{s.name_nl} | {s.name_en}" for s in services.sectors(congress)))
    question_form = QuestionForm(prefix="question")
    status = 200
    if window.submit.data and window.validate_on_submit():
        try:
            services.save_window(
                congress,
                opens_at=window.opens_at.data.replace(tzinfo=zone) if window.opens_at.data else None,
                closes_at=window.closes_at.data.replace(tzinfo=zone) if window.closes_at.data else None,
                capacity=window.capacity.data)
        except services.RegistrationError as exc:
            show_errors(window, {exc.field or "capacity": [str(exc)]})
            status = 422
        else:
            flash(_("The registration settings have been saved."), "success")
            return redirect(url_for("registration_manage.settings", slug=slug))
    elif sector_form.submit.data and sector_form.validate_on_submit():
        services.save_sectors(congress, pairs(sector_form.sectors.data))
        flash(_("The sectors have been saved."), "success")
        return redirect(url_for("registration_manage.settings", slug=slug))
    elif question_form.submit.data and question_form.validate_on_submit():
        try:
            services.add_question(congress, kind=question_form.kind.data, label_nl=question_form.label_nl.data,
                                  label_en=question_form.label_en.data or "", required=question_form.required.data,
                                  options=pairs(question_form.options.data))
        except services.RegistrationError as exc:
            show_errors(question_form, {"options": [str(exc)]})
            status = 422
        else:
            flash(_("The question has been added."), "success")
            return redirect(url_for("registration_manage.settings", slug=slug))
    elif request.method == "POST":
        status = 422
    return render_template("registration/manage/settings.html", congress=congress, window=window,
                           sector_form=sector_form, question_form=question_form,
                           questions=services.questions(congress)), status


@manage_bp.route("/<slug>/questions/<int:question_id>/delete", methods=["POST"])
@roles_required(ORGANISER)
def delete_question(slug: str, question_id: int):
    congress = _congress(slug)
    services.delete_question(question_or_404(congress, question_id))
    flash(_("The question has been removed."), "success")
    return redirect(url_for("registration_manage.settings", slug=slug))


@manage_bp.route("/chart.js")
@roles_required(ORGANISER)
def chart_js():
    """Chart.js from node_modules (installed by npm at set-up) for the statistics page."""
    path = Path(current_app.config["NODE_MODULES_DIR"]) / "chart.js" / "dist" / "chart.umd.min.js"
    if not path.exists():
        abort(404)
    return send_file(path, mimetype="text/javascript", max_age=86400)
