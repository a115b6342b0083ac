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
from congress.accounts import permissions
from congress.accounts import services as accounts
from congress.accounts.access import roles_required
from congress.accounts.models import ROLE_LABELS, ApiToken, Role, User
from congress.audit import queries as audit_queries
from congress.audit.services import record_export
from congress.core.models import Congress, Track
from congress.errors import ServiceError
from congress.extensions import db
from congress.i18n import current_language
from congress.mail import queries as mail_queries
from congress.mail import services as mail
from congress.mail.models import OutboxMessage
from congress.manage import cloning, cockpit, editions, navigation, registrations, site
from congress.manage import outbox as outbox_actions
from congress.manage.audit_forms import AuditFilterForm, OutboxFilterForm
from congress.manage.forms import TOKEN_SCOPE_LABELS, InviteForm, RoleForm, TokenForm
from congress.sanitize import MAX_ID, query_int

bp = Blueprint("manage", __name__)
URL_PREFIX = "/manage"
bp.register_blueprint(registrations.bp, url_prefix=registrations.URL_PREFIX)
bp.register_blueprint(editions.bp)  # /manage/editions/new, /manage/<slug>/settings, /manage/<slug>/status
bp.register_blueprint(cloning.bp)  # /manage/<slug>/clone
bp.register_blueprint(site.bp)  # /manage/<slug>/site: the event site (practical information, logo, questions)
bp.register_blueprint(cockpit.bp, url_prefix=cockpit.URL_PREFIX)  # /manage/<slug>/: last, after the sections

STAFF = (Role.ORGANISER, Role.TRACK_MANAGER, Role.REVIEWER, Role.CHECKIN, Role.SPEAKER)
PAGE_SIZE = 50


def _page() -> int:
    return query_int(request.args, "page", 1) or 1


@bp.route("/")
@roles_required(*STAFF)
def dashboard():
    """The user's editions, newest first, each opening its cockpit (or the first screen the user may use)."""
    congresses = db.session.scalars(sa.select(Congress).order_by(Congress.starts_on.desc())).all()
    congresses = permissions.my_editions(current_user, congresses)
    editions = [(c, navigation.first_link(c.slug)) for c in congresses]
    new_edition = url_for("manage.editions.new") if "manage.editions.new" in current_app.view_functions and \
        current_user.has_role(Role.ORGANISER) else None
    return render_template("manage/dashboard.html", editions=editions, role_labels=ROLE_LABELS,
                           new_edition=new_edition)


def _edition_choices(form) -> list:
    """The editions the current user organises (every edition for admins), newest first."""
    congresses = db.session.scalars(sa.select(Congress).order_by(Congress.starts_on.desc())).all()
    mine = permissions.my_editions(current_user, congresses, Role.ORGANISER)
    form.editions.choices = [SelectChoice(c.id, f"{c.slug}: {c.title(current_language())}") for c in mine]
    tracks = db.session.scalars(sa.select(Track).join(Congress).order_by(Congress.starts_on.desc(), Track.position))
    form.tracks.choices = [SelectChoice(t.id, f"{t.congress.slug}: {t.name(current_language())}")
                           for t in tracks if t.congress in mine]
    if not current_user.has_role(Role.ADMIN):
        # Only administrators can make administrators.
        choices = form.roles.choices if hasattr(form, "roles") else form.role.choices
        choices[:] = [c for c in choices if c.value != Role.ADMIN.value]
    return mine


def _show_error(form, exc: ServiceError, default: str) -> None:
    target = getattr(form, exc.field or default, None) or getattr(form, default)
    target.errors = [*target.errors, str(exc)]


@bp.route("/users", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def users():
    form = InviteForm()
    _edition_choices(form)
    if form.validate_on_submit():
        try:
            user = accounts.invite_staff(
                form.email.data, form.name.data, tuple(form.roles.data), current_user, current_language(),
                track_ids=tuple(form.tracks.data or ()), congress_ids=tuple(form.editions.data or ()),
            )
        except ServiceError as exc:
            _show_error(form, exc, "roles")
        else:
            flash(_("An invitation has been sent to %(email)s.", email=user.email), "success")
            return redirect(url_for("manage.users"))
    people = db.session.scalars(accounts.staff_query(current_user)).all()
    return render_template("manage/users.html", form=form, users=people, role_labels=ROLE_LABELS,
                           editions=_edition_names(), tracks=_track_names())


def _edition_names() -> dict[int, str]:
    return {c.id: c.slug for c in db.session.scalars(sa.select(Congress))}


def _track_names() -> dict[int, str]:
    return {t.id: t.name(current_language()) for t in db.session.scalars(sa.select(Track))}


def _person_or_404(user_id: int) -> User:
    user = db.get_or_404(User, user_id) if user_id <= MAX_ID else abort(404)
    if not permissions.can_see_staff(current_user, user):
        abort(404)
    return user


def _person_page(user: User, form: RoleForm, status: int = 200):
    return render_template(
        "manage/users_person.html", person=user, form=form, role_labels=ROLE_LABELS,
        session_count=len(accounts.active_sessions(user)),
        editions=_edition_names(), tracks=_track_names(), may_change_account=permissions.can_change_account(
            current_user, user), may_change=lambda g: permissions.can_grant(current_user, g.role, g.congress_id),
    ), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def user(user_id: int):
    """One person: their roles per edition (add, revoke) and their account (deactivate, reactivate)."""
    person = _person_or_404(user_id)
    form = RoleForm()
    _edition_choices(form)
    if form.validate_on_submit():
        try:
            added = accounts.add_roles(current_user, person, form.role.data,
                                       congress_ids=tuple(form.editions.data or ()),
                                       track_ids=tuple(form.tracks.data or ()))
        except ServiceError as exc:
            _show_error(form, exc, "role")
            return _person_page(person, form, exc.status)
        flash(_("The role has been given.") if added else _("%(name)s already holds this role.", name=person.name),
              "success" if added else "info")
        return redirect(url_for("manage.user", user_id=person.id))
    return _person_page(person, form, 422 if form.errors else 200)


@bp.route("/users/<int:user_id>/roles/<int:grant_id>/revoke", methods=["POST"])
@roles_required(Role.ORGANISER)
def revoke_role(user_id: int, grant_id: int):
    person = _person_or_404(user_id)
    try:
        accounts.revoke_grant(current_user, person, grant_id)
    except ServiceError as exc:
        flash(str(exc), "error")
    else:
        flash(_("The role has been taken away."), "success")
    return redirect(url_for("manage.user", user_id=person.id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles_required(Role.ORGANISER)
def user_active(user_id: int):
    person = _person_or_404(user_id)
    active = request.form.get("active") == "1"
    try:
        accounts.set_active(current_user, person, active)
    except ServiceError as exc:
        flash(str(exc), "error")
    else:
        flash(_("The account has been reactivated.") if active else
              _("The account has been deactivated: %(name)s is signed out and can no longer log in.",
                name=person.name), "success")
    return redirect(url_for("manage.user", user_id=person.id))


@bp.route("/users/<int:user_id>/sessions/end", methods=["POST"])
@roles_required(Role.ORGANISER)
def end_user_sessions(user_id: int):
    """Sign someone out everywhere (a lost laptop, a suspicion): every session of theirs ends."""
    person = _person_or_404(user_id)
    if not permissions.can_change_account(current_user, person):
        flash(_("You can only change the accounts of staff within your editions."), "error")
        return redirect(url_for("manage.user", user_id=person.id))
    count = accounts.end_sessions(person, except_current=person.id == current_user.id,
                                  reason=accounts.REASON_BY_STAFF)
    flash(_("All sessions of %(name)s have been ended (%(n)d).", name=person.name, n=count), "success")
    return redirect(url_for("manage.user", user_id=person.id))


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
                           technical=mail_queries.technical_error(message),
                           attachment_name=mail_queries.attachment_name)


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


def _token_form(*, blank: bool = False) -> TokenForm:
    form = TokenForm(formdata=None) if blank else TokenForm()
    allowed = permissions.token_scopes(current_user)
    form.scope.choices = [SelectChoice(scope, label) for scope, label in TOKEN_SCOPE_LABELS.items() if scope in allowed]
    return form


def _tokens_page(form: TokenForm, *, issued: accounts.IssuedToken | None = None, status: int = 200):
    rows = db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id.desc())).all()
    return render_template("manage/tokens.html", tokens=rows, form=form, issued=issued,
                           allowed=permissions.token_scopes(current_user), scope_labels=TOKEN_SCOPE_LABELS), status


@bp.route("/tokens")
@roles_required(Role.ORGANISER)
def tokens():
    return _tokens_page(_token_form())


@bp.route("/tokens/new", methods=["POST"])
@roles_required(Role.ORGANISER)
def create_token():
    """Creates a token and shows its secret once, on this response only (never stored, never
    redirected through the session)."""
    form = _token_form()
    if not form.scope.choices:
        abort(403)
    if not form.validate_on_submit():
        return _tokens_page(form, status=422)
    try:
        issued = accounts.create_api_token(form.name.data, form.scope.data, created_by=current_user)
    except ServiceError as exc:
        _show_error(form, exc, "scope")
        return _tokens_page(form, status=exc.status)
    response = render_template("manage/tokens.html", tokens=db.session.scalars(
        sa.select(ApiToken).order_by(ApiToken.id.desc())).all(), form=_token_form(blank=True), issued=issued,
        allowed=permissions.token_scopes(current_user), scope_labels=TOKEN_SCOPE_LABELS)
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def revoke_token(token_id: int):
    """GET asks to confirm; POST revokes."""
    token = db.get_or_404(ApiToken, token_id) if token_id <= MAX_ID else abort(404)
    if token.scope not in permissions.token_scopes(current_user):
        abort(403)
    if request.method == "GET":
        return render_template("manage/tokens_revoke.html", token=token, scope_labels=TOKEN_SCOPE_LABELS)
    accounts.revoke_api_token(token_id, revoked_by=current_user)
    flash(_("The token has been revoked."), "success")
    return redirect(url_for("manage.tokens"))
