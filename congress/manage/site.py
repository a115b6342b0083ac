"""The edition's event site in the back office (blueprint ``manage.site``, nested in ``manage``):
practical information, the accent colour and the logo (``/manage/<slug>/site``), and the questions and
answers (``/manage/<slug>/site/faq/…``). Views stay thin: ``core.services`` applies the rules in its own
transaction, and a refusal is shown next to its field in the user's language."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.core import services as core
from congress.core.models import Congress, EditionFaq
from congress.core.queries import edition_or_404, of_edition_or_404
from congress.errors import ServiceError, show_refusal
from congress.manage.site_forms import FAQ_PAIRS, SITE_PAIRS, ConfirmForm, FaqForm, LogoForm, MoveForm, SiteForm

bp = Blueprint("site", __name__)
ORGANISER = Role.ORGANISER.value
# Read at most this much of an upload: a logo over 2 MB is refused by its size, not read whole.
READ_LIMIT = 2 * 1024 * 1024 + 1


def _page(congress: Congress, *, form: SiteForm | None = None, logo_form: LogoForm | None = None,
          faq_form: FaqForm | None = None, status: int = 200):
    if form is None:
        form = SiteForm(data={name: getattr(congress, name) for name in core.SITE_FIELDS})
    return render_template(
        "manage/site/index.html", congress=congress, form=form, pairs=SITE_PAIRS, faq_pairs=FAQ_PAIRS,
        logo_form=logo_form or LogoForm(), faq_form=faq_form or FaqForm(), move_form=MoveForm(),
        confirm_form=ConfirmForm(),
    ), status


def _here(slug: str, anchor: str = "") -> str:
    return url_for("manage.site.index", slug=slug) + anchor


@bp.route("/<slug>/site", methods=["GET", "POST"])
@roles_required(ORGANISER)
def index(slug: str):
    congress = edition_or_404(slug)
    if request.method == "GET":
        return _page(congress)
    form = SiteForm()
    if form.validate_on_submit():
        try:
            core.update_congress(congress, **form.fields_for_service())
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            flash(_("The event site has been saved."), "success")
            return redirect(_here(slug), 303)
    return _page(congress, form=form, status=422)


@bp.route("/<slug>/site/logo", methods=["POST"])
@roles_required(ORGANISER)
def logo(slug: str):
    congress = edition_or_404(slug)
    form = LogoForm()
    if form.validate_on_submit():
        upload = form.logo.data
        data = upload.stream.read(READ_LIMIT) if upload and hasattr(upload, "stream") else b""
        try:
            core.set_logo(congress, data)
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            flash(_("The logo has been saved."), "success")
            return redirect(_here(slug, "#logo-title"), 303)
    return _page(congress, logo_form=form, status=422)


@bp.route("/<slug>/site/logo/remove", methods=["POST"])
@roles_required(ORGANISER)
def remove_logo(slug: str):
    congress = edition_or_404(slug)
    if ConfirmForm().validate_on_submit():
        core.remove_logo(congress)
        flash(_("The logo has been removed."), "success")
    return redirect(_here(slug, "#logo-title"), 303)


@bp.route("/<slug>/site/faq", methods=["POST"])
@roles_required(ORGANISER)
def add_faq(slug: str):
    congress = edition_or_404(slug)
    form = FaqForm()
    if form.validate_on_submit():
        try:
            core.add_faq(congress, **form.fields_for_service())
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            flash(_("The question has been added."), "success")
            return redirect(_here(slug, "#faq-title"), 303)
    return _page(congress, faq_form=form, status=422)


def _faq(slug: str, faq_id: int) -> tuple[Congress, EditionFaq]:
    congress = edition_or_404(slug)
    return congress, of_edition_or_404(EditionFaq, faq_id, congress)


@bp.route("/<slug>/site/faq/<int:faq_id>", methods=["GET", "POST"])
@roles_required(ORGANISER)
def edit_faq(slug: str, faq_id: int):
    congress, faq = _faq(slug, faq_id)
    form = FaqForm() if request.method == "POST" else FaqForm(obj=faq)
    if form.validate_on_submit():
        try:
            core.update_faq(faq, **form.fields_for_service())
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            flash(_("The question has been saved."), "success")
            return redirect(_here(slug, f"#faq-{faq.id}"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("manage/site/faq.html", congress=congress, faq=faq, form=form, pairs=FAQ_PAIRS), status


@bp.route("/<slug>/site/faq/<int:faq_id>/move", methods=["POST"])
@roles_required(ORGANISER)
def move_faq(slug: str, faq_id: int):
    _congress, faq = _faq(slug, faq_id)
    form = MoveForm()
    if form.validate_on_submit():
        core.move_faq(faq, form.direction.data)
    else:
        flash(_("Choose up or down."), "error")
    return redirect(_here(slug, f"#faq-{faq_id}"), 303)


@bp.route("/<slug>/site/faq/<int:faq_id>/remove", methods=["POST"])
@roles_required(ORGANISER)
def remove_faq(slug: str, faq_id: int):
    _congress, faq = _faq(slug, faq_id)
    if ConfirmForm().validate_on_submit():
        core.remove_faq(faq)
        flash(_("The question has been removed."), "success")
    return redirect(_here(slug, "#faq-title"), 303)
