"""Attendees evaluate through their personal link; organisers read the aggregated results.

``/my/<secret>/evaluations`` lists what the person may evaluate, ``…/<session_id>`` and ``…/congress``
are the forms; ``/manage/<slug>/evaluations`` the results (with ``.csv`` and ``.xlsx`` beside it)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.core.queries import edition_or_404, public_congress_or_404
from congress.evaluations import export, queries, services
from congress.evaluations.forms import EvidenceForm, SettingsForm, evaluation_form
from congress.i18n import current_language
from congress.programme import queries as programme
from congress.questions import queries as question_queries
from congress.registration.queries import by_secret_or_404
from congress.security import private_page
from congress.spreadsheets import CSV_MIMETYPE, XLSX_MIMETYPE, to_csv, to_xlsx

bp = Blueprint("evaluations", __name__)


@bp.route("/<slug>/feedback/<int:session_id>")
def feedback(slug: str, session_id: int):
    """Where conference apps send people to give feedback (schedule.json's ``feedback_url``): the way to
    the evaluation behind their personal link, and when it opens."""
    congress = public_congress_or_404(slug)
    try:
        item = services.session_feedback(congress, session_id)
    except services.NotThere:
        abort(404)
    return render_template("evaluations/feedback.html", congress=congress, item=item, state=item.state(),
                           lang=current_language())


@bp.route("/my/<secret>/evaluations")
def index(secret: str):
    registration = by_secret_or_404(secret)
    congress = registration.congress
    return private_page(Response(render_template(
        "evaluations/index.html", registration=registration, congress=congress, secret=secret,
        items=services.evaluables(registration), lang=current_language(), zone=programme.zone(congress))))


@bp.route("/my/<secret>/evaluations/congress", methods=["GET", "POST"], defaults={"session_id": None})
@bp.route("/my/<secret>/evaluations/<int:session_id>", methods=["GET", "POST"])
def evaluate(secret: str, session_id: int | None):
    registration = by_secret_or_404(secret)
    congress = registration.congress
    try:
        item = services.evaluable(registration, session_id)
    except services.NotThere:
        abort(404)
    lang = current_language()
    asked = question_queries.questions(congress, services.TARGET)
    form = evaluation_form(asked, lang, formdata=request.form if request.method == "POST" else None)
    state = item.state()
    status = 200
    if request.method == "GET":
        question_queries.fill(form, form.question_fields, services.answer_of(registration, session_id))
    elif state != "open":
        status = 409
    elif form.validate_on_submit():
        try:
            answers = question_queries.answers_from(form, form.question_fields)
            problems = services.submit(registration, session_id, answers)
        except services.NotOpen:
            status = 409
        else:
            if not problems:
                flash(_("Thank you: your evaluation has been saved. You can change it until the evaluation closes."),
                      "success")
                return redirect(url_for("evaluations.index", secret=secret))
            for name, messages in question_queries.errors_by_field(problems).items():
                getattr(form, name).errors = [*getattr(form, name).errors, *messages]
            status = 422
    else:
        status = 422
    return private_page(Response(render_template(
        "evaluations/form.html", registration=registration, congress=congress, secret=secret, item=item,
        state=state, form=form, answered=item.answered, lang=lang, zone=programme.zone(congress)), status))


@bp.route("/manage/<slug>/evaluations", methods=["GET", "POST"])
@roles_required(Role.ORGANISER.value)
def results(slug: str):
    congress = edition_or_404(slug)
    form = SettingsForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.set_close_days(congress, form.close_days.data)
            except services.BadSetting as exc:
                form.close_days.errors = [*form.close_days.errors, exc.message]
                status = 422
            else:
                flash(_("The settings have been saved."), "success")
                return redirect(url_for("evaluations.results", slug=slug))
        else:
            status = 422
    else:
        form.close_days.data = services.close_days(congress)
    lang = current_language()
    return render_template(
        "evaluations/results.html", congress=congress, form=form, results=queries.results(congress, lang),
        threshold=queries.min_responses(), closes_at=services.closes_at(congress), lang=lang,
        zone=programme.zone(congress), evidence_form=EvidenceForm(prefix="evidence"),
        closed=services.evaluation_closed(congress)), status


@bp.route("/manage/<slug>/evaluations/to-archive", methods=["POST"])
@roles_required(Role.ORGANISER.value)
def to_archive(slug: str):
    """The sessions' aggregated evaluations become draft evaluation items in the knowledge base (once)."""
    congress = edition_or_404(slug)
    if EvidenceForm(prefix="evidence").validate_on_submit():
        try:
            outcome = services.to_archive(congress)
        except services.NotClosed as exc:
            flash(exc.message, "error")
        else:
            flash(_("Draft evaluation items made: %(made)d; there already: %(existing)d; sessions with fewer "
                    "answers than the threshold (nothing made): %(below)d.", made=len(outcome.made),
                    existing=len(outcome.existing), below=len(outcome.below_threshold)), "success")
            if outcome.not_archived:
                flash(_("Not yet linked to a session item: %(titles)s. Archive these sessions in the knowledge "
                        "base and press the button again.",
                        titles=", ".join(s.title for s in outcome.not_archived)), "info")
    return redirect(url_for("evaluations.results", slug=slug))


@bp.route("/manage/<slug>/evaluations.csv", defaults={"fmt": "csv"})
@bp.route("/manage/<slug>/evaluations.xlsx", defaults={"fmt": "xlsx"})
@roles_required(Role.ORGANISER.value)
def download(slug: str, fmt: str):
    congress = edition_or_404(slug)
    lang = current_language()
    rows = export.rows(queries.results(congress, lang), lang)
    name = f"{congress.slug}-evaluations.{fmt}"
    if fmt == "csv":
        body, mimetype = to_csv(export.header(), rows), CSV_MIMETYPE
    else:
        body, mimetype = to_xlsx(_("Evaluations"), export.header(), rows), XLSX_MIMETYPE
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"})
