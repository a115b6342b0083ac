"""Call for proposals: the public call page and the speaker area (``cfp``). The organisers',
track managers' and reviewers' pages under ``/manage/cfp`` are the nested blueprint ``cfp.manage``
(:mod:`congress.cfp.manage_views`)."""

from __future__ import annotations

from urllib.parse import urlsplit

import click
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from congress.accounts import signin
from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.accounts.services import check_account_token
from congress.cfp import services
from congress.cfp.forms import (
    InviteForm,
    ProfileForm,
    ProposalForm,
    RecordingConsentForm,
    SignupForm,
    SlidesForm,
    VerifyForm,
    protective_factor_choices,
)
from congress.cfp.manage_views import manage_bp
from congress.cfp.models import Proposal, ProposalStatus, SlideUpload
from congress.core import queries as core
from congress.core.models import Congress
from congress.database import utcnow
from congress.extensions import db, limiter
from congress.i18n import current_language
from congress.storage import storage

bp = Blueprint("cfp", __name__)

SPEAKER = Role.SPEAKER.value


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return None


@bp.app_template_filter("cfp_status")
def cfp_status(value: str) -> str:
    labels = {
        "draft": _("Draft"), "submitted": _("Submitted"), "accepted": _("Accepted"), "held": _("On hold"),
        "rejected": _("Not accepted"), "confirmed": _("Confirmed"), "withdrawn": _("Withdrawn"),
    }
    return labels.get(value, value)


# --- public call page ----------------------------------------------------------------------


@bp.route("/<slug>/cfp")
def call(slug: str):
    congress = core.public_congress_or_404(slug)
    settings = services.settings_for(congress)
    if settings is None:
        abort(404)
    return render_template(
        "cfp/call.html", congress=congress, settings=settings, formats=services.formats(congress),
        tracks=services.open_tracks(congress), is_open=settings.is_open(), now=utcnow(),
    )


# --- sign-up and verification --------------------------------------------------------------


@bp.route("/speaker/signup", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def signup():
    form = SignupForm()
    if form.validate_on_submit():
        services.sign_up_speaker(form.email.data, form.name.data, current_language(),
                                 next_url=_safe_next(request.args.get("next")))
        return render_template("cfp/signup_sent.html", email=form.email.data)
    return render_template("cfp/signup.html", form=form)


@bp.route("/speaker/verify/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def verify(token: str):
    if check_account_token(token, services.PURPOSE_VERIFY) is None:
        flash(_("This link is invalid or has expired. Ask for a new one."), "error")
        return redirect(url_for("cfp.signup"))
    form = VerifyForm()
    if form.validate_on_submit():
        try:
            user = services.verify_speaker(token, form.password.data)
        except services.CfpError as exc:
            form.password.errors.append(str(exc))
        else:
            signin.sign_in(user, method=signin.METHOD_LINK)
            flash(_("Your e-mail address is confirmed and your password is set."), "success")
            return redirect(_safe_next(request.args.get("next")) or url_for("cfp.dashboard"))
    return render_template("cfp/verify.html", form=form)


# --- speaker area --------------------------------------------------------------------------


def _own(proposal_id: int) -> Proposal:
    """A proposal of the logged-in speaker; 404 for anyone else's (nothing tells it exists)."""
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or not services.is_speaker(proposal, current_user):
        abort(404)
    return proposal


@bp.route("/speaker/")
@roles_required(SPEAKER)
def dashboard():
    person = services.person_for(current_user)
    proposals = services.proposals_of(current_user)
    calls = [
        (c, s) for c in core.public_congresses() if (s := services.settings_for(c)) is not None and s.is_open()
    ]
    return render_template("cfp/dashboard.html", person=person, proposals=proposals, calls=calls,
                           slides_form=SlidesForm())


@bp.route("/speaker/profile", methods=["GET", "POST"])
@roles_required(SPEAKER)
def profile():
    person = services.person_for(current_user)
    form = ProfileForm(obj=person)
    if form.validate_on_submit():
        upload = request.files.get("photo")
        photo = upload.read(services.PHOTO_MAX_BYTES + 1) if upload is not None and upload.filename else None
        try:
            # Nothing half-saved: neither the text nor the photo.
            services.save_profile(person, name=form.name.data, organisation=form.organisation.data or "",
                                  function=form.function.data or "", bio=form.bio.data or "",
                                  bio_en=form.bio_en.data or "", photo=photo,
                                  remove_photo=bool(form.remove_photo.data))
        except services.CfpError as exc:
            field = form.photo if isinstance(exc, services.PhotoRefused) else form.name
            field.errors = [str(exc)]
            return render_template("cfp/profile.html", form=form, person=services.person_for(current_user)), 422
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("cfp.dashboard"))
    return render_template("cfp/profile.html", form=form, person=person)


@bp.route("/speaker/photos/<name>")
@roles_required(SPEAKER, Role.ORGANISER.value, Role.TRACK_MANAGER.value)
def photo(name: str):
    key = services.photo_key(name)
    if key is None:
        abort(404)
    mimetype = "image/png" if name.endswith(".png") else "image/jpeg"
    return storage("cfp").send(key, mimetype=mimetype, max_age=86400)


def _proposal_form(congress: Congress, proposal: Proposal | None = None) -> ProposalForm:
    form = ProposalForm(obj=proposal) if proposal is not None else ProposalForm()
    lang = current_language()
    form.format_duration.choices = [("", _("Choose…"))] + [
        (f"{f.id}:{d}", _("%(format)s, %(minutes)d minutes", format=f.name(lang), minutes=d))
        for f in services.formats(congress) for d in f.durations
    ]
    form.track_id.choices = [(0, _("Choose…"))] + [(t.id, t.name(lang)) for t in services.open_tracks(congress)]
    form.protective_factor.choices = protective_factor_choices()
    if proposal is not None and request.method == "GET":
        form.format_duration.data = f"{proposal.format_id}:{proposal.duration}" if proposal.format_id else ""
        form.track_id.data = proposal.track_id or 0
    return form


def _data_from(form: ProposalForm, congress: Congress) -> services.ProposalData:
    format_id = duration = None
    if form.format_duration.data and ":" in form.format_duration.data:
        left, right = form.format_duration.data.split(":", 1)
        if left.isdigit() and right.isdigit():
            format_id, duration = int(left), int(right)
    answers = services.answers_from_form(congress, request.form)
    return services.ProposalData(
        title=form.title.data or "", abstract=form.abstract.data or "", description=form.description.data or "",
        format_id=format_id, duration=duration, track_id=form.track_id.data or None,
        language=form.language.data or "nl", target_audience=form.target_audience.data or "",
        protective_factor=form.protective_factor.data or "", notes=form.notes.data or "", answers=answers,
    )


def _proposal_page(congress: Congress, form: ProposalForm, proposal: Proposal | None, status: int = 200):
    return render_template(
        "cfp/proposal_form.html", congress=congress, form=form, proposal=proposal,
        settings=services.settings_for(congress), questions=services.questions(congress),
        answers=(proposal.answers if proposal else {}) if request.method == "GET" else
        {k[2:]: v for k, v in request.form.items() if k.startswith("q_")},
    ), status


@bp.route("/<slug>/cfp/new", methods=["GET", "POST"])
@roles_required(SPEAKER)
def new_proposal(slug: str):
    congress = core.public_congress_or_404(slug)
    settings = services.settings_for(congress)
    if settings is None or not settings.is_open():
        flash(_("The call for proposals is closed."), "error")
        return redirect(url_for("cfp.dashboard"))
    form = _proposal_form(congress)
    if form.validate_on_submit():
        submit = request.form.get("action") == "submit"
        try:
            proposal = services.create_proposal(congress, current_user, _data_from(form, congress), submit=submit)
        except services.CfpError as exc:
            flash(str(exc), "error")
            return _proposal_page(congress, form, None, 422)
        flash(_("Your proposal has been submitted.") if submit else _("Your draft has been saved."), "success")
        return redirect(url_for("cfp.proposal", proposal_id=proposal.id))
    return _proposal_page(congress, form, None, 422 if form.errors else 200)


@bp.route("/speaker/proposals/<int:proposal_id>")
@roles_required(SPEAKER)
def proposal(proposal_id: int):
    item = _own(proposal_id)
    settings = services.settings_for(item.congress)
    return render_template(
        "cfp/proposal.html", proposal=item, settings=settings, invite_form=InviteForm(), slides_form=SlidesForm(),
        recording_form=RecordingConsentForm(recording_consent=services.recording_consent_of(item, current_user)),
        recording_consented=services.recording_consented(item),
        invitations=services.pending_invitations(item), slides=services.slides_of(item),
        questions=services.questions(item.congress),
        # Comments for the speaker once the decision has been sent to them.
        speaker_comments=[r.comment_speaker for r in item.reviews if r.comment_speaker.strip()]
        if item.decision_mail_sent_at else [],
    )


@bp.route("/speaker/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@roles_required(SPEAKER)
def edit_proposal(proposal_id: int):
    item = _own(proposal_id)
    form = _proposal_form(item.congress, item)
    if form.validate_on_submit():
        try:
            services.update_proposal(item, current_user, _data_from(form, item.congress))
            if request.form.get("action") == "submit" and item.status == ProposalStatus.DRAFT.value:
                services.submit_proposal(item, current_user)
        except services.CfpError as exc:
            flash(str(exc), "error")
            return _proposal_page(item.congress, form, item, 422)
        flash(_("Your proposal has been saved."), "success")
        return redirect(url_for("cfp.proposal", proposal_id=item.id))
    return _proposal_page(item.congress, form, item, 422 if form.errors else 200)


@bp.route("/speaker/proposals/<int:proposal_id>/submit", methods=["POST"])
@roles_required(SPEAKER)
def submit_proposal(proposal_id: int):
    item = _own(proposal_id)
    try:
        services.submit_proposal(item, current_user)
        flash(_("Your proposal has been submitted."), "success")
    except services.CfpError as exc:
        flash(str(exc), "error")
    return redirect(url_for("cfp.proposal", proposal_id=item.id))


@bp.route("/speaker/proposals/<int:proposal_id>/withdraw", methods=["POST"])
@roles_required(SPEAKER)
def withdraw_proposal(proposal_id: int):
    item = _own(proposal_id)
    try:
        services.withdraw_proposal(item, current_user)
        flash(_("Your proposal has been withdrawn."), "success")
    except services.CfpError as exc:
        flash(str(exc), "error")
    return redirect(url_for("cfp.proposal", proposal_id=item.id))


@bp.route("/speaker/proposals/<int:proposal_id>/invite", methods=["POST"])
@roles_required(SPEAKER)
@limiter.limit("30 per hour")
def invite(proposal_id: int):
    item = _own(proposal_id)
    form = InviteForm()
    if not form.validate_on_submit():
        flash(_("Enter a valid e-mail address."), "error")
    else:
        try:
            services.invite_co_speaker(item, current_user, form.email.data, current_language())
            flash(_("An invitation has been sent to %(email)s.", email=form.email.data), "success")
        except services.CfpError as exc:
            flash(str(exc), "error")
    return redirect(url_for("cfp.proposal", proposal_id=item.id))


@bp.route("/speaker/join/<token>", methods=["GET", "POST"])
@roles_required(SPEAKER)
def join(token: str):
    invitation = services.invitation_for(token)
    if request.method == "POST":
        try:
            proposal = services.accept_invitation(token, current_user)
        except services.CfpError as exc:
            flash(str(exc), "error")
            return render_template("cfp/join.html", invitation=None, error=str(exc)), 409
        flash(_("You are now a speaker of this proposal. Please complete your profile."), "success")
        return redirect(url_for("cfp.proposal", proposal_id=proposal.id))
    error = None
    if invitation is None:
        error = _("This invitation link is invalid or has expired.")
    elif invitation.accepted_at is not None:
        error = _("This invitation has already been used.")
    elif invitation.email != current_user.email.lower():
        error = _("This invitation was sent to another e-mail address. Log in with that address.")
    page = render_template("cfp/join.html", invitation=None if error else invitation, error=error)
    return page, (409 if error else 200)


@bp.route("/speaker/proposals/<int:proposal_id>/slides", methods=["POST"])
@roles_required(SPEAKER)
def upload_slides(proposal_id: int):
    item = _own(proposal_id)
    upload = request.files.get("slides")
    rights = SlidesForm()
    if upload is None or not upload.filename:
        flash(_("Choose a file."), "error")
    elif not rights.licence.validate(rights):
        flash(_("Choose one of the licences offered."), "error")
    else:
        try:
            services.upload_slides(item, current_user, upload.filename, upload.read(services.SLIDES_MAX_BYTES + 1),
                                   consent=bool(rights.publication_consent.data), licence=rights.licence.data)
            flash(_("Your slides have been uploaded."), "success")
        except services.CfpError as exc:
            flash(str(exc), "error")
    return redirect(url_for("cfp.proposal", proposal_id=item.id))


@bp.route("/speaker/proposals/<int:proposal_id>/recording", methods=["POST"])
@roles_required(SPEAKER)
def recording_consent(proposal_id: int):
    item = _own(proposal_id)
    form = RecordingConsentForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_recording_consent(item, current_user, bool(form.recording_consent.data))
    flash(_("You agreed to the recording of your session.") if form.recording_consent.data
          else _("You did not agree to the recording of your session: it will not be published."), "success")
    return redirect(url_for("cfp.proposal", proposal_id=item.id))


@bp.route("/speaker/slides/<int:upload_id>")
@roles_required(SPEAKER, Role.ORGANISER.value, Role.TRACK_MANAGER.value)
def slides(upload_id: int):
    upload = db.session.get(SlideUpload, upload_id)
    if upload is None:
        abort(404)
    proposal = upload.proposal
    current_user.scope_to(proposal.congress_id)  # staff roles count in the proposal's edition only
    allowed = services.is_speaker(proposal, current_user) or services.can_manage_track(current_user, proposal.track_id)
    if not allowed:
        abort(404)
    return storage("cfp").send(services.slide_key(upload.stored_name), mimetype=upload.content_type,
                               as_attachment=True, download_name=upload.original_name)


# --- the decision link (the secret in the URL identifies the proposal) ---------------------


@bp.route("/speaker/decision/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def decision(token: str):
    proposal = services.proposal_for_decision_token(token)
    if request.method == "POST":
        try:
            if request.form.get("action") == "confirm":
                proposal = services.confirm_proposal(token)
                flash(_("Thank you: your session is confirmed and will be scheduled."), "success")
            else:
                proposal = services.withdraw_by_token(token)
                flash(_("You have withdrawn your proposal."), "info")
        except services.CfpError as exc:
            return render_template("cfp/decision.html", proposal=None, error=str(exc)), 409
        return render_template("cfp/decision.html", proposal=proposal, error=None, done=True)
    if proposal is None or proposal.status != ProposalStatus.ACCEPTED.value:
        return render_template("cfp/decision.html", proposal=None,
                               error=_("This link is invalid or has already been used.")), 404
    return render_template("cfp/decision.html", proposal=proposal, error=None, done=False)


bp.register_blueprint(manage_bp)


@bp.cli.command("register-speakers")
@click.argument("slug")
def register_speakers_command(slug: str) -> None:
    """Register the confirmed speakers of edition SLUG who are not registered yet (role Spreker)."""
    congress = core.congress_by_slug(slug)
    if congress is None:
        raise click.ClickException(f"no edition {slug!r}")
    click.echo(f"{services.register_pending_speakers(congress)} speaker(s) registered.")
