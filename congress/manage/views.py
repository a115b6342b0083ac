"""The organisers' back office: dashboard, staff, outbox, audit log and API tokens; the screens that
combine capabilities are nested blueprints (:mod:`congress.manage.registrations`)."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from congress import spreadsheets
from congress.accounts import services as accounts
from congress.accounts.access import roles_required
from congress.accounts.models import ROLE_LABELS, ApiToken, Role, User
from congress.audit import queries as audit_queries
from congress.audit.services import record_export
from congress.core.models import Congress, Track
from congress.extensions import db
from congress.i18n import current_language
from congress.mail import queries as mail_queries
from congress.mail import services as mail
from congress.mail.models import OutboxMessage
from congress.manage import outbox as outbox_actions
from congress.manage import registrations
from congress.manage.audit_forms import AuditFilterForm, OutboxFilterForm
from congress.manage.forms import InviteForm
from congress.sanitize import MAX_ID, query_int

bp = Blueprint("manage", __name__)
URL_PREFIX = "/manage"
bp.register_blueprint(registrations.bp, url_prefix=registrations.URL_PREFIX)

STAFF = (Role.ORGANISER, Role.TRACK_MANAGER, Role.REVIEWER, Role.CHECKIN, Role.SPEAKER)
PAGE_SIZE = 50


def _page() -> int:
    return query_int(request.args, "page", 1) or 1


@bp.route("/")
@roles_required(*STAFF)
def dashboard():
    congresses = db.session.scalars(sa.select(Congress).order_by(Congress.starts_on.desc())).all()
    return render_template("manage/dashboard.html", congresses=congresses, role_labels=ROLE_LABELS)


@bp.route("/users", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def users():
    form = InviteForm()
    tracks = db.session.scalars(sa.select(Track).join(Congress).order_by(Congress.starts_on.desc(), Track.position))
    form.tracks.choices = [SelectChoice(t.id, f"{t.congress.slug}: {t.name(current_language())}") for t in tracks]
    if not current_user.has_role(Role.ADMIN):
        # Only administrators can make administrators.
        form.roles.choices = [c for c in form.roles.choices if c.value != Role.ADMIN.value]
    if form.validate_on_submit():
        user = accounts.invite_staff(
            form.email.data, form.name.data, tuple(form.roles.data), current_user, current_language(),
            track_ids=tuple(form.tracks.data or ()),
        )
        flash(_("An invitation has been sent to %(email)s.", email=user.email), "success")
        return redirect(url_for("manage.users"))
    people = db.session.scalars(sa.select(User).order_by(User.name)).all()
    return render_template("manage/users.html", form=form, users=people, role_labels=ROLE_LABELS)


@bp.route("/outbox")
@roles_required(Role.ORGANISER)
def outbox():
    _outbox_visible()
    form = OutboxFilterForm(request.args)
    filters = form.filters() if form.validate() else mail_queries.OutboxFilters()
    pagination = db.paginate(mail_queries.messages_query(filters), page=_page(), per_page=PAGE_SIZE, error_out=False)
    return render_template("manage/outbox.html", pagination=pagination, form=form, args=filters.as_args(),
                           status_label=mail_queries.status_label, explain=mail_queries.explain_error)


def _outbox_visible(*ids: int) -> None:
    """404 when the outbox is hidden, or for an id no table can hold (2**40 in the path: not a 500)."""
    if not current_app.config["MAIL_OUTBOX_VISIBLE"] or any(i > MAX_ID for i in ids):
        abort(404)


@bp.route("/outbox/<int:message_id>")
@roles_required(Role.ORGANISER)
def outbox_message(message_id: int):
    _outbox_visible(message_id)
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template("manage/outbox_message.html", message=message,
                           status_label=mail_queries.status_label(message),
                           explanation=mail_queries.explain_error(message),
                           technical=mail_queries.technical_error(message), attachment_name=mail.attachment_name)


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
@roles_required(Role.ORGANISER)
def outbox_retry(message_id: int):
    _outbox_visible(message_id)
    db.get_or_404(OutboxMessage, message_id)
    try:
        outbox_actions.retry(message_id)
    except mail.OutboxRefused as exc:
        flash(exc.message, "error")
    else:
        flash(_("The message is back in the queue and will be sent shortly."), "success")
    return redirect(url_for("manage.outbox_message", message_id=message_id))


@bp.route("/outbox/<int:message_id>/resend", methods=["POST"])
@roles_required(Role.ORGANISER)
def outbox_resend(message_id: int):
    _outbox_visible(message_id)
    db.get_or_404(OutboxMessage, message_id)
    try:
        copy = outbox_actions.resend(message_id)
    except mail.OutboxRefused as exc:
        flash(exc.message, "error")
        return redirect(url_for("manage.outbox_message", message_id=message_id))
    flash(_("A new copy of the message has been queued."), "success")
    return redirect(url_for("manage.outbox_message", message_id=copy.id))


@bp.route("/outbox/<int:message_id>/attachments/<int:attachment_id>")
@roles_required(Role.ORGANISER)
def outbox_attachment(message_id: int, attachment_id: int):
    _outbox_visible(message_id, attachment_id)
    attachment = mail_queries.attachment_of(message_id, attachment_id)
    if attachment is None:
        abort(404)
    try:
        name, content_type, data = outbox_actions.attachment(attachment)
    except mail.UnknownMailKind:
        abort(404)
    return send_file(io.BytesIO(data), mimetype=content_type or "application/octet-stream", as_attachment=True,
                     download_name=name or "attachment", max_age=0)


def _audit_form() -> AuditFilterForm:
    locale = current_language()
    form = AuditFilterForm(request.args)
    everyone = _("All")
    form.actor.choices = [("", everyone)] + [(v, audit_queries.actor_text_for(label, locale))
                                             for v, label in audit_queries.actors()]
    form.action.choices = [("", everyone)] + audit_queries.action_choices(locale)
    form.kind.choices = [("", everyone)] + audit_queries.kind_choices(locale)
    congresses = db.session.scalars(sa.select(Congress).order_by(Congress.starts_on.desc()))
    form.edition.choices = [("", everyone)] + [(str(c.id), c.title(locale)) for c in congresses]
    return form


@bp.route("/audit")
@roles_required(Role.ORGANISER)
def audit():
    form = _audit_form()
    valid = form.validate()
    filters = form.filters() if valid else audit_queries.AuditFilters()
    pagination = db.paginate(audit_queries.events_query(filters), page=_page(), per_page=PAGE_SIZE, error_out=False)
    return render_template("manage/audit.html", pagination=pagination, form=form, valid=valid,
                           rows=audit_queries.rows(pagination.items, current_language()), args=filters.as_args())


@bp.route("/audit.csv")
@roles_required(Role.ORGANISER)
def audit_csv():
    form = _audit_form()
    if not form.validate():
        return audit()
    filters = form.filters()
    header, rows = audit_queries.csv_rows(filters, current_language())
    record_export("audit", congress_id=filters.congress_id, count=len(rows), format="csv", filters=filters.as_args())
    response = Response(spreadsheets.to_csv(header, rows), mimetype=spreadsheets.CSV_MIMETYPE)
    response.headers["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/tokens")
@roles_required(Role.ADMIN)
def tokens():
    rows = db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id.desc())).all()
    return render_template("manage/tokens.html", tokens=rows)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@roles_required(Role.ADMIN)
def revoke_token(token_id: int):
    if accounts.revoke_api_token(token_id) is None:
        abort(404)
    flash(_("The token has been revoked."), "success")
    return redirect(url_for("manage.tokens"))
