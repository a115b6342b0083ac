"""Accounts: passwords (argon2), roles, single-use e-mail tokens and hashed API tokens."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import gettext as _

from congress.accounts import passwords, permissions, sessions, staff
from congress.accounts.models import (
    ACCOUNT_TOKEN_CLASSES,
    PURPOSE_INVITE,
    PURPOSE_RESET,
    AccountToken,
    ApiToken,
    Role,
    Token,
    TokenKind,
    TokenScope,
    User,
)
from congress.accounts.oidc_config import ConfigurationProblem
from congress.accounts.oidc_config import check_configuration as check_single_sign_on
from congress.accounts.sessions import (
    REASON_BY_STAFF,
    active_sessions,
    end_session,
    end_sessions,
)
from congress.accounts.staff import add_roles, grant_role, revoke_grant, set_active, staff_query
from congress.audit.services import record
from congress.database import lock_for_update, transactional, utcnow, write_transaction
from congress.errors import Conflict, NotPermitted, ServiceError
from congress.extensions import db
from congress.mail.services import queue_mail
from congress.tokens import hash_secret, new_secret
from congress.urls import external_url

# re-exported: callers use them from here
__all__ = ["PURPOSE_INVITE", "PURPOSE_RESET", "REASON_BY_STAFF", "ConfigurationProblem", "active_sessions", "add_roles",
           "check_single_sign_on", "end_session", "end_sessions", "grant_role", "hash_secret", "revoke_grant",
           "set_active", "staff_query"]

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so that timing does not tell which addresses exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 10
# The kinds of the single-use e-mail links (every one a password sets spends).
_ACCOUNT_KINDS = (TokenKind.PASSWORD_RESET.value, TokenKind.INVITATION.value, TokenKind.VERIFICATION.value)


class AccountError(ServiceError):
    """A rule of the accounts capability refused the request (422: the input breaks a rule, such
    as a too short password or a link that is invalid or has expired); the message is translated."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def set_password(user: User, password: str) -> None:
    """The one place a password changes (set from a link, changed, the command line). A password that
    is too short or too predictable (``passwords.weakness``) is refused. It ends every outstanding
    e-mail link of the account (reset, invitation, verification: each would set the password again)
    and every session of the account but this browser's (``sessions.end_sessions``)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    problem = passwords.weakness(password, user_inputs=(user.email or "", user.name or ""))
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(password)
    if user.id is not None:
        end_sessions(user, except_current=True, reason=sessions.REASON_PASSWORD)
        db.session.execute(
            sa.update(Token)
            .where(Token.kind.in_(_ACCOUNT_KINDS), Token.user_id == user.id, Token.used_at.is_(None))
            .values(used_at=utcnow())
            .execution_options(synchronize_session="fetch")
        )


class WrongPassword(AccountError):
    """The current password given to change it is not the account's."""


def change_password(user: User, current: str, new: str) -> None:
    """One's own new password, with the current one as proof; the other sessions end, this one stays."""
    try:
        _hasher.verify(user.password_hash or _DUMMY_HASH, current)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise WrongPassword(_("This is not your current password."), field="current") from None
    if not user.password_hash:
        raise WrongPassword(_("This is not your current password."), field="current")
    with write_transaction():
        set_password(user, new)
        record("user.password_changed", user)


def password_allowed(user: User | None) -> bool:
    """Whether ``user`` may sign in with a password here: always while ``LOCAL_LOGIN_ENABLED`` is on;
    when it is off, only accounts without a staff role (the call for proposals' speakers, who have no
    account at the organisation's OpenID provider). Staff then sign in through the provider."""
    if current_app.config.get("LOCAL_LOGIN_ENABLED", True) or user is None:
        return True
    return not any(grant.role != Role.SPEAKER.value for grant in user.grants)


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The user when e-mail and password match an active account, else None (one answer)."""
    user = find_user(email)
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or not user.password_hash or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        rehash = hash_password(password)
        # The password was checked outside the lock (argon2 is slow); the write takes it from its start.
        with write_transaction():
            user.password_hash = rehash
    return user  # signed in by ``signin.sign_in`` once every factor is proved


@transactional
def create_user(
    email: str,
    *,
    name: str = "",
    password: str | None = None,
    roles: tuple[str, ...] = (),
    track_ids: tuple[int, ...] = (),
    congress_ids: tuple[int | None, ...] = (),
) -> User:
    """Create the account (or find it by its address) and add the roles: for these editions (none:
    every edition), and a track manager for these tracks."""
    email = normalise_email(email)
    user = find_user(email)
    if user is None:
        user = User(email=email, name=name or email.split("@")[0])
        db.session.add(user)
    elif name:
        user.name = name
    if password is not None:
        set_password(user, password)
    existed = user.id is not None
    added = [grant for role in roles
             for grant in grant_role(user, role, track_ids=track_ids, congress_ids=congress_ids)]
    db.session.flush()
    if existed and added:  # new roles for an existing account: a change of privilege
        sessions.privilege_changed(user)
    record("user.create", user, roles=list(roles), editions=[c for c in congress_ids if c is not None])
    return user


def generate_password() -> str:
    return new_secret(15)


# --- single-use e-mail tokens -------------------------------------------------------------


@transactional
def issue_account_token(user: User, purpose: str, valid_for: timedelta) -> str:
    secret = new_secret()
    token_class = ACCOUNT_TOKEN_CLASSES[purpose]
    db.session.add(token_class(user=user, token_hash=hash_secret(secret), expires_at=utcnow() + valid_for))
    return secret


def _account_token_query(secret: str, purpose: str) -> sa.Select | None:
    token_class = ACCOUNT_TOKEN_CLASSES.get(purpose)
    if token_class is None:
        return None
    return sa.select(token_class).where(token_class.token_hash == hash_secret(secret))


def redeem_account_token(secret: str, purpose: str, new_password: str) -> User:
    """Set the password through a token; the token is spent atomically (single use)."""
    invalid = _("This link is invalid or has expired. Ask for a new one.")
    query = _account_token_query(secret, purpose)
    if query is None:
        raise AccountError(invalid)
    with write_transaction():
        token = db.session.scalar(lock_for_update(query))
        if token is None or token.used_at is not None or token.expires_at <= utcnow():
            raise AccountError(invalid)
        set_password(token.user, new_password)
        token.used_at = utcnow()
        token.user.active = True
        record(f"user.{purpose}_redeemed", token.user)
    return token.user


def check_account_token(secret: str, purpose: str) -> AccountToken | None:
    query = _account_token_query(secret, purpose)
    token = db.session.scalar(query) if query is not None else None
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        return None
    return token


@transactional
def request_password_reset(email: str, locale: str) -> None:
    """E-mail a reset link when the account exists; the caller answers the same either way."""
    user = find_user(email)
    if user is None or not user.active or not password_allowed(user):
        return
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    secret = issue_account_token(user, PURPOSE_RESET, timedelta(hours=hours))
    queue_mail(
        user.email,
        "password_reset",
        locale=user.locale or locale,
        user=user,
        link=external_url("accounts.reset_password", token=secret),
        hours=hours,
    )
    record("user.password_reset_requested", user)


@transactional
def invite_staff(email: str, name: str, roles: tuple[str, ...], invited_by: User, locale: str,
                 track_ids: tuple[int, ...] = (), congress_ids: tuple[int | None, ...] = ()) -> User:
    """Give the roles (for these editions; only what ``invited_by`` may give) and mail a link to set
    a password. A deactivated account is not reactivated by an invitation: that is done on its page."""
    staff.check_may_invite(invited_by, roles, congress_ids=congress_ids, track_ids=track_ids)
    existing = find_user(email)
    if existing is not None and not existing.active:
        raise Conflict(_("This account is deactivated. Reactivate it on its page first."),
                             code="inactive", field="email")
    user = create_user(email, name=name, roles=roles, track_ids=track_ids, congress_ids=congress_ids)
    days = current_app.config["INVITATION_DAYS"]
    secret = issue_account_token(user, PURPOSE_INVITE, timedelta(days=days))
    queue_mail(
        user.email,
        "staff_invitation",
        locale=locale,
        user=user,
        invited_by=invited_by,
        roles=sorted(roles),
        link=external_url("accounts.accept_invitation", token=secret),
        days=days,
    )
    record("user.invited", user, roles=list(roles))
    return user


# --- API tokens ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


@transactional
def create_api_token(name: str, scope: str, *, created_by: User | None = None) -> IssuedToken:
    """A new bearer token; its secret is returned once and only its hash kept. ``created_by``: the
    user who made it in the back office (who must be allowed that scope); without one, the CLI."""
    scope = TokenScope(scope).value
    if created_by is not None and scope not in permissions.token_scopes(created_by):
        raise NotPermitted(_("You may not create tokens with this scope."), field="scope")
    secret = "cgr_" + new_secret()
    token = ApiToken(name=name, scope=scope, token_hash=hash_secret(secret), prefix=secret[:10])
    db.session.add(token)
    db.session.flush()
    record("api_token.create", token, actor_label=None if created_by is not None else "cli", name=name, scope=scope)
    return IssuedToken(token, secret)


@transactional
def revoke_api_token(token_id: int, *, revoked_by: User | None = None) -> ApiToken | None:
    token = db.session.get(ApiToken, token_id)
    if token is not None and revoked_by is not None and token.scope not in permissions.token_scopes(revoked_by):
        raise NotPermitted(_("You may not revoke tokens with this scope."), field="token")
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
        record("api_token.revoke", token)
    return token


@functools.cache
def _token_query() -> sa.Select:
    return sa.select(ApiToken).where(ApiToken.token_hash == sa.bindparam("token_hash"))


def api_token_for(secret: str, scope: str) -> ApiToken | None:
    """The active token with this secret that grants ``scope`` (``read`` is granted by every scope)."""
    if not secret or len(secret) > 200:
        return None
    token = db.session.scalar(_token_query(), {"token_hash": hash_secret(secret)})
    if token is None or token.revoked_at is not None:
        return None
    if token.scope != scope and scope != TokenScope.READ.value:
        return None
    return token
