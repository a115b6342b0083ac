"""The organisers' back office: dashboard, staff, outbox, audit log and API tokens; the screens that
combine capabilities are nested blueprints (:mod:`congress.manage.registrations`)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from congress.accounts import permissions
from congress.accounts import services as accounts
from congress.accounts.access import roles_required
from congress.accounts.models import ROLE_LABELS, ApiToken, Role, User
from congress.audit.models import AuditEvent
from congress.core.models import Congress, Track
from congress.errors import ServiceError
from congress.extensions import db
from congress.i18n import current_language
from congress.mail.models import OutboxMessage
from congress.manage import cloning, cockpit, editions, navigation, registrations
from congress.manage.forms import TOKEN_SCOPE_LABELS, InviteForm, RoleForm, TokenForm
from congress.sanitize import MAX_ID, query_int

bp = Blueprint("manage", __name__)
URL_PREFIX = "/manage"
bp.register_blueprint(registrations.bp, url_prefix=registrations.URL_PREFIX)
bp.register_blueprint(editions.bp)  # /manage/editions/new, /manage/<slug>/settings, /manage/<slug>/status
bp.register_blueprint(cloning.bp)  # /manage/<slug>/clone
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


@bp.route("/outbox")
@roles_required(Role.ORGANISER)
def outbox():
    if not current_app.config["MAIL_OUTBOX_VISIBLE"]:
        abort(404)
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    pagination = db.paginate(query, page=_page(), per_page=PAGE_SIZE, error_out=False)
    return render_template("manage/outbox.html", pagination=pagination)


@bp.route("/outbox/<int:message_id>")
@roles_required(Role.ORGANISER)
def outbox_message(message_id: int):
    if not current_app.config["MAIL_OUTBOX_VISIBLE"]:
        abort(404)
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template("manage/outbox_message.html", message=message)


@bp.route("/audit")
@roles_required(Role.ORGANISER)
def audit():
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    pagination = db.paginate(query, page=_page(), per_page=PAGE_SIZE, error_out=False)
    return render_template("manage/audit.html", pagination=pagination)


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
