"""Scheduled mails in the back office, under ``/manage/<slug>/mailings/scheduled`` (blueprint
``communications.schedules``): the edition's rules with their moment and state, a rule's audience and
preview, and editing, pausing and deleting it until it has fired."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.communications import mailings, schedules
from congress.communications.forms import ButtonForm, ScheduleForm
from congress.communications.mailing_views import PREVIEW_CSP
from congress.communications.schedules import Rule, ScheduleConflict, ScheduledMail
from congress.core.models import Congress
from congress.core.queries import edition_or_404, of_edition_or_404
from congress.errors import show_refusal
from congress.extensions import talisman

bp = Blueprint("schedules", __name__, url_prefix="/manage")
ORGANISER = Role.ORGANISER.value


def _rule(form: ScheduleForm) -> Rule:
    return Rule(form.moment.data or "", form.days.data, form.subject_nl.data or "", form.text_nl.data or "",
                form.subject_en.data or "", form.text_en.data or "")


def _as_rule(target: ScheduledMail) -> Rule:
    return Rule(target.moment, target.days, target.subject_nl, target.text_nl, target.subject_en, target.text_en)


@bp.route("/<slug>/mailings/scheduled")
@roles_required(ORGANISER)
def index(slug: str):
    congress = edition_or_404(slug)
    return render_template("communications/schedules/index.html", congress=congress,
                           rules=schedules.rules_of(congress), state_labels=schedules.STATE_LABELS,
                           moments=schedules.MOMENT_LABELS)


def _edit(congress: Congress, target: ScheduledMail | None):
    form = ScheduleForm()
    if request.method == "GET":
        moment = request.args.get("moment", schedules.Moment.BEFORE_START.value)
        rule = _as_rule(target) if target is not None else schedules.default_rule(
            moment if moment in schedules.MOMENT_LABELS else schedules.Moment.BEFORE_START.value)
        form.moment.data, form.days.data = rule.moment, rule.days
        form.subject_nl.data, form.text_nl.data = rule.subject_nl, rule.text_nl
        form.subject_en.data, form.text_en.data = rule.subject_en, rule.text_en
    elif form.validate_on_submit():
        try:
            if target is None:
                target = schedules.create_rule(congress, _rule(form), by=current_user)
            else:
                schedules.update_rule(target.id, _rule(form), by=current_user)
        except ScheduleConflict as exc:
            flash(exc.message, "error")
        except mailings.MailingError as exc:
            show_refusal(form, exc)
        else:
            flash(_("The scheduled mail has been saved. Check the audience and the preview."), "success")
            return redirect(url_for("communications.schedules.detail", slug=congress.slug, rule_id=target.id), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("communications/schedules/form.html", congress=congress, form=form, rule=target,
                           placeholders=mailings.PLACEHOLDERS), status


@bp.route("/<slug>/mailings/scheduled/new", methods=["GET", "POST"])
@roles_required(ORGANISER)
def new(slug: str):
    return _edit(edition_or_404(slug), None)


@bp.route("/<slug>/mailings/scheduled/<int:rule_id>/edit", methods=["GET", "POST"])
@roles_required(ORGANISER)
def edit(slug: str, rule_id: int):
    congress = edition_or_404(slug)
    target = of_edition_or_404(ScheduledMail, rule_id, congress)
    if target.fired_at is not None:
        flash(_("This mail has been sent; it cannot change any more."), "error")
        return redirect(url_for("communications.schedules.detail", slug=slug, rule_id=rule_id), 303)
    return _edit(congress, target)


@bp.route("/<slug>/mailings/scheduled/<int:rule_id>")
@roles_required(ORGANISER)
def detail(slug: str, rule_id: int):
    congress = edition_or_404(slug)
    target = of_edition_or_404(ScheduledMail, rule_id, congress)
    preview = schedules.preview_rule(congress, _as_rule(target)) if target.fired_at is None else None
    return render_template("communications/schedules/detail.html", congress=congress, rule=target,
                           preview=preview, state=target.state(), state_labels=schedules.STATE_LABELS,
                           button=ButtonForm())


@bp.route("/<slug>/mailings/scheduled/<int:rule_id>/preview.html")
@roles_required(ORGANISER)
@talisman(frame_options="SAMEORIGIN", content_security_policy=PREVIEW_CSP)
def preview_html(slug: str, rule_id: int):
    congress = edition_or_404(slug)
    target = of_edition_or_404(ScheduledMail, rule_id, congress)
    preview = schedules.preview_rule(congress, _as_rule(target))
    if preview.message is None:
        abort(404)
    response = make_response(preview.message.html)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _set_paused(slug: str, rule_id: int, paused: bool):
    congress = edition_or_404(slug)
    of_edition_or_404(ScheduledMail, rule_id, congress)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        schedules.set_paused(rule_id, paused, by=current_user)
    except ScheduleConflict as exc:
        flash(exc.message, "error")
    else:
        flash(_("The scheduled mail is paused: it is not sent until you resume it.") if paused
              else _("The scheduled mail will be sent at its moment."), "success")
    return redirect(url_for("communications.schedules.detail", slug=slug, rule_id=rule_id), 303)


@bp.route("/<slug>/mailings/scheduled/<int:rule_id>/pause", methods=["POST"])
@roles_required(ORGANISER)
def pause(slug: str, rule_id: int):
    return _set_paused(slug, rule_id, True)


@bp.route("/<slug>/mailings/scheduled/<int:rule_id>/resume", methods=["POST"])
@roles_required(ORGANISER)
def resume(slug: str, rule_id: int):
    return _set_paused(slug, rule_id, False)


@bp.route("/<slug>/mailings/scheduled/<int:rule_id>/delete", methods=["POST"])
@roles_required(ORGANISER)
def delete(slug: str, rule_id: int):
    congress = edition_or_404(slug)
    of_edition_or_404(ScheduledMail, rule_id, congress)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        schedules.delete_rule(rule_id, by=current_user)
    except ScheduleConflict as exc:
        flash(exc.message, "error")
        return redirect(url_for("communications.schedules.detail", slug=slug, rule_id=rule_id), 303)
    flash(_("The scheduled mail has been deleted."), "success")
    return redirect(url_for("communications.schedules.index", slug=slug), 303)
