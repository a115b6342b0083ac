"""Public pages: the registration form, the double opt-in, "send me my link" and the self-service pages
behind the personal link. The organisers' pages live in :mod:`congress.registration.manage_views`."""

from __future__ import annotations

import json

import click
from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from congress.core import services as core
from congress.database import utcnow
from congress.extensions import limiter
from congress.i18n import current_language
from congress.programme.queries import calendar_for_sessions
from congress.registration import manage_views, services
from congress.registration.forms import (
    ENROLMENT_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    CancelForm,
    ConfirmForm,
    EraseForm,
    LinkForm,
    chosen_sessions,
    data_from,
    registration_form,
    show_errors,
)
from congress.registration.links import by_secret_or_404
from congress.registration.models import EnrolmentStatus
from congress.registration.signals import invitation_wanted, personal_data_wanted, personal_page_wanted
from congress.security import private_page
from congress.signals import first_answer
from congress.urls import external_url, public_domain

bp = Blueprint("registration", __name__)


def form_limit() -> str:
    return current_app.config.get("REGISTRATION_RATE_LIMIT", "20 per minute;200 per hour")


@bp.record_once
def _register_manage_blueprint(state) -> None:
    """The organisers' blueprint (``registration_manage``) is registered with this one."""
    # (Not imported by name: the app factory reads a views module's own URL_PREFIX.)
    state.app.register_blueprint(manage_views.manage_bp, url_prefix=manage_views.URL_PREFIX)


@bp.app_context_processor
def _labels() -> dict:
    return {"registration_status_labels": STATUS_LABELS, "registration_role_labels": ROLE_LABELS,
            "enrolment_labels": ENROLMENT_LABELS, "registration_state": services.registration_state}



@bp.route("/<slug>/register", methods=["GET", "POST"])
@limiter.limit(form_limit, methods=["POST"])
def register(slug: str):
    congress = core.public_congress_or_404(slug)
    locale = current_language()
    state = services.registration_state(congress)
    rounds = services.rounds_with_seats(congress)
    form = registration_form(services.sectors(congress), services.questions(congress), rounds, locale,
                             online=services.online_places(congress.id)[0])
    # A full edition that offers a waiting list keeps its form open: who registers joins the list.
    waiting_list = state == "full" and services.offers_waiting_list(congress.id)
    if state != "open" and not waiting_list:
        status = 409 if request.method == "POST" else 200
        return render_template("registration/closed.html", congress=congress, state=state), status
    if request.method == "GET" and request.args.get("invite"):
        _fill_in_invitation(form, congress, request.args.get("invite", ""))
    if form.validate_on_submit():
        try:
            result = services.register(congress, data_from(form, locale), chosen_sessions(form))
        except services.RegistrationError as exc:
            if exc.code in ("closed", "not_open", "full"):
                return render_template("registration/closed.html", congress=congress, state=exc.code), 409
            show_errors(form, exc.errors)
        else:
            if result.created:
                waitlisted = result.status == "waitlisted"
                seats, waiting = result.seat_counts()
            else:
                # The same answer as a new registration of this form would get (no one learns that the
                # address is registered); the owner of the address gets their link.
                services.send_link(congress, form.email.data or "")
                waitlisted = waiting_list
                seats, waiting = (0, 0) if waiting_list else expected_seats(rounds, chosen_sessions(form))
            counts = {"seats": seats, "waiting": waiting}
            answer = {"waitlisted": 1} if waitlisted else {k: n for k, n in counts.items() if n}
            return redirect(url_for("registration.thanks", slug=slug, **answer))
    status = 422 if form.is_submitted() else 200
    return render_template("registration/register.html", congress=congress, form=form, rounds=rounds,
                           waiting_list=waiting_list), status


def _fill_in_invitation(form, congress, secret: str) -> None:  # type: ignore[no-untyped-def]
    """``?invite=<secret>``: what the invitation knows (asked of the capability that keeps them) fills
    in the form; a secret that names nobody fills in nothing."""
    details = first_answer(invitation_wanted, congress.id, secret=secret[:200])
    if not details:
        return
    for name in ("name", "email", "organisation"):
        if details.get(name):
            getattr(form, name).data = details[name]
    wanted = (details.get("sector") or "").strip().casefold()
    if wanted and getattr(form, "sector", None) is not None:
        for sector in services.sectors(congress):
            if not sector.hidden and wanted in {sector.name_nl.casefold(), (sector.name_en or "").casefold()}:
                form.sector.data = str(sector.id)
                break


@bp.route("/<slug>/register/thanks")
def thanks(slug: str):
    congress = core.public_congress_or_404(slug)
    return render_template("registration/thanks.html", congress=congress,
                           hours=services.hold_hours(), waitlisted=request.args.get("waitlisted") == "1",
                           seats=_count_arg("seats"), waiting=_count_arg("waiting"))


def _count_arg(name: str) -> int:
    """A small count from the query string; anything else (a typed-in URL) is 0."""
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) <= 3 else 0


def expected_seats(rounds: list, session_ids: list[int]) -> tuple[int, int]:
    """(seats, waiting lists) that choosing ``session_ids`` gets by the seats shown on the form."""
    full = {s.session.id for _, seats in rounds for s in seats if s.full}
    known = {s.session.id for _, seats in rounds for s in seats}
    chosen = [session_id for session_id in session_ids if session_id in known]
    waiting = sum(1 for session_id in chosen if session_id in full)
    return len(chosen) - waiting, waiting


@bp.route("/<slug>/register/link", methods=["GET", "POST"])
@limiter.limit(form_limit, methods=["POST"])
def send_link(slug: str):
    congress = core.public_congress_or_404(slug)
    form = LinkForm()
    if form.validate_on_submit():
        services.send_link(congress, form.email.data)
        flash(_("If this address is registered for this edition, we have sent the personal link to it."), "success")
        return redirect(url_for("registration.send_link", slug=slug))
    return render_template("registration/link.html", congress=congress, form=form)


# A closed or archived edition: the personal page is read-only (edition lifecycle).
EDITION_CLOSED_MESSAGE = _l("This edition is closed: your registration can no longer be changed or cancelled. "
                            "Questions? Write to the organisers.")


@bp.route("/my/<secret>")
def manage(secret: str):
    registration = by_secret_or_404(secret)
    congress = registration.congress
    enrolments = [(e, services.waiting_rank(e)) for e in registration.enrolments]
    ics = external_url("registration.agenda", secret=secret)
    ticket_url = _ticket_url(secret) if registration.holds_place else None
    return private_page(Response(render_template(
        "registration/manage.html", registration=registration, congress=congress, enrolments=enrolments,
        secret=secret, webcal="webcal://" + ics.split("://", 1)[1],
        waiting_rank=services.edition_waiting_rank(registration),
        ticket_url=ticket_url, confirm_form=ConfirmForm(),
        can_change=services.window_state(congress) == "open" and registration.holds_place,
        changes_allowed=services.attendee_changes_allowed(congress), closed_message=EDITION_CLOSED_MESSAGE,
        started=congress.starts_at <= utcnow(),  # from then on the evaluations (their own pages) are linked
        sections=[html for _receiver, html in personal_page_wanted.send(registration, secret=secret) if html],
        offers_online=services.online_places(congress.id)[0],
        # Stream links are for confirmed registrants only (never on a public page, feed or export).
        streamed=sorted((s for s in congress.sessions if not s.is_cancelled and s.starts_at and s.effective_stream_url),
                        key=lambda s: (s.starts_at, s.id)) if registration.status == "confirmed" else [],
    )))


def _ticket_url(secret: str) -> str:
    """The e-ticket download (a page of the badges capability, behind the same personal link)."""
    return url_for("badges.ticket", secret=secret)


@bp.route("/my/<secret>/confirm", methods=["GET", "POST"])
def confirm(secret: str):
    registration = by_secret_or_404(secret)
    form = ConfirmForm()
    if registration.status != "pending":
        return redirect(url_for("registration.manage", secret=secret))
    if form.validate_on_submit():
        services.confirm(registration)
        flash(_("Thank you: your registration is confirmed."), "success")
        return redirect(url_for("registration.manage", secret=secret))
    return private_page(Response(render_template("registration/confirm.html", registration=registration,
                                             congress=registration.congress, form=form)))


@bp.route("/my/<secret>/edit", methods=["GET", "POST"])
@limiter.limit(form_limit, methods=["POST"])
def edit(secret: str):
    registration = by_secret_or_404(secret)
    congress = registration.congress
    if not registration.is_active:
        return redirect(url_for("registration.manage", secret=secret))
    if not services.attendee_changes_allowed(congress):
        flash(EDITION_CLOSED_MESSAGE, "info")
        return redirect(url_for("registration.manage", secret=secret))
    locale = current_language()
    rounds = services.rounds_with_seats(congress)
    # Someone on the edition's waiting list chooses workshops once promoted.
    can_change = services.window_state(congress) == "open" and registration.holds_place
    form = registration_form(services.sectors(congress), services.questions(congress), rounds, locale,
                             registration=registration, sessions=can_change)
    del form.consent_privacy  # given when registering
    form.submit.label.text = _("Save changes")
    if form.is_submitted():
        data = data_from(form, registration.locale)
        errors = {} if form.validate() else {"form": [_("The form has expired. Please try again.")]}
        if not errors:
            try:
                services.update_details(registration, data)
                if can_change:
                    services.change_sessions(registration, chosen_sessions(form))
            except services.RegistrationError as exc:
                errors = exc.errors or {"sessions": [str(exc)]}
            else:
                flash(_("Your changes have been saved."), "success")
                return redirect(url_for("registration.manage", secret=secret))
        show_errors(form, errors)
    enrolled = {e.session_id: e for e in registration.enrolments}
    status = 422 if form.is_submitted() else 200
    return private_page(Response(render_template(
        "registration/edit.html", registration=registration, congress=congress, form=form, rounds=rounds,
        enrolled=enrolled, secret=secret, can_change=can_change), status=status))


@bp.route("/my/<secret>/cancel", methods=["GET", "POST"])
def cancel(secret: str):
    registration = by_secret_or_404(secret)
    form = CancelForm()
    if not registration.is_active:
        return redirect(url_for("registration.manage", secret=secret))
    if not services.attendee_changes_allowed(registration.congress):
        flash(EDITION_CLOSED_MESSAGE, "info")
        return redirect(url_for("registration.manage", secret=secret))
    if form.validate_on_submit():
        services.cancel(registration, reason="attendee")
        flash(_("Your registration has been cancelled. Your seats have been given to others."), "success")
        return redirect(url_for("registration.manage", secret=secret))
    return private_page(Response(render_template("registration/cancel.html", registration=registration,
                                             congress=registration.congress, form=form, secret=secret)))


@bp.route("/my/<secret>/data.json")
def download_data(secret: str):
    registration = by_secret_or_404(secret)
    locale = current_language()
    data = services.personal_data(registration, locale)
    for _receiver, more in personal_data_wanted.send(registration, locale=locale):
        data.update(more or {})
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="registration-{registration.congress.slug}.json"'
    return private_page(response)


@bp.route("/my/<secret>/erase", methods=["GET", "POST"])
def erase(secret: str):
    registration = by_secret_or_404(secret)
    form = EraseForm()
    if form.validate_on_submit():
        slug = registration.congress.slug
        services.erase(registration)
        flash(_("Your data has been erased."), "success")
        return redirect(url_for("public.edition", slug=slug))
    return private_page(Response(render_template("registration/erase.html", registration=registration,
                                             congress=registration.congress, form=form, secret=secret),
                             status=422 if form.is_submitted() else 200))


@bp.route("/my/<secret>/agenda.ics")
def agenda(secret: str):
    registration = by_secret_or_404(secret)
    congress = registration.congress
    sessions = [e.session for e in registration.enrolments if e.status == EnrolmentStatus.ENROLLED.value]
    body = calendar_for_sessions(
        sorted(sessions, key=lambda s: s.starts_at or congress.created_at), congress,
        name=f"{congress.title(registration.locale)} – {registration.name}",
        domain=public_domain(),
        url_for=lambda s: external_url("public.edition", slug=congress.slug),
        locale=registration.locale,
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{congress.slug}.ics"'
    return private_page(response)


@bp.cli.command("expire-unconfirmed")
def expire_unconfirmed_command() -> None:
    """Release the seats of registrations not confirmed in time (the worker does this every 5 minutes)."""
    click.echo(f"{services.expire_unconfirmed()} unconfirmed registrations expired.")
