"""``/manage/<slug>/report``: the edition's reach report, with ``report.pdf`` and ``report.xlsx`` beside it."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.audit.services import record_export
from congress.core.queries import edition_or_404
from congress.i18n import current_language
from congress.reports import export, reach, render
from congress.spreadsheets import XLSX_MIMETYPE, to_xlsx_sheets

bp = Blueprint("reports", __name__)


@bp.route("/manage/<slug>/report")
@roles_required(Role.ORGANISER.value)
def reach_report(slug: str):
    congress = edition_or_404(slug)
    lang = current_language()
    return render_template("reports/reach.html", congress=congress, reach=reach.report(congress, lang), lang=lang)


@bp.route("/manage/<slug>/report.pdf")
@roles_required(Role.ORGANISER.value)
def reach_pdf(slug: str):
    congress = edition_or_404(slug)
    lang = current_language()
    result = reach.report(congress, lang)
    body = render.pdf(result, lang=lang)
    # Aggregates, but with the organisations' names (a one-person business is a person): recorded.
    record_export("reach_report", congress_id=congress.id, count=result.registered, format="pdf")
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename={congress.slug}-report.pdf"})


@bp.route("/manage/<slug>/report.xlsx")
@roles_required(Role.ORGANISER.value)
def reach_xlsx(slug: str):
    congress = edition_or_404(slug)
    lang = current_language()
    result = reach.report(congress, lang)
    body = to_xlsx_sheets(export.sheets(result))
    record_export("reach_report", congress_id=congress.id, count=result.registered, format="xlsx")
    return Response(body, mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": f"attachment; filename={congress.slug}-report.xlsx"})
