from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from congress.accounts import mfa, oidc, passkeys, permissions, services, sessions, signin
from congress.accounts.access import roles_required
from congress.accounts.forms import ChangePasswordForm, CodeForm, ForgotPasswordForm, LoginForm, SetPasswordForm
from congress.accounts.models import Role, User
from congress.extensions import db, limiter
from congress.i18n import current_language

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect to another host after login."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("manage.dashboard")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _local_login() -> bool:
    return bool(current_app.config.get("LOCAL_LOGIN_ENABLED", True))


def _staff_use_the_provider() -> str:
    return _("Staff sign in with %(provider)s here, not with a password.", provider=oidc.provider_name())


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None and not services.password_allowed(user):
            signin.sign_in_failed(email=form.email.data or "", method=signin.METHOD_PASSWORD,
                                  reason="local-login-off", user=user)
            form.password.errors.append(_staff_use_the_provider())
        elif user is not None:
            return _password_proved(user, signin.METHOD_PASSWORD, _safe_next(request.args.get("next")))
        else:
            signin.sign_in_failed(email=form.email.data or "", method=signin.METHOD_PASSWORD, reason="wrong-password")
            form.password.errors.append(_("The e-mail address or password is incorrect."))
    return render_template("accounts/login.html", form=form, local_login=_local_login(),
                           oidc_name=oidc.provider_name(), next_url=request.args.get("next") or "")


def _oidc_limit() -> str:
    return current_app.config["OIDC_RATE_LIMIT"]


@bp.route("/login/oidc")
@limiter.limit(_oidc_limit)
def oidc_start():
    """Single sign-on: to the organisation's OpenID provider, with a new state, nonce and PKCE verifier."""
    if not oidc.enabled():
        abort(404)
    target = _safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target)
    try:
        url, pending = oidc.begin(target)
    except oidc.SignOnRefused as exc:
        return _sign_on_refused(exc)
    session[oidc.PENDING] = pending
    return redirect(url)


@bp.route("/login/oidc/callback")
@limiter.limit(_oidc_limit)
def oidc_callback():
    """Back from the provider: the code is exchanged, the ID token verified, the account found or made."""
    if not oidc.enabled():
        abort(404)
    pending = session.pop(oidc.PENDING, None)
    try:
        done = oidc.complete(pending, request.args)
    except oidc.SignOnRefused as exc:
        return _sign_on_refused(exc)
    target = _safe_next(done.next_url)
    if done.provider_mfa:
        signin.sign_in(done.user, method=signin.METHOD_OIDC_MFA)
        flash(_("You are logged in."), "success")
        return redirect(target)
    return _password_proved(done.user, signin.METHOD_OIDC, target)


def _sign_on_refused(exc: oidc.SignOnRefused):
    """A clear page for every single sign-on that did not succeed (audited as a refused sign-in)."""
    signin.sign_in_failed(email=exc.email, method=signin.METHOD_OIDC, reason=exc.code, user=exc.user)
    return render_template("accounts/oidc_refused.html", message=exc.message, reason=exc.code,
                           provider=oidc.provider_name(), local_login=_local_login()), exc.status


# In the Flask session between the password and the code: whose password it was, when, how, and where to.
_PENDING_KEY = "mfa_pending"
PENDING_SECONDS = 300  # the code is asked within five minutes of the password
PENDING_TRIES = 5  # wrong codes before the password is asked again (the rate limit also holds)


def _password_proved(user: User, method: str, target: str):
    """After the password (or a single sign-on that does not count as the second factor): with a second
    factor, ask for its code first; without one, sign in (and a role that requires one is led to the
    enrolment page, where the guard keeps it until enrolled)."""
    if mfa.has_second_factor(user):
        session[_PENDING_KEY] = {"user": user.id, "at": time.time(), "method": method, "next": target, "tries": 0}
        return redirect(url_for("accounts.login_code"))
    signin.sign_in(user, method=method)
    if mfa.must_enrol(user):
        flash(_("Your role requires two-factor sign-in. Set it up now to continue."), "info")
        return redirect(url_for("accounts.security"))
    flash(_("You are logged in."), "success")
    return redirect(target)


def _pending_user() -> tuple[User | None, dict]:
    pending = session.get(_PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        session.pop(_PENDING_KEY, None)
        return None, {}
    user = db.session.get(User, int(pending.get("user", 0)))
    if user is None or not user.active or not mfa.has_second_factor(user):
        session.pop(_PENDING_KEY, None)
        return None, {}
    return user, pending


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login_code():
    """The second step of signing in: the code of the authenticator app, a recovery code, or a passkey
    (``login_passkey``, where the browser offers them)."""
    user, pending = _pending_user()
    if user is None:
        flash(_("Log in with your e-mail address and password first."), "info")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            how = mfa.check_code(user, form.code.data)
        except mfa.WrongCode as exc:
            signin.sign_in_failed(email=user.email, method=signin.METHOD_TOTP, reason="wrong-code", user=user)
            if _one_try_less(pending):
                return redirect(url_for("accounts.login"))
            form.code.errors = [*form.code.errors, str(exc)]
        else:
            session.pop(_PENDING_KEY, None)
            if pending.get("method") == signin.METHOD_OIDC:
                method = signin.METHOD_OIDC_RECOVERY_CODE if how == mfa.METHOD_RECOVERY else signin.METHOD_OIDC_TOTP
            else:
                method = signin.METHOD_RECOVERY_CODE if how == mfa.METHOD_RECOVERY else signin.METHOD_TOTP
            signin.sign_in(user, method=method)
            if how == mfa.METHOD_RECOVERY:
                flash(_("You used a recovery code; %(n)d are left.", n=mfa.recovery_codes_left(user)), "info")
            flash(_("You are logged in."), "success")
            return redirect(_safe_next(pending.get("next")))
    return render_template("accounts/login_code.html", form=form, totp=mfa.is_enrolled(user),
                           passkey=passkeys.has_passkeys(user)), 422 if form.errors else 200


def _one_try_less(pending: dict) -> bool:
    """A wrong code or passkey: one try less; True (and the password is asked again) when none are left."""
    pending["tries"] = int(pending.get("tries", 0)) + 1
    if pending["tries"] >= PENDING_TRIES:
        session.pop(_PENDING_KEY, None)
        flash(_("Too many wrong codes. Log in again."), "error")
        return True
    session[_PENDING_KEY] = pending
    return False


# Passkeys (WebAuthn): JSON in and out, for congress/static/js/passkeys.js. The challenge of each
# ceremony waits in the session (and, single-use, in the token table) between its two requests.
_REGISTER_CHALLENGE = "passkey_register_challenge"
_SIGN_IN_CHALLENGE = "passkey_sign_in_challenge"


def _json_body() -> dict | None:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else None


def _refusal(message: str, status: int = 422, **extra):
    return jsonify({"error": message, **extra}), status


def _unreadable():
    return _refusal(_("The browser's answer could not be read. Try again."))


def _start_again():
    """No password given (or more than five minutes ago): back to it, with the reason on its page (409:
    nobody is signed in, and this browser is not between its password and its second factor)."""
    message = _("Log in with your e-mail address and password first.")
    flash(message, "info")
    return _refusal(message, 409, redirect=url_for("accounts.login"))


def _options(ceremony: passkeys.Ceremony, key: str):
    session[key] = ceremony.challenge
    response = current_app.response_class(ceremony.options_json, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/passkeys/sign-in/options", methods=["POST"])
@limiter.limit(_login_limit)
def login_passkey_options():
    """After the password: the options to sign in with one of one's passkeys."""
    user, _pending = _pending_user()
    if user is None or not passkeys.has_passkeys(user):
        return _start_again()
    return _options(passkeys.authentication_options(user), _SIGN_IN_CHALLENGE)


@bp.route("/account/passkeys/sign-in", methods=["POST"])
@limiter.limit(_login_limit)
def login_passkey():
    """After the password: the browser's answer with a passkey; signed in when it is verified. A wrong
    answer counts as a wrong code (the tries after the password, the audit log, the rate limit)."""
    user, pending = _pending_user()
    if user is None:
        return _start_again()
    data = _json_body()
    challenge = session.pop(_SIGN_IN_CHALLENGE, None)
    try:
        passkeys.authenticate(user, credential=data.get("credential") if data else None, challenge=challenge)
    except passkeys.PasskeyRefused as exc:
        reason = "sign-count" if isinstance(exc, passkeys.ClonedPasskey) else "wrong-passkey"
        signin.sign_in_failed(email=user.email, method=signin.METHOD_PASSKEY, reason=reason, user=user)
        if _one_try_less(pending):
            return _refusal(_("Too many wrong codes. Log in again."), 422, redirect=url_for("accounts.login"))
        return _refusal(exc.message)
    session.pop(_PENDING_KEY, None)
    method = signin.METHOD_OIDC_PASSKEY if pending.get("method") == signin.METHOD_OIDC else signin.METHOD_PASSKEY
    signin.sign_in(user, method=method)
    flash(_("You are logged in."), "success")
    return jsonify({"redirect": _safe_next(pending.get("next"))})


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
    found = services.check_account_token(token, purpose)
    if found is None:
        flash(_("This link is invalid or has expired. Ask for a new one."), "error")
        return redirect(url_for("accounts.forgot_password"))
    if not services.password_allowed(found.user):
        flash(_staff_use_the_provider(), "info")
        return redirect(url_for("accounts.login"))
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.redeem_account_token(token, purpose, form.password.data)
        except services.AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            flash(_("Your password has been set."), "success")
            return _password_proved(user, signin.METHOD_LINK, url_for("manage.dashboard"))
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
    if not services.password_allowed(_me()):
        flash(_staff_use_the_provider(), "info")
        return redirect(url_for("accounts.sessions"))
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


_ENROL_KEY = "mfa_enrol_secret"


def _security_context(me: User) -> dict:
    return {"required": mfa.required_for(me), "passkeys": passkeys.of(me), "has_factor": mfa.has_second_factor(me)}


@bp.route("/account/security", endpoint="security")
@roles_required(*_ANY_ROLE)
def security_page():
    """Two-factor sign-in: set up the app code (a QR code and a confirmation code) or turn it off; add,
    list and remove passkeys."""
    me = _me()
    if mfa.is_enrolled(me):
        return render_template("accounts/security.html", enrolled=True, form=CodeForm(),
                               codes_left=mfa.recovery_codes_left(me), **_security_context(me))
    return _enrol_page(me, CodeForm())


def _enrol_page(me: User, form: CodeForm, status: int = 200):
    secret = session.get(_ENROL_KEY)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = mfa.new_secret()
        session[_ENROL_KEY] = secret
    uri = mfa.provisioning_uri(me, secret)
    return render_template("accounts/security.html", enrolled=False, form=form, secret=secret, uri=uri,
                           qr=mfa.qr_svg(uri), **_security_context(me)), status


@bp.route("/account/security/enrol", methods=["POST"])
@roles_required(*_ANY_ROLE)
@limiter.limit(_login_limit)
def security_enrol():
    me = _me()
    form = CodeForm()
    secret = session.get(_ENROL_KEY)
    if mfa.is_enrolled(me):
        return redirect(url_for("accounts.security"))
    if not isinstance(secret, str) or not form.validate_on_submit():
        form.code.errors = [*form.code.errors, _("Type the six digits your app shows.")]
        return _enrol_page(me, form, 422)
    try:
        codes = mfa.enrol(me, secret, form.code.data)
    except mfa.WrongCode as exc:
        form.code.errors = [*form.code.errors, str(exc)]
        return _enrol_page(me, form, 422)
    session.pop(_ENROL_KEY, None)
    flash(_("Two-factor sign-in is on."), "success")
    return render_template("accounts/recovery_codes.html", codes=codes)


@bp.route("/account/security/disable", methods=["POST"])
@roles_required(*_ANY_ROLE)
@limiter.limit(_login_limit)
def security_disable():
    me = _me()
    form = CodeForm()
    if not mfa.is_enrolled(me):
        return redirect(url_for("accounts.security"))
    if form.validate_on_submit():
        try:
            mfa.disable(me, form.code.data)
        except mfa.WrongCode as exc:
            form.code.errors = [*form.code.errors, str(exc)]
        else:
            flash(_("Two-factor sign-in is off."), "success")
            return redirect(url_for("accounts.security"))
    return render_template("accounts/security.html", enrolled=True, form=form, codes_left=mfa.recovery_codes_left(me),
                           **_security_context(me)), 422


@bp.route("/account/passkeys/register/options", methods=["POST"])
@roles_required(*_ANY_ROLE)
@limiter.limit(_login_limit)
def passkey_register_options():
    """The options to create a passkey for one's own account."""
    return _options(passkeys.registration_options(_me()), _REGISTER_CHALLENGE)


@bp.route("/account/passkeys/register", methods=["POST"])
@roles_required(*_ANY_ROLE)
@limiter.limit(_login_limit)
def passkey_register():
    """The browser's new passkey, with the name given to it; kept when verified."""
    data = _json_body()
    if data is None:
        return _unreadable()
    challenge = session.pop(_REGISTER_CHALLENGE, None)
    try:
        passkey = passkeys.register(_me(), name=data.get("name"), credential=data.get("credential"),
                                    challenge=challenge)
    except passkeys.PasskeyRefused as exc:
        return _refusal(exc.message, field=exc.field or "passkey")
    flash(_("The passkey “%(name)s” has been added.", name=passkey.name), "success")
    return jsonify({"redirect": url_for("accounts.security")})


@bp.route("/account/passkeys/<int:passkey_id>/remove", methods=["GET", "POST"])
@roles_required(*_ANY_ROLE)
def passkey_remove(passkey_id: int):
    """Remove one of one's passkeys, after a confirmation."""
    me = _me()
    passkey = next((p for p in passkeys.of(me) if p.id == passkey_id), None)
    if passkey is None:
        abort(404)
    if request.method == "POST":
        try:
            name = mfa.remove_passkey(me, passkey_id)
        except passkeys.PasskeyRefused as exc:
            flash(exc.message, "error")
        else:
            flash(_("The passkey “%(name)s” has been removed.", name=name), "success")
        return redirect(url_for("accounts.security"))
    return render_template("accounts/passkey_remove.html", passkey=passkey)


@bp.route("/account/security/reset/<int:user_id>", methods=["POST"])
@roles_required(Role.ADMIN)
def security_reset(user_id: int):
    """An administrator removes someone's second factor (audited; the person is told by e-mail)."""
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    if not permissions.can_change_account(_me(), person):
        abort(403)
    try:
        mfa.reset(person, by=_me(), locale=current_language())
    except mfa.WrongCode as exc:
        flash(str(exc), "error")
    else:
        flash(_("The two-factor sign-in of %(name)s has been reset; they have been told by e-mail.",
                name=person.name), "success")
    return redirect(url_for("manage.user", user_id=person.id))
