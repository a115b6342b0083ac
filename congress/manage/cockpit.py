"""The cockpit of an edition (blueprint ``manage.cockpit``, nested in ``manage`` under /manage/<slug>):
the numbers an organiser watches, each figure also as CSV, and the lists for the day (headcount per
session; dietary wishes and accessibility needs for catering and the venue), printable and as PDF.

The figures are read in :mod:`congress.manage.cockpit_queries`; the navigation is
:mod:`congress.manage.navigation`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from congress import spreadsheets
from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.core.models import Congress
from congress.core.queries import edition_or_404
from congress.database import utcnow
from congress.i18n import current_language
from congress.manage import cockpit_queries as figures
from congress.manage import navigation
from congress.registration.queries import STATUS_LABELS

bp = Blueprint("cockpit", __name__)
URL_PREFIX = "/<slug>"  # inside manage's /manage
ORGANISER = Role.ORGANISER.value
DAY_STAFF = (Role.ORGANISER.value, Role.CHECKIN.value)


@bp.app_context_processor
def _navigation() -> dict[str, Any]:
    return {"back_office_links": navigation.links, "back_office_group": navigation.group_label}


def _mail_label(status: str) -> str:
    return {"queued": _("Waiting to be sent"), "sending": _("Being sent"), "sent": _("Sent"),
            "failed": _("Failed")}.get(status, status)


def _proposal_rows(data: figures.Cockpit) -> list[tuple[str, int]]:
    return [(_("Submitted"), data.submitted), (_("Reviewed (at least once)"), data.reviewed),
            (_("Decided"), data.decided), (_("Withdrawn"), data.proposals.get("withdrawn", 0)),
            (_("Drafts (not yet submitted)"), data.proposals.get("draft", 0))]


@bp.route("/")
@roles_required(ORGANISER)
def index(slug: str):
    congress = edition_or_404(slug)
    data = figures.cockpit(congress, current_language())
    return render_template("manage/cockpit/index.html", congress=congress, data=data,
                           status_labels=STATUS_LABELS, mail_label=_mail_label,
                           proposal_rows=_proposal_rows(data))


def _table(congress: Congress, part: str) -> tuple[list[str], list[list[Any]]] | None:
    """The figure ``part`` as a table: its header and its rows (plain values, for CSV)."""
    locale = current_language()
    if part == "headcount":
        return ([_("Start"), _("Session"), _("Room"), _("Capacity"), _("Enrolled"), _("Waiting"), _("Checked in")],
                [[figures.local_iso(h.session.starts_at, congress), h.session.title,
                  h.session.room.name if h.session.room else "", h.capacity, h.enrolled, h.waiting, h.checked_in]
                 for h in figures.headcounts(congress)])
    if part == "catering":
        data = figures.catering(congress)
        return ([_("Kind"), _("Wish or need"), _("Registrations")],
                [[_("Dietary wishes"), text, n] for text, n in data.dietary]
                + [[_("Accessibility needs"), text, n] for text, n in data.accessibility])
    data = figures.cockpit(congress, locale)
    if part == "status":
        return ([_("Status"), _("Registrations")],
                [[str(label), data.by_status.get(status, 0)] for status, label in STATUS_LABELS.items()])
    if part == "days":
        return ([_("Day"), _("New registrations"), _("Total")],
                [[day.isoformat(), n, total] for day, n, total in data.days])
    if part == "sectors":
        return ([_("Sector"), _("Registrations")], [[name or _("No sector"), n] for name, n in data.sectors])
    if part == "workshops":
        return ([_("Workshop"), _("Capacity"), _("Enrolled"), _("Seats left"), _("Waiting")],
                [[w.session.title, w.capacity, w.enrolled, w.seats_left, w.waiting] for w in data.workshops])
    if part == "outbox":
        return ([_("Status"), _("Messages")],
                [[_mail_label(status), n] for status, n in sorted(data.outbox.by_status.items())])
    if part == "proposals":
        return ([_("Proposals"), _("Number")], [[label, n] for label, n in _proposal_rows(data)])
    if part == "arrivals":
        return ([_("Hour"), _("Arrivals")], [[hour.isoformat(), n] for hour, n in data.arrivals])
    return None


@bp.route("/figures.csv")
@roles_required(*DAY_STAFF)
def csv(slug: str):
    congress = edition_or_404(slug)
    part = request.args.get("part", "")
    if part not in ("headcount", "catering") and not _organiser():
        abort(403)
    table = _table(congress, part)
    if table is None:
        abort(404)
    response = Response(spreadsheets.to_csv(*table), mimetype=spreadsheets.CSV_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{congress.slug}-{part}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _organiser() -> bool:
    return current_user.has_role(ORGANISER)


def _pdf(template: str, name: str, **context: Any) -> Response:
    from weasyprint import HTML  # noqa: PLC0415 - heavy (Pango, fonts); loaded only when a PDF is asked for

    response = Response(HTML(string=render_template(template, **context)).write_pdf(), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/lists/headcount", defaults={"fmt": "html"})
@bp.route("/lists/headcount.<fmt>")
@roles_required(*DAY_STAFF)
def headcount(slug: str, fmt: str):
    congress = edition_or_404(slug)
    if fmt not in ("html", "pdf"):
        abort(404)
    rows = figures.headcounts(congress)
    days = figures.by_local_day(rows, congress)
    if fmt == "pdf":
        return _pdf("manage/cockpit/headcount_pdf.html", f"{congress.slug}-headcount", congress=congress, days=days,
                    now=utcnow())
    return render_template("manage/cockpit/headcount.html", congress=congress, days=days, now=utcnow())


@bp.route("/lists/catering", defaults={"fmt": "html"})
@bp.route("/lists/catering.<fmt>")
@roles_required(*DAY_STAFF)
def catering(slug: str, fmt: str):
    congress = edition_or_404(slug)
    if fmt not in ("html", "pdf"):
        abort(404)
    data = figures.catering(congress)
    if fmt == "pdf":
        return _pdf("manage/cockpit/catering_pdf.html", f"{congress.slug}-catering", congress=congress, data=data,
                    now=utcnow())
    return render_template("manage/cockpit/catering.html", congress=congress, data=data, now=utcnow())
