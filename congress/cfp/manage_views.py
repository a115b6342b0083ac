"""Call for proposals: the organisers', track managers' and reviewers' pages under ``/manage/cfp``
(the blueprint ``cfp.manage``, nested in ``cfp``): the call's settings, the proposals, reviews and
conflicts, assignments, ranking, decisions and their e-mails, and the exports."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from congress import spreadsheets
from congress.accounts import permissions
from congress.accounts.access import roles_required
from congress.accounts.models import Role, User
from congress.audit.services import record_export
from congress.cfp import services
from congress.cfp.forms import AssignForm, SettingsForm
from congress.cfp.models import Proposal, ReviewAssignment
from congress.core.models import Congress
from congress.core.queries import edition_or_404, of_edition_or_404
from congress.extensions import db
from congress.i18n import current_language

manage_bp = Blueprint("manage", __name__, url_prefix="/manage/cfp")

STAFF = (Role.ORGANISER.value, Role.TRACK_MANAGER.value, Role.REVIEWER.value)
MANAGERS = (Role.ORGANISER.value, Role.TRACK_MANAGER.value)


def _zone(congress: Congress) -> ZoneInfo:
    return ZoneInfo(congress.timezone)


@manage_bp.route("/")
@roles_required(*STAFF)
def index():
    congresses = db.session.scalars(sa.select(Congress).order_by(Congress.starts_on.desc())).all()
    congresses = permissions.my_editions(current_user, congresses, *STAFF)
    return render_template("cfp/manage/index.html", congresses=congresses)


@manage_bp.route("/<slug>/settings", methods=["GET", "POST"])
@roles_required(Role.ORGANISER.value)
def settings(slug: str):
    congress = edition_or_404(slug)
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
                criteria_text=form.criteria.data or "",
            )
        except services.CfpError as exc:
            flash(str(exc), "error")
            return render_template("cfp/manage/settings.html", congress=congress, form=form,
                                   questions=services.questions(congress)), 422
        flash(_("The settings of the call have been saved."), "success")
        return redirect(url_for("cfp.manage.settings", slug=slug))
    return render_template("cfp/manage/settings.html", congress=congress, form=form,
                           questions=services.questions(congress)), 422 if form.is_submitted() else 200


@manage_bp.route("/<slug>/proposals")
@roles_required(*STAFF)
def proposals(slug: str):
    congress = edition_or_404(slug)
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
    congress = edition_or_404(slug)
    item = of_edition_or_404(Proposal, proposal_id, congress)
    if not services.can_view(item, current_user):
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
    congress = edition_or_404(slug)
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
        assignment = of_edition_or_404(ReviewAssignment, request.form.get("remove", type=int) or 0, congress)
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
    congress = edition_or_404(slug)
    per_reviewer, per_track = services.progress(congress, current_user)
    return render_template("cfp/manage/ranking.html", congress=congress,
                           ranking=services.ranking(congress, current_user), per_reviewer=per_reviewer,
                           per_track=per_track, can_decide=current_user.has_role(Role.ORGANISER.value))


@manage_bp.route("/<slug>/decide", methods=["POST"])
@roles_required(Role.ORGANISER.value)
def decide(slug: str):
    congress = edition_or_404(slug)
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
    congress = edition_or_404(slug)
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
    congress = edition_or_404(slug)
    data = services.export_csv(congress, current_user)
    record_export("proposals", congress_id=congress.id, format="csv", content=data)
    return Response(
        data, mimetype=spreadsheets.CSV_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="{congress.slug}-proposals.csv"'},
    )


@manage_bp.route("/<slug>/export.json")
@roles_required(*STAFF)
def export_json(slug: str):
    congress = edition_or_404(slug)
    submissions = services.export_json(congress, current_user)
    record_export("submissions", congress_id=congress.id, count=len(submissions), format="json")
    return Response(
        json.dumps(submissions, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{congress.slug}-submissions.json"'},
    )
