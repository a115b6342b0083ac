"""The participants' network behind the personal link (``/my/<secret>/participants…``) and the
organiser's page of reports and blocks (``/manage/<slug>/network``). Views stay thin: the rules are in
:mod:`congress.network.services` and :mod:`congress.network.queries`."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.core.queries import edition_or_404
from congress.errors import ServiceError, show_refusal
from congress.i18n import current_language
from congress.network import queries, services
from congress.network.forms import ActionForm, BlockForm, ConsentForm, MessageForm, ReportForm, ShareForm
from congress.programme import queries as programme
from congress.registration.models import Registration
from congress.registration.queries import by_secret_or_404
from congress.security import private_page

bp = Blueprint("network", __name__)


def _page(template: str, status: int = 200, **context) -> Response:
    return private_page(Response(render_template(template, lang=current_language(), **context), status))


def _looking(secret: str) -> Registration:
    return by_secret_or_404(secret)


@bp.route("/my/<secret>/participants")
def participants(secret: str):
    viewer = _looking(secret)
    congress = viewer.congress
    if not queries.may_look(viewer):
        return _page("network/not_yet.html", 403, registration=viewer, congress=congress, secret=secret,
                     blocked=queries.is_blocked(viewer))
    filters = queries.Filters.from_args(request.args)
    found = queries.participants(viewer, filters)
    return _page("network/participants.html", registration=viewer, congress=congress, secret=secret,
                 filters=filters, found=found, choices=queries.filter_choices(viewer),
                 listed=queries.is_listed(viewer), consent_form=ConsentForm(), zone=programme.zone(congress))


@bp.route("/my/<secret>/participants/<int:registration_id>", methods=["GET", "POST"])
def person(secret: str, registration_id: int):
    viewer = _looking(secret)
    congress = viewer.congress
    if not queries.may_look(viewer):
        return _page("network/not_yet.html", 403, registration=viewer, congress=congress, secret=secret,
                     blocked=queries.is_blocked(viewer))
    other = queries.partner(viewer, registration_id)
    if other is None:
        abort(404)
    form = MessageForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.send_message(viewer, other.id, form.body.data or "")
            except ServiceError as exc:
                show_refusal(form, exc)
                status = exc.status if exc.status != 429 else 422
            else:
                flash(_("Your message has been sent. %(name)s receives it by e-mail and on their personal page, "
                        "without your e-mail address.", name=other.name), "success")
                return redirect(url_for("network.person", secret=secret, registration_id=other.id))
        else:
            status = 422
    else:
        services.mark_read(viewer, other.id)
    return _page("network/person.html", status, registration=viewer, congress=congress, secret=secret,
                 other=other, workshops=queries.workshops_of(other), messages=queries.conversation(viewer, other),
                 listed=queries.is_listed(viewer), other_listed=queries.is_listed(other),
                 i_shared=queries.shared(viewer.id, other.id), they_shared=queries.shared(other.id, viewer.id),
                 both_shared=queries.addresses_shared(viewer, other), reported=queries.reported_ids(viewer),
                 form=form, share_form=ShareForm(prefix="share"), report_form=ReportForm(prefix="report"),
                 zone=programme.zone(congress))


@bp.route("/my/<secret>/participants/<int:registration_id>/share", methods=["POST"])
def share(secret: str, registration_id: int):
    viewer = _looking(secret)
    if not ShareForm(prefix="share").validate_on_submit():
        abort(422)
    try:
        both = services.share_address(viewer, registration_id)
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        flash(_("You have both shared your e-mail address: you now see each other's.") if both else
              _("You have shared your e-mail address. It is shown once the other person shares theirs too."),
              "success")
    return redirect(url_for("network.person", secret=secret, registration_id=registration_id))


@bp.route("/my/<secret>/participants/messages/<int:message_id>/report", methods=["POST"])
def report(secret: str, message_id: int):
    viewer = _looking(secret)
    form = ReportForm(prefix="report")
    if not form.validate_on_submit():
        abort(422)
    try:
        row = services.report(viewer, message_id, form.reason.data or "")
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("registration.manage", secret=secret))
    flash(_("Thank you: the organisers have received your report."), "success")
    return redirect(url_for("network.person", secret=secret, registration_id=row.message.sender_id))


@bp.route("/my/<secret>/participants/consent", methods=["POST"])
def consent(secret: str):
    viewer = _looking(secret)
    form = ConsentForm()
    if not form.validate_on_submit():
        abort(422)
    joined = form.consent.data == "yes"
    services.set_consent(viewer, joined)
    flash(_("You now appear in the participants' network.") if joined else
          _("You no longer appear in the participants' network. Others cannot contact you through it."), "success")
    return redirect(url_for("registration.manage", secret=secret) + "#network")


@bp.route("/manage/<slug>/network")
@roles_required(Role.ORGANISER.value)
def manage(slug: str):
    congress = edition_or_404(slug)
    return render_template("network/manage.html", congress=congress, lang=current_language(),
                           counts=queries.counts(congress.id), reports=queries.reports(congress.id),
                           blocks=queries.blocks(congress.id), block_form=BlockForm(prefix="block"),
                           action_form=ActionForm(), zone=programme.zone(congress))


@bp.route("/manage/<slug>/network/block/<int:registration_id>", methods=["POST"])
@roles_required(Role.ORGANISER.value)
def block(slug: str, registration_id: int):
    congress = edition_or_404(slug)
    form = BlockForm(prefix="block")
    if not form.validate_on_submit():
        abort(422)
    try:
        services.block(congress.id, registration_id, form.reason.data or "", user_id=current_user.id)
    except ServiceError:
        abort(404)
    flash(_("The participant has been blocked from the network."), "success")
    return redirect(url_for("network.manage", slug=slug))


@bp.route("/manage/<slug>/network/unblock/<int:registration_id>", methods=["POST"])
@roles_required(Role.ORGANISER.value)
def unblock(slug: str, registration_id: int):
    congress = edition_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(422)
    services.unblock(congress.id, registration_id)
    flash(_("The participant may use the network again."), "success")
    return redirect(url_for("network.manage", slug=slug))


@bp.route("/manage/<slug>/network/reports/<int:report_id>/handled", methods=["POST"])
@roles_required(Role.ORGANISER.value)
def handled(slug: str, report_id: int):
    congress = edition_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(422)
    try:
        services.handle_report(congress.id, report_id)
    except ServiceError:
        abort(404)
    flash(_("The report is marked as handled."), "success")
    return redirect(url_for("network.manage", slug=slug))
