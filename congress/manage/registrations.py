"""Back-office screens that combine registration with other capabilities (blueprint ``manage.registrations``,
nested in ``manage`` under /manage/registrations): the registrations list with its "checked in" filter
and its exports, the statistics, and the attendance lists of the sessions (CSV, XLSX, PDF).

The rest of the organisers' registration pages stay with the capability
(:mod:`congress.registration.manage_views`, same URL prefix).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, request, send_file
from flask_babel import gettext as _

from congress import spreadsheets
from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.audit.services import record_export
from congress.checkin.queries import session_checked_in_ids, venue_checked_in_ids
from congress.communications.queries import opted_out
from congress.core.models import Congress
from congress.core.queries import edition_or_404, of_edition_or_404
from congress.extensions import db
from congress.i18n import current_language, pick
from congress.mail.queries import bouncing
from congress.manage import exports
from congress.programme.models import ProgrammeSession
from congress.registration import queries as registrations
from congress.sanitize import query_int

bp = Blueprint("registrations", __name__)
URL_PREFIX = "/registrations"  # inside manage's /manage
ORGANISER = Role.ORGANISER.value
PAGE_SIZE = 50


def _filtered(congress: Congress):
    """The registrations list's query from the request's search and filters, "checked in" included."""
    args = request.args
    filters = registrations.RegistrationFilters.from_args(args)
    checked_in = args.get("checked_in")
    ids = venue_checked_in_ids() if checked_in in ("yes", "no") else None
    return registrations.search(congress, filters, only_ids=ids if checked_in == "yes" else None,
                                except_ids=ids if checked_in == "no" else None)


@bp.route("/<slug>/")
@roles_required(ORGANISER)
def index(slug: str):
    congress = edition_or_404(slug)
    page = query_int(request.args, "page", 1) or 1
    pagination = db.paginate(_filtered(congress), page=page, per_page=PAGE_SIZE, error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "manage/registrations/index.html", congress=congress, pagination=pagination, args=args,
        # the page's addresses that unsubscribed from mailings (communications), for a badge per row
        unsubscribed=opted_out(r.email for r in pagination.items),
        sectors=registrations.sectors(congress), sessions=registrations.signup_sessions(congress),
        state=registrations.registration_state(congress), active=registrations.active_count(congress.id),
        bouncing=bouncing(r.email for r in pagination.items),
    )


@bp.route("/<slug>/export.<fmt>")
@roles_required(ORGANISER)
def export(slug: str, fmt: str):
    congress = edition_or_404(slug)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    rows_of = db.session.scalars(_filtered(congress)).all()
    header, rows = exports.registration_rows(congress, rows_of, current_language())
    record_export("registrations", congress_id=congress.id, count=len(rows), format=fmt, filters=request.args.to_dict())
    return _download(congress.slug + "-registrations", fmt, header, rows, _("Registrations"))


def _download(name: str, fmt: str, header: list, rows: list, title: str) -> Response:
    if fmt == "csv":
        response = Response(exports.to_csv(header, rows), mimetype=spreadsheets.CSV_MIMETYPE)
    else:
        response = Response(exports.to_xlsx(title, header, rows), mimetype=spreadsheets.XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<slug>/sessions/<int:session_id>/attendance.<fmt>")
@roles_required(ORGANISER)
def attendance(slug: str, session_id: int, fmt: str):
    congress = edition_or_404(slug)
    session = of_edition_or_404(ProgrammeSession, session_id, congress)
    enrolments = registrations.attendance(session)
    if request.args.get("list") == "scanned":
        return _scanned(congress, session, enrolments, fmt)
    if fmt in ("pdf", "csv", "xlsx"):
        record_export("attendance", congress_id=congress.id, count=len(enrolments), format=fmt, session_id=session.id)
    if fmt == "pdf":
        response = Response(exports.attendance_pdf(congress, session, enrolments), mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="attendance-{session.id}.pdf"'
        response.headers["Cache-Control"] = "private, no-store"
        return response
    if fmt not in ("csv", "xlsx"):
        abort(404)
    header, rows = exports.attendance_rows(session, enrolments)
    return _download(f"attendance-{session.id}", fmt, header, rows, _("Attendance"))


def _scanned(congress: Congress, session: ProgrammeSession, enrolments: list, fmt: str) -> Response:
    """The attendance list of who was scanned in at the session (enrolled or admitted at the door)."""
    people = registrations.registrations_in(congress, session_checked_in_ids(session.id))
    enrolled_ids = {e.registration_id for e in enrolments if e.status == registrations.EnrolmentStatus.ENROLLED}
    if fmt in ("pdf", "csv", "xlsx"):
        record_export("attendance_scanned", congress_id=congress.id, count=len(people), format=fmt,
                      session_id=session.id)
    if fmt == "pdf":
        response = Response(exports.scanned_pdf(congress, session, people, enrolled_ids), mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="attendance-{session.id}-scanned.pdf"'
        response.headers["Cache-Control"] = "private, no-store"
        return response
    if fmt not in ("csv", "xlsx"):
        abort(404)
    header, rows = exports.scanned_rows(people, enrolled_ids)
    return _download(f"attendance-{session.id}-scanned", fmt, header, rows, _("Scanned in"))


@bp.route("/<slug>/statistics")
@roles_required(ORGANISER)
def statistics(slug: str):
    congress = edition_or_404(slug)
    locale = current_language()
    by_status = registrations.counts_by_status(congress)
    by_sector = [(pick(nl, en, locale) if nl else _("No sector"), n)
                 for nl, en, n in registrations.counts_by_sector(congress)]
    fill = registrations.seat_overview(congress)
    # "On the waiting list" is the edition-wide waiting list's status: shown once someone holds it, so
    # that it is not read as the workshops' waiting lists (it said 0 while 18 waited for workshops).
    statuses = [(status, label) for status, label in registrations.STATUS_LABELS.items()
                if status != registrations.RegistrationStatus.WAITLISTED or by_status.get(status)]
    return render_template("manage/registrations/statistics.html", congress=congress,
                           by_status=[(str(label), by_status.get(status, 0)) for status, label in statuses],
                           by_sector=by_sector, fill=fill, waiting_people=registrations.waiting_people(congress),
                           waiting_places=sum(s.waiting for s in fill))


@bp.route("/chart.js")
@roles_required(ORGANISER)
def chart_js():
    """Chart.js from node_modules (installed by npm at set-up) for the statistics page."""
    path = Path(current_app.config["NODE_MODULES_DIR"]) / "chart.js" / "dist" / "chart.umd.min.js"
    if not path.exists():
        abort(404)
    return send_file(path, mimetype="text/javascript", max_age=86400)
