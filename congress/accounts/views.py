from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from congress.accounts import services, sessions, signin
from congress.accounts.access import roles_required
from congress.accounts.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, SetPasswordForm
from congress.accounts.models import Role, User
from congress.extensions import limiter
from congress.i18n import current_language

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect to another host after login."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("manage.dashboard")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            signin.sign_in(user, method=signin.METHOD_PASSWORD)
            flash(_("You are logged in."), "success")
            return redirect(_safe_next(request.args.get("next")))
        signin.sign_in_failed(email=form.email.data or "", method=signin.METHOD_PASSWORD, reason="wrong-password")
        form.password.errors.append(_("The e-mail address or password is incorrect."))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    signin.sign_out()
    flash(_("You are logged out."), "info")
    return redirect(url_for("public.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, current_language())
        flash(_("If this address has an account, we have sent it a link to choose a new password."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form)


def _set_password_page(token: str, purpose: str, template: str):
    if services.check_account_token(token, purpose) is None:
        flash(_("This link is invalid or has expired. Ask for a new one."), "error")
        return redirect(url_for("accounts.forgot_password"))
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.redeem_account_token(token, purpose, form.password.data)
        except services.AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            signin.sign_in(user, method=signin.METHOD_LINK)
            flash(_("Your password has been set."), "success")
            return redirect(url_for("manage.dashboard"))
    return render_template(template, form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    return _set_password_page(token, services.PURPOSE_RESET, "accounts/reset.html")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def accept_invitation(token: str):
    return _set_password_page(token, services.PURPOSE_INVITE, "accounts/invitation.html")


# Every signed-in person (staff and speakers) manages their own sessions and password.
_ANY_ROLE = (Role.ORGANISER, Role.TRACK_MANAGER, Role.REVIEWER, Role.CHECKIN, Role.SPEAKER)


def _me() -> User:
    """The signed-in user itself (not the proxy: the audit log names the object's type)."""
    return current_user._get_current_object()  # type: ignore[attr-defined]


@bp.route("/account/sessions", endpoint="sessions")
@roles_required(*_ANY_ROLE)
def sessions_page():
    """One's signed-in browsers: device, since when, last seen, from where; each can be ended."""
    return render_template("accounts/sessions.html", sessions=services.active_sessions(_me()),
                           current_id=sessions.current_session_id())


@bp.route("/account/sessions/end", methods=["POST"])
@roles_required(*_ANY_ROLE)
def end_session():
    session_id = request.form.get("session", "")
    if session_id == sessions.current_session_id():
        signin.sign_out()
        flash(_("You are logged out."), "info")
        return redirect(url_for("accounts.login"))
    if services.end_session(_me(), session_id, reason=sessions.REASON_ENDED):
        flash(_("That session has been signed out."), "success")
    else:
        flash(_("That session had already ended."), "info")
    return redirect(url_for("accounts.sessions"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@roles_required(*_ANY_ROLE)
def end_other_sessions():
    count = services.end_sessions(_me(), except_current=True, reason=sessions.REASON_EVERYWHERE)
    flash(_("Signed out everywhere except here (%(n)d sessions).", n=count), "success")
    return redirect(url_for("accounts.sessions"))


@bp.route("/account/password", methods=["GET", "POST"])
@roles_required(*_ANY_ROLE)
@limiter.limit(_login_limit, methods=["POST"])
def change_password():
    """A new password, with the current one; every other session ends, this one stays."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(_me(), form.current.data, form.password.data)
        except services.WrongPassword as exc:
            form.current.errors.append(str(exc))
        except services.AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            flash(_("Your password has been changed. Your other sessions have been signed out."), "success")
            return redirect(url_for("accounts.sessions"))
    return render_template("accounts/password.html", form=form), 422 if form.errors else 200
