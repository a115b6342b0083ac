"""Call for proposals: the public call page and the speaker area (``cfp``), and the organisers',
track managers' and reviewers' pages under ``/manage/cfp`` (the nested blueprint ``cfp.manage``)."""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import click
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user

from congress import spreadsheets
from congress.accounts.access import roles_required
from congress.accounts.models import Role, User
from congress.cfp import services
from congress.cfp.forms import (
    AssignForm,
    InviteForm,
    ProfileForm,
    ProposalForm,
    SettingsForm,
    SignupForm,
    SlidesForm,
    VerifyForm,
    protective_factor_choices,
)
from congress.cfp.models import Proposal, ProposalStatus, ReviewAssignment, SlideUpload
from congress.core import services as core
from congress.core.models import Congress
from congress.database import utcnow
from congress.extensions import db, limiter
from congress.i18n import current_language

bp = Blueprint("cfp", __name__)
manage_bp = Blueprint("manage", __name__, url_prefix="/manage/cfp")

SPEAKER = Role.SPEAKER.value
STAFF = (Role.ORGANISER.value, Role.TRACK_MANAGER.value, Role.REVIEWER.value)
MANAGERS = (Role.ORGANISER.value, Role.TRACK_MANAGER.value)


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
    from congress.accounts.services import check_account_token

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
            login_user(user)
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
                                  function=form.function.data or "", bio=form.bio.data or "", photo=photo)
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
    path = services.photo_path(name)
    if path is None:
        abort(404)
    mimetype = "image/png" if name.endswith(".png") else "image/jpeg"
    return send_file(path, mimetype=mimetype, max_age=86400)


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
    if upload is None or not upload.filename:
        flash(_("Choose a file."), "error")
    else:
        try:
            services.upload_slides(item, current_user, upload.filename, upload.read(services.SLIDES_MAX_BYTES + 1))
            flash(_("Your slides have been uploaded."), "success")
        except services.CfpError as exc:
            flash(str(exc), "error")
    return redirect(url_for("cfp.proposal", proposal_id=item.id))


@bp.route("/speaker/slides/<int:upload_id>")
@roles_required(SPEAKER, Role.ORGANISER.value, Role.TRACK_MANAGER.value)
def slides(upload_id: int):
    upload = db.session.get(SlideUpload, upload_id)
    if upload is None:
        abort(404)
    proposal = upload.proposal
    allowed = services.is_speaker(proposal, current_user) or services.can_manage_track(current_user, proposal.track_id)
    if not allowed:
        abort(404)
    return send_file(services.storage_dir("slides") / upload.stored_name, mimetype=upload.content_type,
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


# --- management ----------------------------------------------------------------------------


def _congress(slug: str) -> Congress:
    congress = core.congress_by_slug(slug)
    if congress is None:
        abort(404)
    return congress


def _zone(congress: Congress) -> ZoneInfo:
    return ZoneInfo(congress.timezone)


@manage_bp.route("/")
@roles_required(*STAFF)
def index():
    from sqlalchemy import select

    congresses = db.session.scalars(select(Congress).order_by(Congress.starts_on.desc())).all()
    return render_template("cfp/manage/index.html", congresses=congresses)


@manage_bp.route("/<slug>/settings", methods=["GET", "POST"])
@roles_required(Role.ORGANISER.value)
def settings(slug: str):
    congress = _congress(slug)
    current = services.ensure_settings(congress)
    form = SettingsForm(obj=current)
    lang = current_language()
    form.tracks.choices = [(t.id, t.name(lang)) for t in congress.tracks]
    zone = _zone(congress)
    if request.method == "GET":
        form.opens_at.data = current.opens_at.astimezone(zone).replace(tzinfo=None) if current.opens_at else None
        form.closes_at.data = current.closes_at.astimezone(zone).replace(tzinfo=None) if current.closes_at else None
        form.tracks.data = [t.id for t in services.open_tracks(congress)]
        form.formats.data = services.formats_text(congress)
        form.questions.data = services.questions_text(congress)
        form.criteria.data = services.criteria_text(congress)
    if form.validate_on_submit():

        def aware(value: datetime | None) -> datetime | None:
            return value.replace(tzinfo=zone) if value else None

        try:
            services.save_call_settings(
                congress, dict(
                    opens_at=aware(form.opens_at.data), closes_at=aware(form.closes_at.data),
                    max_proposals_per_speaker=form.max_proposals_per_speaker.data, title_max=form.title_max.data,
                    abstract_max=form.abstract_max.data, description_max=form.description_max.data,
                    notes_max=form.notes_max.data, bio_max=form.bio_max.data,
                    call_text_nl=form.call_text_nl.data or "", call_text_en=form.call_text_en.data or "",
                    anonymised=form.anonymised.data,
                ),
                track_ids=form.tracks.data or [], formats_text=form.formats.data or "",
                questions_text=form.questions.data or "", criteria_text=form.criteria.data or "",
            )
        except services.CfpError as exc:
            flash(str(exc), "error")
            return render_template("cfp/manage/settings.html", congress=congress, form=form), 422
        flash(_("The settings of the call have been saved."), "success")
        return redirect(url_for("cfp.manage.settings", slug=slug))
    return render_template("cfp/manage/settings.html", congress=congress, form=form)


@manage_bp.route("/<slug>/proposals")
@roles_required(*STAFF)
def proposals(slug: str):
    congress = _congress(slug)
    items = services.visible_proposals(congress, current_user)
    status = request.args.get("status", "")
    if status:
        items = [p for p in items if p.status == status]
    return render_template(
        "cfp/manage/proposals.html", congress=congress, status=status,
        proposals=services.for_viewer(items, services.names_hidden(congress, current_user)),
        hide=services.names_hidden(congress, current_user), can_decide=current_user.has_role(Role.ORGANISER.value),
        reviewed={p.id for p in items if any(r.reviewer_id == current_user.id for r in p.reviews)},
    )


def _visible(slug: str, proposal_id: int) -> tuple[Congress, Proposal]:
    congress = _congress(slug)
    item = db.session.get(Proposal, proposal_id)
    if item is None or item.congress_id != congress.id or not services.can_view(item, current_user):
        abort(404)
    return congress, item


@manage_bp.route("/<slug>/proposals/<int:proposal_id>")
@roles_required(*STAFF)
def proposal_detail(slug: str, proposal_id: int):
    congress, item = _visible(slug, proposal_id)
    review = services.review_of(item, current_user)
    show_reviews = services.can_manage_track(current_user, item.track_id)
    return render_template(
        "cfp/manage/proposal.html", congress=congress,
        proposal=services.for_viewer([item], services.names_hidden(congress, current_user))[0],
        hide=services.names_hidden(congress, current_user), criteria=services.criteria(congress),
        questions=services.questions(congress), can_review=services.can_review(item, current_user),
        review=review, reviews=item.reviews if show_reviews else [],
        history=services.history(item, current_user), can_decide=current_user.has_role(Role.ORGANISER.value),
        weights={c.id: c.weight for c in services.criteria(congress)},
        weighted=services.weighted_score, score_range=range(services.SCORE_MIN, services.SCORE_MAX + 1),
    )


@manage_bp.route("/<slug>/proposals/<int:proposal_id>/review", methods=["POST"])
@roles_required(Role.REVIEWER.value)
def review(slug: str, proposal_id: int):
    congress, item = _visible(slug, proposal_id)
    if not services.can_review(item, current_user):
        abort(403)
    scores = {}
    for criterion in services.criteria(congress):
        value = request.form.get(f"score_{criterion.id}", "")
        if value.isdigit():
            scores[criterion.id] = int(value)
    try:
        services.save_review(item, current_user, scores, request.form.get("comment_organisers", ""),
                             request.form.get("comment_speaker", ""))
    except services.CfpError as exc:
        flash(str(exc), "error")
        return redirect(url_for("cfp.manage.proposal_detail", slug=slug, proposal_id=proposal_id))
    flash(_("Your review has been saved."), "success")
    return redirect(url_for("cfp.manage.proposals", slug=slug))


@manage_bp.route("/<slug>/proposals/<int:proposal_id>/conflict", methods=["POST"])
@roles_required(Role.REVIEWER.value)
def conflict(slug: str, proposal_id: int):
    _congress_, item = _visible(slug, proposal_id)
    if not services.can_review(item, current_user):
        abort(403)
    services.declare_conflict(item, current_user)
    flash(_("You have declared a conflict of interest; this proposal is no longer shown to you."), "info")
    return redirect(url_for("cfp.manage.proposals", slug=slug))


@manage_bp.route("/<slug>/assignments", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def assignments(slug: str):
    congress = _congress(slug)
    form = AssignForm()
    lang = current_language()
    form.reviewer_id.choices = [(u.id, f"{u.name} <{u.email}>") for u in services.reviewers()]
    tracks = [t for t in congress.tracks if services.can_manage_track(current_user, t.id)]
    proposals_ = [p for p in services.visible_proposals(congress, current_user)
                  if services.can_manage_track(current_user, p.track_id)]
    form.target.choices = [(f"t{t.id}", _("Track: %(name)s", name=t.name(lang))) for t in tracks] + [
        (f"p{p.id}", _("Proposal: %(title)s", title=p.title)) for p in proposals_
    ]
    if request.method == "POST" and request.form.get("remove"):
        assignment = db.session.get(ReviewAssignment, request.form.get("remove", type=int) or 0)
        if assignment is None or assignment.congress_id != congress.id:
            abort(404)
        try:
            services.unassign(assignment, current_user)
        except PermissionError:
            abort(403)
        flash(_("The assignment has been removed."), "success")
        return redirect(url_for("cfp.manage.assignments", slug=slug))
    if form.validate_on_submit():
        reviewer = db.session.get(User, form.reviewer_id.data)
        target = form.target.data
        try:
            if target.startswith("t"):
                services.assign_reviewer(congress, current_user, reviewer, track_id=int(target[1:]))
            else:
                item = db.session.get(Proposal, int(target[1:]))
                services.assign_reviewer(congress, current_user, reviewer, proposal=item)
        except PermissionError:
            abort(403)
        except services.CfpError as exc:
            flash(str(exc), "error")
            return redirect(url_for("cfp.manage.assignments", slug=slug))
        flash(_("The reviewer has been assigned."), "success")
        return redirect(url_for("cfp.manage.assignments", slug=slug))
    return render_template("cfp/manage/assignments.html", congress=congress, form=form,
                           assignments=services.assignments(congress, current_user))


@manage_bp.route("/<slug>/ranking")
@roles_required(*MANAGERS)
def ranking(slug: str):
    congress = _congress(slug)
    per_reviewer, per_track = services.progress(congress, current_user)
    return render_template("cfp/manage/ranking.html", congress=congress,
                           ranking=services.ranking(congress, current_user), per_reviewer=per_reviewer,
                           per_track=per_track, can_decide=current_user.has_role(Role.ORGANISER.value))


@manage_bp.route("/<slug>/decide", methods=["POST"])
@roles_required(Role.ORGANISER.value)
def decide(slug: str):
    congress = _congress(slug)
    ids = [int(x) for x in request.form.getlist("proposal_id") if x.isdigit()]
    items = [p for p in (db.session.get(Proposal, i) for i in ids) if p is not None and p.congress_id == congress.id]
    if not items:
        flash(_("Choose one or more proposals."), "error")
        return redirect(request.referrer or url_for("cfp.manage.proposals", slug=slug))
    try:
        changed = services.decide(items, request.form.get("decision", ""))
    except services.CfpError as exc:
        flash(str(exc), "error")
        return redirect(url_for("cfp.manage.proposals", slug=slug))
    flash(_("%(n)d decision(s) recorded. Read and send the e-mails under “Decision e-mails”.", n=len(changed)),
          "success")
    return redirect(url_for("cfp.manage.mails", slug=slug))


@manage_bp.route("/<slug>/mails", methods=["GET", "POST"])
@roles_required(Role.ORGANISER.value)
def mails(slug: str):
    congress = _congress(slug)
    if request.method == "POST":
        ids = [int(x) for x in request.form.getlist("proposal_id") if x.isdigit()]
        count = services.send_decision_mails(congress, ids or None)
        flash(_("%(n)d decision e-mail(s) placed in the outbox.", n=count), "success")
        return redirect(url_for("cfp.manage.mails", slug=slug))
    pending = services.pending_decision_mails(congress)
    previews = [(p, services.preview_decision_mail(p, current_language())) for p in pending]
    return render_template("cfp/manage/mails.html", congress=congress, previews=previews)


@manage_bp.route("/<slug>/export.csv")
@roles_required(*STAFF)
def export_csv(slug: str):
    congress = _congress(slug)
    return Response(
        services.export_csv(congress, current_user), mimetype=spreadsheets.CSV_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="{congress.slug}-proposals.csv"'},
    )


@manage_bp.route("/<slug>/export.json")
@roles_required(*STAFF)
def export_json(slug: str):
    congress = _congress(slug)
    return Response(
        json.dumps(services.export_json(congress, current_user), ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{congress.slug}-submissions.json"'},
    )


bp.register_blueprint(manage_bp)


@bp.cli.command("register-speakers")
@click.argument("slug")
def register_speakers_command(slug: str) -> None:
    """Register the confirmed speakers of edition SLUG who are not registered yet (role Spreker)."""
    congress = core.congress_by_slug(slug)
    if congress is None:
        raise click.ClickException(f"no edition {slug!r}")
    if services.speaker_registrar() is None:
        raise click.ClickException("the registration capability (register_speaker) is not installed")
    click.echo(f"{services.register_pending_speakers(congress)} speaker(s) registered.")
