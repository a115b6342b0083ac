"""Server-side sessions: every signed-in browser is a row of ``user_sessions`` that can be listed and
ended from elsewhere, and that ends by itself after ``STAFF_IDLE_MINUTES`` without a request or
``STAFF_MAX_HOURS`` after the sign-in.

The browser's (signed) session cookie holds a random secret under :data:`SESSION_KEY`; the table holds
only its SHA-256. :func:`check_request` (a ``before_request`` hook that ``access.init_app`` registers)
loads the row before anything reads ``current_user``: a session that ended, expired or idled signs the
browser out and sends it to the login page. The user loader (``access``) answers a user only for the
row that this check loaded, so neither an old cookie nor a remember-me cookie gets around it.

:func:`end_sessions` is the one way to end someone's sessions: a new password, a role given or taken
away, a deactivated account, "sign out everywhere" and an organiser's "end all sessions".
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, flash, g, has_request_context, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user

from congress.accounts.models import Token, TokenKind, User, UserSession
from congress.audit.services import record
from congress.database import utcnow, write_transaction
from congress.extensions import db
from congress.tokens import hash_secret, new_secret

# In the Flask session: the secret whose hash is the row's id.
SESSION_KEY = "_sid"
# Flask-Login's key in the Flask session: someone is (or was) signed in.
_LOGIN_KEY = "_user_id"
# last_seen_at is written at most this often (not on every request).
SEEN_EVERY = timedelta(minutes=1)

# Why a session ended (``ended_reason``, and the audit events' ``reason``).
REASON_SIGNED_OUT = "signed-out"
REASON_ENDED = "ended"  # ended by its owner from the sessions page
REASON_EVERYWHERE = "signed-out-everywhere"  # "sign out everywhere except here"
REASON_BY_STAFF = "ended-by-staff"  # an organiser's "end all sessions" on the staff page
REASON_PASSWORD = "password-changed"
REASON_ROLES = "roles-changed"
REASON_DEACTIVATED = "deactivated"
REASON_RENEWED = "renewed"  # a new sign-in or a change of privilege in this browser: a new id
REASON_IDLE = "idle"
REASON_EXPIRED = "expired"
REASONS = (REASON_SIGNED_OUT, REASON_ENDED, REASON_EVERYWHERE, REASON_BY_STAFF, REASON_PASSWORD, REASON_ROLES,
           REASON_DEACTIVATED, REASON_RENEWED, REASON_IDLE, REASON_EXPIRED)

# Someone asked for these: always in the audit log, also when there was nothing to end.
_ASKED_FOR = (REASON_EVERYWHERE, REASON_BY_STAFF)

_BROWSERS = (  # first match wins: Edge and Opera also say Chrome, Chrome also says Safari
    ("Edg/", "Edge"), ("EdgA/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"),
    ("SamsungBrowser/", "Samsung Internet"), ("CriOS/", "Chrome"), ("Chrome/", "Chrome"), ("Safari/", "Safari"),
)
_PLATFORMS = (
    ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("CrOS", "ChromeOS"), ("Windows", "Windows"),
    ("Macintosh", "macOS"), ("Mac OS X", "macOS"), ("Linux", "Linux"),
)
_PROGRAM = re.compile(r"^([A-Za-z][A-Za-z0-9._-]{0,30})/")


def describe_agent(user_agent: str) -> tuple[str, str]:
    """(browser, platform) from a User-Agent header, simply: "Firefox", "Linux"; empty when unknown.
    A program that is not a browser (curl, python-requests) is named by its first word."""
    text = (user_agent or "")[:500]
    browser = next((name for marker, name in _BROWSERS if marker in text), "")
    if not browser and "Mozilla/" not in text:
        match = _PROGRAM.match(text)
        browser = match.group(1) if match else ""
    platform = next((name for marker, name in _PLATFORMS if marker in text), "")
    return browser[:40], platform[:40]


def _lifetimes() -> tuple[timedelta, timedelta]:
    config = current_app.config
    return timedelta(minutes=float(config["STAFF_IDLE_MINUTES"])), timedelta(hours=float(config["STAFF_MAX_HOURS"]))


def start_session(user: User, *, method: str, user_agent: str = "", ip_address: str = "",
                  expires_at: datetime | None = None) -> str:
    """A new session row for ``user`` (in the caller's transaction); returns the secret for the cookie.
    ``expires_at``: kept from the session it replaces (a renewal does not extend the lifetime)."""
    secret = new_secret()
    now = utcnow()
    browser, platform = describe_agent(user_agent)
    db.session.add(UserSession(
        id=hash_secret(secret), user_id=user.id, method=method[:32], created_at=now, last_seen_at=now,
        expires_at=expires_at or now + _lifetimes()[1], browser=browser, platform=platform,
        ip_address=(ip_address or "")[:45],
    ))
    return secret


def current_session_id() -> str | None:
    """The id (hash) of this browser's session, or None outside a request or when nobody is signed in."""
    if not has_request_context():
        return None
    secret = session.get(SESSION_KEY)
    return hash_secret(secret) if isinstance(secret, str) and secret else None


def why_not_valid(row: UserSession | None, now: datetime | None = None) -> str | None:
    """None while the session holds; else why it does not: ended (its reason), expired, idle."""
    if row is None:
        return REASON_ENDED
    if row.ended_at is not None:
        return row.ended_reason or REASON_ENDED
    now = now or utcnow()
    idle, _longest = _lifetimes()
    if now >= row.expires_at:
        return REASON_EXPIRED
    if now - row.last_seen_at >= idle:
        return REASON_IDLE
    return None


def _active_query(user_id: int) -> sa.Select:
    idle, _longest = _lifetimes()
    now = utcnow()
    return (sa.select(UserSession)
            .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None),
                   UserSession.expires_at > now, UserSession.last_seen_at > now - idle)
            .order_by(UserSession.last_seen_at.desc(), UserSession.created_at.desc()))


def active_sessions(user: User) -> list[UserSession]:
    """The sessions of ``user`` that still hold, the most recently used first."""
    return list(db.session.scalars(_active_query(user.id)))


def _end(query_filter: Any, reason: str) -> int:
    result = db.session.execute(
        sa.update(UserSession).where(UserSession.ended_at.is_(None), query_filter)
        .values(ended_at=utcnow(), ended_reason=reason).execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0


def end_sessions(user: User, *, except_current: bool, reason: str, by: User | None = None) -> int:
    """End every session of ``user`` (but this browser's, with ``except_current``, when it is one of
    theirs) and their outstanding password-reset links; in the caller's transaction or one of its own.
    Audited as ``sessions.ended_everywhere`` with the reason and the count (when one ended, or when
    someone asked); ``by``: who acts, when the request does not say (None: the request's user, or
    "system"). Returns how many sessions ended."""
    if user.id is None:  # an account being created has none
        return 0
    with write_transaction():
        condition = UserSession.user_id == user.id
        current = current_session_id() if except_current else None
        if current is not None:
            condition = sa.and_(condition, UserSession.id != current)
        count = _end(condition, reason)
        links = _spend_reset_links(user)
        if count or links or reason in _ASKED_FOR:  # a password set on a new account ends nothing: no event
            record("sessions.ended_everywhere", user, actor=by, reason=reason, count=count,
                   except_current=current is not None, **({"reset_links": links} if links else {}))
    return count


def _spend_reset_links(user: User) -> int:
    """Outstanding password-reset links of ``user`` end with the sessions: a link asked for before the
    account was secured again (by someone with access to the mailbox, say) sets no password. Invitation
    and verification links stay: they are how a new account gets its first password."""
    result = db.session.execute(
        sa.update(Token).where(Token.kind == TokenKind.PASSWORD_RESET.value, Token.user_id == user.id,
                               Token.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0


def end_session(user: User, session_id: str, *, reason: str = REASON_ENDED, by: User | None = None) -> bool:
    """End one session of ``user`` (from the sessions page); False when it is not theirs or had ended."""
    if not isinstance(session_id, str) or not re.fullmatch(r"[0-9a-f]{64}", session_id):
        return False
    with write_transaction():
        count = _end(sa.and_(UserSession.id == session_id, UserSession.user_id == user.id), reason)
        if count:
            record("session.ended", user, actor=by, reason=reason, signin_session=session_id[:12])
    return bool(count)


def load(session_id: str | None) -> UserSession | None:
    return db.session.get(UserSession, session_id) if session_id else None


def end_session_quietly(session_id: str, *, reason: str) -> None:
    """End this browser's own session (signed out, or replaced by a new sign-in): in the caller's
    transaction, not audited on its own (the sign-in or sign-out is what happened)."""
    _end(UserSession.id == session_id, reason)


def renew_current(user: User, *, reason: str = REASON_RENEWED) -> None:
    """Give this browser a new session id (a change of its own privilege): the old row ends, the new
    one keeps its sign-in method and absolute lifetime."""
    old = load(current_session_id())
    with write_transaction():
        if old is not None:
            _end(UserSession.id == old.id, reason)
        secret = start_session(user, method=old.method if old else "", user_agent=request.user_agent.string,
                               ip_address=request.remote_addr or "",
                               expires_at=old.expires_at if old is not None else None)
    session[SESSION_KEY] = secret
    g.user_session = load(hash_secret(secret))


def privilege_changed(user: User) -> None:
    """``user``'s roles changed: their other sessions end, and this browser, when it is theirs (someone
    changing their own roles), gets a new session id."""
    end_sessions(user, except_current=True, reason=REASON_ROLES)
    current = load(current_session_id())
    if current is not None and current.user_id == user.id and current.ended_at is None:
        renew_current(user)


def session_user(user_id: str) -> User | None:
    """The user loader: the user that this request's checked session (``g.user_session``) belongs to,
    and only when the cookie names that same user and the account is active; else nobody."""
    row = g.get("user_session")
    if row is None or str(row.user_id) != str(user_id).partition(":")[0]:
        return None
    user = db.session.get(User, row.user_id)
    return user if user is not None and user.active else None


def _skip() -> bool:
    """Static files need no session; the API is reached by bearer tokens, never by the cookie."""
    endpoint = request.endpoint or ""
    return endpoint in ("static", "vendor") or endpoint.endswith(".static") or request.path.startswith("/api/")


def check_request() -> Any:
    """``before_request``: load this browser's session; an ended, expired or idle one signs it out
    (with a message) and sends it to the login page. ``last_seen_at`` is written once a minute at most."""
    g.user_session = None
    if _skip() or (_LOGIN_KEY not in session and SESSION_KEY not in session):
        return None
    row = load(current_session_id())
    now = utcnow()
    reason = why_not_valid(row, now)
    if reason is None and row is not None and str(row.user_id) != str(session.get(_LOGIN_KEY, "")).partition(":")[0]:
        reason = REASON_ENDED  # a cookie naming another user than its session: never trusted
    if reason is None and row is not None:
        if now - row.last_seen_at >= SEEN_EVERY:
            with write_transaction():
                row.last_seen_at = now
        g.user_session = row
        return None
    if row is not None and row.ended_at is None:  # expired or idle: ended now, once
        with write_transaction():
            if _end(UserSession.id == row.id, reason):
                user = db.session.get(User, row.user_id)
                record("session.ended", user, actor=user, reason=reason, signin_session=row.id[:12])
    session.clear()
    logout_user()  # after the clear: it may leave the instruction to clear a remember-me cookie
    if request.accept_mimetypes.best == "application/json":
        abort(401)
    flash(_("Your session has expired. Please log in again.") if reason in (REASON_IDLE, REASON_EXPIRED)
          else _("Your session has been ended. Please log in again."), "info")
    target = request.full_path if request.query_string else request.path
    if request.method != "GET" or request.endpoint == "accounts.login":
        return redirect(url_for("accounts.login"))
    return redirect(url_for("accounts.login", next=target))
