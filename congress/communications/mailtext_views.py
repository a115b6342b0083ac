"""Mail texts in the back office, under ``/manage/<slug>/mail-texts`` (blueprint
``communications.mail_texts``): every system mail with, per language, whether it is the default or the
edition's own; the edit page with its placeholders, Save, Preview and "send a test to me"; resetting
to the default (after a confirmation page). Every button is a plain form: no JavaScript needed."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.communications import mailtext_preview, mailtexts
from congress.communications.forms import ButtonForm, MailTextForm
from congress.communications.mailtext_defaults import starting
from congress.communications.mailtext_kinds import KINDS, MEANINGS, grouped
from congress.communications.mailtexts import LOCALES, SUBJECT_MAX, TEXT_MAX, MailingError
from congress.core.models import Congress
from congress.core.queries import edition_or_404
from congress.errors import show_refusal

bp = Blueprint("mail_texts", __name__, url_prefix="/manage")
ORGANISER = Role.ORGANISER.value
ACTIONS = ("save", "preview", "test")


def key_of(kind: str) -> str:
    """A kind in a URL: "registration/confirm" → "registration.confirm"."""
    return kind.replace("/", ".")


def _kind_or_404(key: str, locale: str) -> str:
    kind = key.replace(".", "/", 1)
    if kind not in KINDS or locale not in LOCALES:
        abort(404)
    return kind


def starting_text(kind: str, locale: str) -> tuple[str, str]:
    """The subject and text an edit begins with when the edition has none (the default mail, written
    with placeholders; the default files themselves stay in templates/email/)."""
    with force_locale(locale):
        return starting(kind)


@bp.route("/<slug>/mail-texts")
@roles_required(ORGANISER)
def index(slug: str):
    congress = edition_or_404(slug)
    return render_template("communications/mail_texts/index.html", congress=congress, groups=grouped(),
                           edited=mailtexts.edited_of(congress.id), locales=LOCALES, key_of=key_of)


@bp.route("/<slug>/mail-texts/placeholders")
@roles_required(ORGANISER)
def placeholders(slug: str):
    """Every placeholder and the mails that offer it (docs/mail-texts.md says the same, at length)."""
    congress = edition_or_404(slug)
    offered = {name: [str(spec.label) for spec in KINDS.values() if name in spec.placeholders] for name in MEANINGS}
    return render_template("communications/mail_texts/placeholders.html", congress=congress, meanings=MEANINGS,
                           offered=offered, groups=grouped(), key_of=key_of)


def _page(congress: Congress, kind: str, locale: str, form: MailTextForm, *, status: int = 200,
          test_problem: str | None = None):
    subject, text = form.subject.data or "", form.text.data or ""
    preview = mailtext_preview.preview(congress, kind, locale, subject, text, form.registration.data)
    form.registration.choices = [(str(p.id), p.label) for p in preview.choices] + [
        (mailtext_preview.SAMPLE, _("A sample person (not a registration)"))]
    form.registration.data = str(preview.registration.id) if preview.registration is not None \
        else mailtext_preview.SAMPLE
    spec = KINDS[kind]
    row = mailtexts.mail_text(congress.id, kind, locale)
    return render_template(
        "communications/mail_texts/edit.html", congress=congress, kind=kind, key=key_of(kind), spec=spec,
        locale=locale, other=[code for code in LOCALES if code != locale][0], form=form, row=row,
        preview=preview, placeholders=[(name, spec.meaning(name)) for name in spec.placeholders],
        required=set(spec.required), subject_max=SUBJECT_MAX, text_max=TEXT_MAX, test_problem=test_problem,
        language_names=_language_names()), status


def _person_argument(value: str | None) -> str | None:
    """The chosen preview person for the page after saving (an id or the sample), or None."""
    if value == mailtext_preview.SAMPLE or (value and value.isdigit() and len(value) <= 10):
        return value
    return None


def _language_names() -> dict[str, str]:
    return {"nl": _("Dutch"), "en": _("English")}


@bp.route("/<slug>/mail-texts/<kind>/<locale>", methods=["GET", "POST"])
@roles_required(ORGANISER)
def edit(slug: str, kind: str, locale: str):
    congress = edition_or_404(slug)
    kind = _kind_or_404(kind, locale)
    form = MailTextForm()
    if request.method == "GET":
        row = mailtexts.mail_text(congress.id, kind, locale)
        form.subject.data, form.text.data = (row.subject, row.text) if row else starting_text(kind, locale)
        form.registration.data = request.args.get("registration")
        return _page(congress, kind, locale, form)
    if not form.validate_on_submit():
        return _page(congress, kind, locale, form, status=422)
    action = request.form.get("action", "save")
    action = action if action in ACTIONS else "save"
    subject, text = form.subject.data or "", form.text.data or ""
    try:
        if action == "save":
            mailtexts.save_mail_text(congress.id, kind, locale, subject, text, by=current_user)
            checked = mailtexts.check_mail_text(kind, locale, subject, text)
            if checked.unknown:
                flash(_("Saved, but these placeholders are unknown and stay empty: %(names)s.",
                        names=", ".join(sorted(checked.unknown))), "warning")
            else:
                flash(_("The text has been saved; from now on this mail is sent with it."), "success")
            return redirect(url_for(".edit", slug=slug, kind=key_of(kind), locale=locale,
                                    registration=_person_argument(form.registration.data)), 303)
        if action == "test":
            message = mailtext_preview.send_test(congress, kind, locale, subject, text, user=current_user,
                                                 wanted=form.registration.data)
            flash(_("A test has been sent to %(email)s. Nothing has been saved.", email=message.to_address), "success")
            return _page(congress, kind, locale, form)
    except MailingError as exc:
        if exc.field == "test":
            return _page(congress, kind, locale, form, status=422, test_problem=exc.message)
        show_refusal(form, exc)
        return _page(congress, kind, locale, form, status=422)
    return _page(congress, kind, locale, form)  # "preview": the page again, with the text as typed


@bp.route("/<slug>/mail-texts/<kind>/<locale>/reset", methods=["GET", "POST"])
@roles_required(ORGANISER)
def reset(slug: str, kind: str, locale: str):
    """GET asks first (and changes nothing); POST removes the edition's text."""
    congress = edition_or_404(slug)
    kind = _kind_or_404(kind, locale)
    form = ButtonForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if mailtexts.reset_mail_text(congress.id, kind, locale, by=current_user):
            flash(_("The default text is back; this mail is sent with it again."), "success")
        else:
            flash(_("This mail already had the default text."), "info")
        return redirect(url_for(".edit", slug=slug, kind=key_of(kind), locale=locale), 303)
    row = mailtexts.mail_text(congress.id, kind, locale)
    return render_template("communications/mail_texts/reset.html", congress=congress, kind=kind, key=key_of(kind),
                           spec=KINDS[kind], locale=locale, row=row, button=form,
                           language_names=_language_names())
