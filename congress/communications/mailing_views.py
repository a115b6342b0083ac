"""Mailings in the back office, under ``/manage/<slug>/mailings`` (blueprint ``communications.mailings``):
the history, composing a draft, its audience and preview, sending, and the progress while it goes out."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.communications import mailings
from congress.communications.forms import ButtonForm, MailingForm
from congress.communications.mailings import Audience, Draft, Mailing, MailingConflict, MailingError
from congress.core.models import Congress
from congress.core.queries import edition_or_404, of_edition_or_404
from congress.errors import show_refusal
from congress.extensions import talisman
from congress.i18n import current_language
from congress.registration import queries as registrations

bp = Blueprint("mailings", __name__, url_prefix="/manage")
ORGANISER = Role.ORGANISER.value


def _choices(form: MailingForm, congress: Congress) -> None:
    lang = current_language()
    every = ("", _("All"))
    form.status.choices = [("", _("Every active registration (not cancelled)"))] + [
        (k, str(v)) for k, v in registrations.STATUS_LABELS.items()]
    form.role.choices = [every] + [(k, str(v)) for k, v in registrations.ROLE_LABELS.items()]
    form.sector.choices = [every] + [(str(s.id), s.name(lang)) for s in registrations.sectors(congress)]
    form.workshop.choices = [every] + [(str(s.id), s.title) for s in registrations.signup_sessions(congress)]
    form.place.choices = [every] + [(k, str(v)) for k, v in registrations.ENROLMENT_LABELS.items()]
    form.checked_in.choices = [every, ("yes", _("yes")), ("no", _("no"))]


def _form(congress: Congress, mailing: Mailing | None = None) -> MailingForm:
    form = MailingForm()
    _choices(form, congress)
    if mailing is not None and request.method == "GET":
        audience = Audience.from_mapping(mailing.audience or {})
        form.kind.data = audience.kind
        form.status.data = audience.status or ""
        form.role.data = audience.role or ""
        form.sector.data = str(audience.sector_id or "")
        form.workshop.data = str(audience.session_id or "")
        form.place.data = audience.place or ""
        form.checked_in.data = audience.checked_in or ""
        form.subject_nl.data, form.text_nl.data = mailing.subject_nl, mailing.text_nl
        form.subject_en.data, form.text_en.data = mailing.subject_en, mailing.text_en
    return form


def _draft(form: MailingForm) -> Draft:
    audience = Audience.from_mapping({
        "kind": form.kind.data, "status": form.status.data or None, "role": form.role.data or None,
        "sector_id": form.sector.data or None, "session_id": form.workshop.data or None,
        "place": form.place.data or None, "checked_in": form.checked_in.data or None})
    return Draft(audience, form.subject_nl.data or "", form.text_nl.data or "", form.subject_en.data or "",
                 form.text_en.data or "")


def _compose(congress: Congress, mailing: Mailing | None):
    form = _form(congress, mailing)
    if form.validate_on_submit():
        try:
            if mailing is None:
                mailing = mailings.create_mailing(congress, _draft(form), by=current_user)
                flash(_("The draft has been saved. Check the audience and the preview, then send it."), "success")
            else:
                mailings.update_mailing(mailing.id, _draft(form))
                flash(_("The draft has been saved."), "success")
            return redirect(url_for("communications.mailings.detail", slug=congress.slug, mailing_id=mailing.id))
        except MailingConflict as exc:
            flash(exc.message, "error")
            return redirect(url_for("communications.mailings.detail", slug=congress.slug, mailing_id=mailing.id))
        except MailingError as exc:
            show_refusal(form, exc)
    status = 422 if form.is_submitted() else 200
    return render_template("communications/mailings/form.html", congress=congress, form=form, mailing=mailing,
                           placeholders=mailings.PLACEHOLDERS), status


@bp.route("/<slug>/mailings")
@roles_required(ORGANISER)
def index(slug: str):
    congress = edition_or_404(slug)
    found = mailings.mailings_of(congress)
    return render_template("communications/mailings/index.html", congress=congress, mailings=found,
                           counts=mailings.counts_of(found))


@bp.route("/<slug>/mailings/new", methods=["GET", "POST"])
@roles_required(ORGANISER)
def new(slug: str):
    return _compose(edition_or_404(slug), None)


@bp.route("/<slug>/mailings/<int:mailing_id>/edit", methods=["GET", "POST"])
@roles_required(ORGANISER)
def edit(slug: str, mailing_id: int):
    congress = edition_or_404(slug)
    mailing = of_edition_or_404(Mailing, mailing_id, congress)
    if mailing.status != mailings.MailingStatus.DRAFT.value:
        flash(_("This mailing is being sent or has been sent; it can no longer be changed."), "info")
        return redirect(url_for("communications.mailings.detail", slug=slug, mailing_id=mailing.id))
    return _compose(congress, mailing)


def _detail(congress: Congress, mailing: Mailing, *, problem: str | None = None, status: int = 200):
    draft = mailing.status == mailings.MailingStatus.DRAFT.value
    return render_template(
        "communications/mailings/detail.html", congress=congress, mailing=mailing, button=ButtonForm(),
        preview=mailings.preview(mailing) if draft else None, counts=mailings.counts(mailing.id),
        failures=[] if draft else mailings.failures(mailing.id), problem=problem,
        audience=_audience_words(congress, Audience.from_mapping(mailing.audience or {}))), status


def _audience_words(congress: Congress, audience: Audience) -> list[tuple[str, str]]:
    """The audience's filters as (label, value) for the page."""
    if audience.kind in (mailings.KIND_SPEAKERS, mailings.KIND_INVITEES):
        return [(_("Send to"), str(mailings.KIND_LABELS[audience.kind]))]
    lang = current_language()
    words = [(_("Send to"), str(mailings.KIND_LABELS[mailings.KIND_REGISTRATIONS])),
             (_("Status"), str(registrations.STATUS_LABELS[audience.status]) if audience.status
              else _("Every active registration (not cancelled)"))]
    if audience.role:
        words.append((_("Badge role"), str(registrations.ROLE_LABELS[audience.role])))
    if audience.sector_id:
        names = {s.id: s.name(lang) for s in registrations.sectors(congress)}
        words.append((_("Sector"), names.get(audience.sector_id, "?")))
    if audience.session_id:
        titles = {s.id: s.title for s in registrations.signup_sessions(congress)}
        words.append((_("Workshop"), titles.get(audience.session_id, "?")))
        if audience.place:
            words.append((_("Place in the workshop"), str(registrations.ENROLMENT_LABELS[audience.place])))
    if audience.checked_in:
        words.append((_("Checked in"), _("yes") if audience.checked_in == "yes" else _("no")))
    return words


@bp.route("/<slug>/mailings/<int:mailing_id>")
@roles_required(ORGANISER)
def detail(slug: str, mailing_id: int):
    congress = edition_or_404(slug)
    return _detail(congress, of_edition_or_404(Mailing, mailing_id, congress))


# The HTML part as the sample recipient gets it, in its own sandboxed frame: a mail's inline styles are
# allowed there and nowhere else (the page around it keeps its policy); nothing runs, nothing loads.
PREVIEW_CSP = {"default-src": "'none'", "style-src": "'unsafe-inline'", "img-src": "data:",
               "frame-ancestors": "'self'", "base-uri": "'none'", "form-action": "'none'"}


@bp.route("/<slug>/mailings/<int:mailing_id>/preview.html")
@roles_required(ORGANISER)
@talisman(frame_options="SAMEORIGIN", content_security_policy=PREVIEW_CSP)
def preview_html(slug: str, mailing_id: int):
    congress = edition_or_404(slug)
    preview = mailings.preview(of_edition_or_404(Mailing, mailing_id, congress))
    if preview.message is None:
        abort(404)
    response = make_response(preview.message.html)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<slug>/mailings/<int:mailing_id>/send", methods=["POST"])
@roles_required(ORGANISER)
def send(slug: str, mailing_id: int):
    congress = edition_or_404(slug)
    mailing = of_edition_or_404(Mailing, mailing_id, congress)
    try:
        count = mailings.start_sending(mailing.id, by=current_user)
    except MailingConflict as exc:
        flash(exc.message, "info")
        return redirect(url_for("communications.mailings.detail", slug=slug, mailing_id=mailing.id), 303)
    except MailingError as exc:
        return _detail(congress, mailing, problem=exc.message, status=422)
    flash(_("The mailing is being sent to %(n)d addresses; this page shows how far it is.", n=count), "success")
    return redirect(url_for("communications.mailings.detail", slug=slug, mailing_id=mailing.id), 303)


@bp.route("/<slug>/mailings/<int:mailing_id>/delete", methods=["POST"])
@roles_required(ORGANISER)
def delete(slug: str, mailing_id: int):
    congress = edition_or_404(slug)
    mailing = of_edition_or_404(Mailing, mailing_id, congress)
    try:
        mailings.delete_draft(mailing.id)
    except MailingConflict as exc:
        flash(exc.message, "error")
        return redirect(url_for("communications.mailings.detail", slug=slug, mailing_id=mailing_id), 303)
    flash(_("The draft has been deleted."), "success")
    return redirect(url_for("communications.mailings.index", slug=slug), 303)


@bp.route("/<slug>/mailings/<int:mailing_id>/progress.json")
@roles_required(ORGANISER)
def progress(slug: str, mailing_id: int):
    """What the progress bar polls: the outbox's counts of the mailing's messages."""
    congress = edition_or_404(slug)
    mailing = of_edition_or_404(Mailing, mailing_id, congress)
    counts = mailings.counts(mailing.id)
    response = jsonify(status=mailing.status, status_label=mailing.status_label, **counts.progress(),
                       finished=mailing.status == mailings.MailingStatus.SENT.value and not counts.in_flight)
    response.headers["Cache-Control"] = "private, no-store"
    return response
