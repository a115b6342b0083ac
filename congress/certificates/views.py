"""Certificates: the organiser's accreditations and attendance lists, the attendee's certificate
behind their personal link, and the public verification page.

``/manage/<slug>/certificates`` (accreditations; ``…/<id>/attendance.csv|.xlsx`` the lists per
register), ``/my/<secret>/certificate`` (register number, what the certificate will say) and
``/my/<secret>/certificate.pdf``, ``/verify/<code>`` (public, rate-limited, not indexed)."""

from __future__ import annotations

import io

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.audit.services import record_export
from congress.certificates import queries, render, services
from congress.certificates.forms import AccreditationForm, DeleteForm, RegisterNumberForm
from congress.certificates.models import Accreditation
from congress.core.queries import edition_or_404, of_edition_or_404
from congress.extensions import limiter
from congress.i18n import current_language
from congress.registration.queries import by_secret_or_404
from congress.security import private_page
from congress.spreadsheets import CSV_MIMETYPE, XLSX_MIMETYPE, to_csv, to_xlsx

bp = Blueprint("certificates", __name__)




def _verify_limit() -> str:
    """Codes are signed, so guessing one is hopeless; the limit keeps a client from trying at volume."""
    return current_app.config.get("CERTIFICATE_VERIFY_RATE_LIMIT", "30 per minute;300 per hour")


# --- the organiser ------------------------------------------------------------------------------

@bp.route("/manage/<slug>/certificates", methods=["GET", "POST"])
@roles_required(Role.ORGANISER.value)
def manage(slug: str):
    congress = edition_or_404(slug)
    form = AccreditationForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            points = services.parse_points(form.points.data)
            if points is None:
                form.points.errors = [*form.points.errors,
                                      _("Give a number of points between 0 and 1000, e.g. 4 or 3,5.")]
                status = 422
            else:
                try:
                    services.add_accreditation(congress, register=form.register.data, number=form.number.data or "",
                                               basis=form.basis.data, points=points,
                                               unit_hundredths=int(form.unit.data))
                except services.AccreditationError as exc:
                    field = getattr(form, exc.field)
                    field.errors = [*field.errors, exc.message]
                    status = 422
                else:
                    flash(_("The accreditation has been added."), "success")
                    return redirect(url_for("certificates.manage", slug=slug))
        else:
            status = 422
    lang = current_language()
    return render_template(
        "certificates/manage.html", congress=congress, form=form, delete_form=DeleteForm(),
        accreditations=services.accreditations(congress), summary=queries.summary(congress),
        known=services.KNOWN_REGISTERS, lang=lang), status


@bp.route("/manage/<slug>/certificates/<int:accreditation_id>/delete", methods=["POST"])
@roles_required(Role.ORGANISER.value)
def delete(slug: str, accreditation_id: int):
    congress = edition_or_404(slug)
    accreditation = of_edition_or_404(Accreditation, accreditation_id, congress)
    if DeleteForm().validate_on_submit():
        services.delete_accreditation(accreditation)
        flash(_("The accreditation has been deleted."), "success")
    return redirect(url_for("certificates.manage", slug=slug))


@bp.route("/manage/<slug>/certificates/<int:accreditation_id>/attendance.csv", defaults={"fmt": "csv"})
@bp.route("/manage/<slug>/certificates/<int:accreditation_id>/attendance.xlsx", defaults={"fmt": "xlsx"})
@roles_required(Role.ORGANISER.value)
def attendance(slug: str, accreditation_id: int, fmt: str):
    congress = edition_or_404(slug)
    accreditation = of_edition_or_404(Accreditation, accreditation_id, congress)
    header, rows = queries.attendance_list(congress, accreditation)
    name = f"{congress.slug}-{queries.file_part(accreditation.register)}-attendance.{fmt}"
    if fmt == "csv":
        body, mimetype = to_csv(header, rows), CSV_MIMETYPE
    else:
        body, mimetype = to_xlsx(_("Attendance"), header, rows), XLSX_MIMETYPE
    record_export("certificate_attendance", congress_id=congress.id, count=len(rows), format=fmt,
                  register=accreditation.register)
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"})


# --- the attendee -------------------------------------------------------------------------------

@bp.route("/my/<secret>/certificate", methods=["GET", "POST"])
def page(secret: str):
    registration = by_secret_or_404(secret)
    congress = registration.congress
    names = services.register_names(congress)
    form = RegisterNumberForm()
    form.register.choices = [SelectChoice("", "—")] + [SelectChoice(n, n) for n in names]
    status = 200
    if request.method == "POST" and names:
        if form.validate_on_submit():
            try:
                services.set_professional_registration(registration, form.register.data or "", form.number.data or "")
            except services.RegisterNumberError as exc:
                field = getattr(form, exc.field)
                field.errors = [*field.errors, exc.message]
                status = 422
            else:
                flash(_("Your registration number has been saved."), "success")
                return redirect(url_for("certificates.page", secret=secret))
        else:
            status = 422
    cert = services.certificate(registration)
    if request.method == "GET" and cert.professional is not None:
        form.register.data, form.number.data = cert.professional.register, cert.professional.number
    return private_page(Response(render_template(
        "certificates/page.html", registration=registration, congress=congress, secret=secret, cert=cert,
        refusal=services.refusal(registration, cert), form=form, registers=names, lang=current_language()),
        status))


@bp.route("/my/<secret>/certificate.pdf")
def pdf(secret: str):
    registration = by_secret_or_404(secret)
    cert = services.certificate(registration)
    reason = services.refusal(registration, cert)
    if reason is not None:
        return private_page(Response(render_template(
            "certificates/page.html", registration=registration, congress=registration.congress, secret=secret,
            cert=cert, refusal=reason, form=None, registers=[], lang=current_language()), 404))
    _record, code = services.issue(cert)
    body = render.render([render.Issued(cert, code)])
    response = send_file(io.BytesIO(body), mimetype="application/pdf", as_attachment=True,
                         download_name=f"certificate-{registration.congress.slug}.pdf")
    return private_page(response)


# --- anyone -------------------------------------------------------------------------------------

@bp.route("/verify/<path:code>")
@limiter.limit(_verify_limit)
def verify(code: str):
    result = services.verify(code)
    status = {"valid": 200, "revoked": 200, "unknown": 404, "forged": 400}[result.state]
    return private_page(Response(render_template("certificates/verify.html", result=result, lang=current_language(),
                                             years=services.retention_years()),
                             status))
