"""Organisers print badges: choose a layout and who, follow the progress, download the PDF."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.audit.services import record_export
from congress.badges import queries, services
from congress.badges.forms import PrintForm
from congress.badges.models import PrintRun
from congress.core.queries import edition_or_404, of_edition_or_404
from congress.i18n import current_language
from congress.registration.services import find_by_secret, sectors

bp = Blueprint("badges", __name__)


@bp.route("/manage/badges/<slug>/", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def index(slug: str):
    congress = edition_or_404(slug)
    form = PrintForm()
    lang = current_language()
    form.track.choices = [SelectChoice(0, "—")] + [SelectChoice(t.id, t.name(lang)) for t in congress.tracks]
    form.sector.choices = [SelectChoice(0, "—")] + [SelectChoice(s.id, s.name(lang)) for s in sectors(congress)]
    if form.validate_on_submit():
        who = form.who.data
        missing = {
            "track": (form.track, not form.track.data),
            "sector": (form.sector, not form.sector.data),
            "one": (form.registration, not form.registration.data),
        }.get(who)
        if missing and missing[1]:
            missing[0].errors = [*missing[0].errors, _("Choose which one.")]
        else:
            try:
                run = services.start_print_run(
                    congress, form.layout.data, who, track_id=form.track.data or None,
                    sector_id=form.sector.data or None, registration_id=form.registration.data,
                    user_id=current_user.id,
                )
            except services.EmptySelection:
                form.who.errors = [*form.who.errors, _("Nobody matches this selection, so there is nothing to print.")]
            else:
                return redirect(url_for("badges.run", slug=slug, run_id=run.id))
    return render_template("badges/index.html", congress=congress, form=form, runs=queries.recent_print_runs(congress))


@bp.route("/manage/badges/<slug>/runs/<int:run_id>")
@roles_required(Role.ORGANISER)
def run(slug: str, run_id: int):
    congress = edition_or_404(slug)
    print_run = of_edition_or_404(PrintRun, run_id, congress)
    return render_template("badges/run.html", congress=congress, run=print_run)


@bp.route("/manage/badges/<slug>/runs/<int:run_id>/progress.json")
@roles_required(Role.ORGANISER)
def run_progress(slug: str, run_id: int):
    print_run = of_edition_or_404(PrintRun, run_id, edition_or_404(slug))
    return {"status": print_run.status, "done": print_run.done, "total": print_run.total,
            "percent": print_run.percent}


@bp.route("/manage/badges/<slug>/runs/<int:run_id>/badges.pdf")
@roles_required(Role.ORGANISER)
def download(slug: str, run_id: int):
    congress = edition_or_404(slug)
    print_run = of_edition_or_404(PrintRun, run_id, congress)
    if not services.print_run_ready(print_run):
        flash(_("This PDF is not ready."), "error")
        return redirect(url_for("badges.run", slug=slug, run_id=run_id))
    record_export("badges", congress_id=congress.id, count=print_run.total, format="pdf", layout=print_run.layout)
    return services.badge_storage().send(print_run.file_name, mimetype="application/pdf", as_attachment=True,
                                         download_name=f"{congress.slug}-badges-{print_run.layout}.pdf")


@bp.route("/my/<secret>/ticket.pdf")
def ticket(secret: str):
    """The attendee's e-ticket, through their personal link only (public: the secret is the key)."""
    registration = find_by_secret(secret)
    if registration is None or not registration.holds_place:  # cancelled, or on the edition's waiting list
        abort(404)
    pdf = services.ticket_pdf(registration, current_language())
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"e-ticket-{registration.congress.slug}.pdf")
