"""Invitations: the organisers' pages under ``/manage/<slug>/invitations`` and the invitee's page to
decline (``/<slug>/invitation/<secret>``)."""

from __future__ import annotations

import base64
import binascii

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.core import services as core
from congress.core.models import Congress
from congress.core.queries import edition_or_404, of_edition_or_404
from congress.errors import show_refusal
from congress.extensions import limiter
from congress.invitations import queries, services
from congress.invitations.forms import ButtonForm, ConfirmImportForm, ImportForm, ListForm, SendForm
from congress.invitations.importing import MAX_UPLOAD_BYTES
from congress.invitations.models import InvitationList
from congress.tokens import new_secret

bp = Blueprint("invitations", __name__)
ORGANISER = Role.ORGANISER.value


def _index(congress: Congress, list_form: ListForm | None = None, import_form: ImportForm | None = None,
           status: int = 200):
    return render_template("invitations/index.html", congress=congress, summaries=queries.list_summaries(congress),
                           list_form=list_form or ListForm(formdata=None),
                           import_form=import_form or ImportForm(formdata=None)), status


@bp.route("/manage/<slug>/invitations")
@roles_required(ORGANISER)
def index(slug: str):
    return _index(edition_or_404(slug))


@bp.route("/manage/<slug>/invitations/lists", methods=["POST"])
@roles_required(ORGANISER)
def create_list(slug: str):
    congress = edition_or_404(slug)
    form = ListForm()
    if form.validate_on_submit():
        try:
            created = services.create_list(congress, form.name.data or "", form.reserved_places.data,
                                           form.reserved_until.data)
        except services.InvitationError as exc:
            show_refusal(form, exc)
        else:
            flash(_("The list has been created."), "success")
            return redirect(url_for("invitations.detail", slug=slug, list_id=created.id))
    return _index(congress, list_form=form, status=422)


def _report_page(congress: Congress, report: services.ImportReport, confirm: ConfirmImportForm | None,
                 imported: bool, status: int = 200):
    return render_template("invitations/report.html", congress=congress, report=report, confirm=confirm,
                           imported=imported), status


@bp.route("/manage/<slug>/invitations/import", methods=["POST"])
@roles_required(ORGANISER)
def import_file(slug: str):
    """Check the upload; without refused rows it is imported at once, else the report asks to confirm."""
    congress = edition_or_404(slug)
    form = ImportForm()
    if not form.validate_on_submit():
        return _index(congress, import_form=form, status=422)
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        form.file.errors = [*form.file.errors, _("Choose a file.")]
        return _index(congress, import_form=form, status=422)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    return _import(congress, upload.filename, data, form.list_name.data or "", valid_only=False, form=form)


def _import(congress: Congress, filename: str, data: bytes, list_name: str, *, valid_only: bool,
            form: ImportForm | None = None):
    try:
        report = services.import_contacts(congress, filename, data, list_name, valid_only=valid_only, by=current_user)
    except services.ImportError_ as exc:
        if exc.report is None or not exc.report.valid:
            if exc.report is not None:
                return _report_page(congress, exc.report, None, imported=False, status=422)
            form = form or ImportForm(formdata=None)
            form.list_name.data = form.list_name.data or list_name
            form.file.errors = [*form.file.errors, exc.message]
            return _index(congress, import_form=form, status=422)
        confirm = ConfirmImportForm(formdata=None)
        confirm.content.data = base64.b64encode(data).decode()
        confirm.filename.data = filename
        confirm.list_name.data = list_name
        return _report_page(congress, exc.report, confirm, imported=False, status=422)
    flash(_("%(count)d invitees imported.", count=report.imported), "success")
    return _report_page(congress, report, None, imported=True)


@bp.route("/manage/<slug>/invitations/import/confirm", methods=["POST"])
@roles_required(ORGANISER)
def confirm_import(slug: str):
    congress = edition_or_404(slug)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        data = base64.b64decode(form.content.data or "", validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    return _import(congress, form.filename.data or "", data, form.list_name.data or "", valid_only=True)


@bp.route("/manage/<slug>/invitations/<int:list_id>", methods=["GET", "POST"])
@roles_required(ORGANISER)
def detail(slug: str, list_id: int):
    congress = edition_or_404(slug)
    invitation_list = of_edition_or_404(InvitationList, list_id, congress)
    form = ListForm(obj=invitation_list if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.update_list(list_id, form.name.data or "", form.reserved_places.data, form.reserved_until.data)
            except services.InvitationError as exc:
                show_refusal(form, exc)
            else:
                flash(_("The list has been saved."), "success")
                return redirect(url_for("invitations.detail", slug=slug, list_id=list_id))
        status = 422
    send_form = SendForm(formdata=None)
    send_form.send_key.data = new_secret(16)
    summary = next(s for s in queries.list_summaries(congress) if s.list.id == list_id)
    return render_template("invitations/detail.html", congress=congress, invitation_list=invitation_list,
                           summary=summary, invitees=queries.invitees_of(invitation_list),
                           sent=queries.sent_invitation_ids(invitation_list), form=form,
                           send_form=send_form, status_labels=queries.STATUS_LABELS,
                           delivery=queries.delivery(invitation_list)), status


@bp.route("/manage/<slug>/invitations/<int:list_id>/progress.json")
@roles_required(ORGANISER)
def progress(slug: str, list_id: int):
    """What the progress bar polls: the outbox's counts of the list's invitations."""
    congress = edition_or_404(slug)
    counts = queries.delivery(of_edition_or_404(InvitationList, list_id, congress))
    response = jsonify(**counts.progress(), finished=not counts.in_flight)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/manage/<slug>/invitations/<int:list_id>/send", methods=["POST"])
@roles_required(ORGANISER)
def send(slug: str, list_id: int):
    congress = edition_or_404(slug)
    of_edition_or_404(InvitationList, list_id, congress)
    if SendForm().validate_on_submit():
        report = services.send_invitations(congress, list_id, by=current_user)
        flash(_("Invitations: %(queued)d queued, %(skipped)d skipped (unsubscribed).", queued=report.queued,
                skipped=report.skipped), "success")
    return redirect(url_for("invitations.detail", slug=slug, list_id=list_id))


@bp.route("/manage/<slug>/invitations/<int:list_id>/remind", methods=["POST"])
@roles_required(ORGANISER)
def remind(slug: str, list_id: int):
    congress = edition_or_404(slug)
    of_edition_or_404(InvitationList, list_id, congress)
    form = SendForm()
    if form.validate_on_submit():
        try:
            report = services.send_reminders(congress, list_id, form.send_key.data or "", by=current_user)
        except services.InvitationError as exc:
            flash(exc.message, "error")
        else:
            flash(_("Reminders: %(queued)d queued, %(skipped)d skipped (unsubscribed).", queued=report.queued,
                    skipped=report.skipped), "success")
    return redirect(url_for("invitations.detail", slug=slug, list_id=list_id))


@bp.route("/<slug>/invitation/<secret>", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def respond(slug: str, secret: str):
    """The invitee's page: register, or decline with one button."""
    congress = core.public_congress_or_404(slug)
    invitee = queries.find_by_secret(secret, congress.id)
    if invitee is None:
        return render_template("invitations/respond.html", congress=congress, invitee=None, form=None), 404
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            invitee = services.decline(secret, congress.id)
        except (services.InvitationError, services.InvitationConflict) as exc:
            flash(exc.message, "error")
        else:
            flash(_("Thank you for letting us know. We are sorry you cannot come."), "success")
        return redirect(url_for("invitations.respond", slug=slug, secret=secret))
    response = render_template("invitations/respond.html", congress=congress, invitee=invitee, form=form,
                               register_link=url_for("registration.register", slug=slug, invite=secret))
    return response, 200, {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex, nofollow"}
