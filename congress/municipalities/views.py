"""``/manage/<slug>/municipalities``: the list of municipalities (shared by every edition), reached from an
edition's reach report: upload a file, add one, remove one that no registration names."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.core.queries import edition_or_404
from congress.errors import show_refusal
from congress.i18n import current_language
from congress.municipalities import queries, services
from congress.municipalities.forms import AddForm, ImportForm, RemoveForm

bp = Blueprint("municipalities", __name__)

@bp.route("/manage/<slug>/municipalities", methods=["GET", "POST"])
@roles_required(Role.ORGANISER.value)
def index(slug: str):
    # The list is every edition's, not this one's: it can be kept from an archived edition's report too.
    congress = edition_or_404(slug, only_read=True)
    import_form, add_form, remove_form = ImportForm(), AddForm(), RemoveForm()
    status, report = 200, None
    action = request.form.get("action", "")
    if request.method == "POST":
        status = 422
        if action == "import" and import_form.validate_on_submit():
            upload = import_form.file.data
            if upload is None or not getattr(upload, "filename", ""):
                import_form.file.errors = [*import_form.file.errors, _("Choose a file.")]
            else:
                try:
                    report = services.import_file(upload.filename, upload.read(services.MAX_UPLOAD_BYTES + 1))
                except services.ImportRefused as exc:
                    import_form.file.errors = [*import_form.file.errors, str(exc.message)]
                    report = exc.report
                else:
                    flash(report.lines()[0], "success")
                    return redirect(url_for("municipalities.index", slug=slug))
        elif action == "add" and add_form.validate_on_submit():
            try:
                municipality = services.add_municipality(add_form.code.data or "", add_form.name.data or "")
            except services.MunicipalityError as exc:
                show_refusal(add_form, exc)
            else:
                flash(_("%(name)s (%(code)s) has been added.", name=municipality.name, code=municipality.code),
                      "success")
                return redirect(url_for("municipalities.index", slug=slug))
        elif action == "remove" and remove_form.validate_on_submit():
            value = remove_form.municipality_id.data or ""
            if value.isdigit() and len(value) <= 10 and int(value) <= 2**31 - 1:
                try:
                    services.remove_municipality(int(value))
                except services.MunicipalityInUse as exc:
                    flash(str(exc.message), "error")
                    status = 409
                else:
                    flash(_("The municipality has been removed."), "success")
                    return redirect(url_for("municipalities.index", slug=slug))
        # Anything else (no action, an id that is no number) shows the page again: 422.
    return render_template("municipalities/index.html", congress=congress, import_form=import_form,
                           add_form=add_form, remove_form=remove_form, report=report,
                           municipalities=queries.all_municipalities(), lang=current_language()), status
