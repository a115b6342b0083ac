"""The legal pages: an edition's privacy statement (public, and the organisers' editor with a
preview), the site-wide accessibility statement (NL and EN) and the processing register as CSV."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.core.models import Congress
from congress.core.queries import congress_by_slug, edition_or_404
from congress.i18n import current_language, format_day
from congress.legal import register, services, texts
from congress.legal.forms import PrivacyForm
from congress.sanitize import render_markdown
from congress.spreadsheets import CSV_MIMETYPE, to_csv

bp = Blueprint("legal", __name__)
ORGANISER = Role.ORGANISER.value


def _visible_edition_or_404(slug: str) -> Congress:
    """Public editions for everyone; a draft for the organisers who are preparing it."""
    congress = congress_by_slug(slug)
    if congress is None or not (congress.is_public or (current_user.is_authenticated
                                                        and current_user.has_role(ORGANISER))):
        abort(404)
    return congress


@bp.route("/<slug>/privacy")
def privacy(slug: str):
    congress = _visible_edition_or_404(slug)
    locale = current_language()
    return render_template(
        "legal/privacy.html", congress=congress,
        body=render_markdown(services.privacy_markdown(congress, locale)),
        controller=texts.controller(locale),
    )


def _months(form: PrivacyForm) -> int | None:
    value = form.retention_months.data
    return value if isinstance(value, int) and 1 <= value <= services.MAX_RETENTION_MONTHS else None


@bp.route("/manage/<slug>/privacy", methods=["GET", "POST"])
@roles_required(ORGANISER)
def manage_privacy(slug: str):
    congress = edition_or_404(slug)
    settings = services.settings_of(congress)
    months = services.retention_months(congress)
    form = PrivacyForm()
    if not form.is_submitted():
        # The organiser edits from the default text when the edition has none of its own.
        form.privacy_nl.data = (settings.privacy_nl if settings else "") or services.default_privacy(congress, "nl")
        form.privacy_en.data = (settings.privacy_en if settings else "") or services.default_privacy(congress, "en")
        form.retention_months.data = months
    preview = None
    status = 200
    if form.is_submitted():
        if form.validate() and not form.preview.data:
            try:
                services.save_privacy(congress, privacy_nl=form.privacy_nl.data or "",
                                      privacy_en=form.privacy_en.data or "", retention_months=_months(form))
            except services.LegalError as exc:
                for name, messages in exc.errors.items():
                    getattr(form, name).errors = list(getattr(form, name).errors or []) + messages
            else:
                flash(_("The privacy statement and the retention period have been saved."), "success")
                return redirect(url_for("legal.manage_privacy", slug=congress.slug))
        if form.errors:
            status = 422
        elif form.preview.data:
            chosen = _months(form) or months  # an empty text previews the default with the period typed
            preview = {
                "nl": render_markdown(form.privacy_nl.data or services.default_privacy(congress, "nl", chosen)),
                "en": render_markdown(form.privacy_en.data or services.default_privacy(congress, "en", chosen)),
            }
    today, due = date.today(), services.retention_due_on(congress)
    return render_template(
        "legal/manage_privacy.html", congress=congress, form=form, preview=preview, settings=settings,
        months=months, due=due, today=today, months_left=_months_until(today, due),
    ), status


def _months_until(today: date, due: date) -> int:
    """Whole months from today until the due date (0 when less than one is left)."""
    months = (due.year - today.year) * 12 + due.month - today.month
    return max(months - (1 if due.day < today.day else 0), 0)


def _accessibility(language: str):
    with force_locale(language):  # the statement's date in the statement's language
        statement_date = format_day(texts.statement_date(), fmt="long")
    return render_template(
        f"legal/accessibility_{language}.html", organisation=texts.controller(language),
        contact=texts.contact_email(), statement_date=statement_date,
        site=current_app.config.get("PUBLIC_BASE_URL", ""),
    )


@bp.route("/toegankelijkheid")
def accessibility_nl():
    return _accessibility("nl")


@bp.route("/accessibility")
def accessibility():
    return _accessibility("en")


@bp.route("/manage/privacy/register.csv")
@roles_required(ORGANISER)
def processing_register():
    locale = current_language()
    header = [_("Category"), _("Data stored"), _("Purpose"), _("Legal basis"), _("Retention"), _("Who sees it"),
              _("Stored by")]
    rows = [[p.category(locale), p.fields(locale), p.purpose(locale), p.legal_basis(locale),
             register.retention_text(p, locale), p.recipients(locale), p.capability]
            for p in register.PROCESSINGS]
    return Response(to_csv(header, rows), mimetype=CSV_MIMETYPE, headers={
        "Content-Disposition": f"attachment; filename=processing-register-{locale}.csv"})
