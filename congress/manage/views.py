"""The organisers' back office: dashboard, staff, outbox, audit log and API tokens; the screens that
combine capabilities are nested blueprints (:mod:`congress.manage.registrations`)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from congress.accounts import services as accounts
from congress.accounts.access import roles_required
from congress.accounts.models import ROLE_LABELS, ApiToken, Role, User
from congress.audit.models import AuditEvent
from congress.core.models import Congress, Track
from congress.extensions import db
from congress.i18n import current_language
from congress.mail.models import OutboxMessage
from congress.manage import cloning, cockpit, editions, navigation, registrations
from congress.manage.forms import InviteForm
from congress.sanitize import query_int

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
    editions = [(c, navigation.first_link(c.slug)) for c in congresses]
    new_edition = url_for("manage.editions.new") if "manage.editions.new" in current_app.view_functions and \
        current_user.has_role(Role.ORGANISER) else None
    return render_template("manage/dashboard.html", editions=editions, role_labels=ROLE_LABELS,
                           new_edition=new_edition)


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
