"""Signing in and out, in one place. Every way of proving who one is (a password, a link from an
e-mail that sets one, a second factor, single sign-on) ends in :func:`sign_in`, every refusal in
:func:`sign_in_failed` and every sign-out in :func:`sign_out`, so that what a session is (its id, its
lifetime, its revocation, how it was proved) is decided here and nowhere else."""

from __future__ import annotations

from flask import g, request, session
from flask_login import login_user, logout_user

from congress.accounts import sessions
from congress.accounts.models import User
from congress.audit.services import record
from congress.database import utcnow, write_transaction
from congress.i18n import LANG_SESSION_KEY

# How someone proved who they are; recorded with the sign-in and kept with the session.
METHOD_PASSWORD = "password"
METHOD_LINK = "link"  # a password set from a reset, invitation or verification link
METHOD_TOTP = "password+totp"  # a password and a time-based one-time code
METHOD_RECOVERY_CODE = "password+recovery-code"  # a password and one of the single-use recovery codes
METHOD_PASSKEY = "password+passkey"  # a password and a passkey (WebAuthn)
METHOD_OIDC = "oidc"  # single sign-on through the organisation's OpenID provider
METHOD_OIDC_MFA = "oidc+mfa"  # single sign-on that counts as the second factor (OIDC_SATISFIES_MFA)
METHOD_OIDC_TOTP = "oidc+totp"  # single sign-on and a time-based one-time code of Congres
METHOD_OIDC_RECOVERY_CODE = "oidc+recovery-code"  # single sign-on and a recovery code
METHOD_OIDC_PASSKEY = "oidc+passkey"  # single sign-on and a passkey of Congres
METHODS = (METHOD_PASSWORD, METHOD_LINK, METHOD_TOTP, METHOD_RECOVERY_CODE, METHOD_PASSKEY, METHOD_OIDC,
           METHOD_OIDC_MFA, METHOD_OIDC_TOTP, METHOD_OIDC_RECOVERY_CODE, METHOD_OIDC_PASSKEY)
# Sessions whose second factor the provider asked: MFA_REQUIRED_ROLES does not ask one of Congres too.
PROVIDER_MFA_METHODS = frozenset({METHOD_OIDC_MFA})

_METHOD_KEY = "signin_method"


def sign_in(user: User, *, method: str) -> None:
    """Begin the session of ``user``, who has just proved who they are by ``method`` (one of METHODS);
    recorded in the audit log. A new server-side session (``sessions``) with a new id: whatever this
    browser's cookie held before (another sign-in, a session fixed by someone else) is cleared first."""
    previous = sessions.current_session_id()
    language = session.get(LANG_SESSION_KEY)
    # Stored first: if the database refuses (busy), the browser is not signed in either.
    with write_transaction():
        if previous is not None:
            sessions.end_session_quietly(previous, reason=sessions.REASON_RENEWED)
        user.last_login_at = utcnow()
        record("user.login", user, actor=user, method=method)  # not yet the request's user: the one signing in
        secret = sessions.start_session(user, method=method, user_agent=request.user_agent.string,
                                        ip_address=request.remote_addr or "")
    session.clear()
    if language:
        session[LANG_SESSION_KEY] = language
    session[sessions.SESSION_KEY] = secret
    g.user_session = sessions.load(sessions.current_session_id())
    login_user(user)
    session[_METHOD_KEY] = method


def current_method() -> str | None:
    """How this browser's session was proved (one of METHODS), or None when nobody is signed in."""
    return session.get(_METHOD_KEY)


def sign_in_failed(*, email: str, method: str, reason: str, user: User | None = None) -> None:
    """Record a refused sign-in (a wrong password or code, a refused single sign-on); ``email`` as typed
    (cut to 254 characters), ``reason`` a short code such as ``wrong-password``."""
    with write_transaction():
        record("user.login_failed", user, actor_label=email[:254], method=method, reason=reason)


def sign_out() -> None:
    """End this browser's session (its row too: the cookie, if copied, signs nobody in any more)."""
    current = sessions.current_session_id()
    if current is not None:
        with write_transaction():
            sessions.end_session_quietly(current, reason=sessions.REASON_SIGNED_OUT)
    language = session.get(LANG_SESSION_KEY)
    session.clear()
    logout_user()
    if language:
        session[LANG_SESSION_KEY] = language
