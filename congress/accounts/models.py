"""Staff and speaker accounts, their roles, single-use e-mail tokens and API tokens.

Attendees have no account: a secret personal link identifies them (registration capability).
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from congress.database import UTCDateTime, utcnow
from congress.extensions import db


class Role(enum.StrEnum):
    ADMIN = "admin"
    ORGANISER = "organiser"
    TRACK_MANAGER = "track_manager"
    REVIEWER = "reviewer"
    CHECKIN = "checkin"
    SPEAKER = "speaker"


ROLE_LABELS = {
    Role.ADMIN.value: _l("Administrator"),
    Role.ORGANISER.value: _l("Organiser"),
    Role.TRACK_MANAGER.value: _l("Track manager"),
    Role.REVIEWER.value: _l("Reviewer"),
    Role.CHECKIN.value: _l("Check-in staff"),
    Role.SPEAKER.value: _l("Speaker"),
}


class TokenScope(enum.StrEnum):
    CHECKIN = "checkin"
    REGISTRATIONS = "registrations"
    READ = "read"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The second factor (``accounts.mfa``): a TOTP secret (base32), set once a code confirmed it, and the
    # last 30-second time step a code was accepted for, so that no code is accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    # The other second factor (``accounts.passkeys``): WebAuthn credentials, the oldest first.
    passkeys: Mapped[list[Passkey]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Passkey.id"
    )

    # The edition a back-office request is about (set by the guard, ``access.roles_required``, for this
    # request's user only): while set, the roles are those held in that edition.
    edition_scope = None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:  # what Flask-Login keeps in the session cookie, next to the session's secret
        return str(self.id)

    @property
    def is_admin(self) -> bool:
        return any(grant.role == Role.ADMIN.value for grant in self.grants)

    def grants_in(self, congress_id: int | None) -> list[RoleGrant]:
        """The grants that hold in this edition (all of them for ``None``): those of the edition and
        those without one (every edition)."""
        return [g for g in self.grants if congress_id is None or g.congress_id in (None, congress_id)]

    @property
    def roles(self) -> set[str]:
        """The roles held (in the edition of the request, while the guard has scoped it)."""
        return {grant.role for grant in self.grants_in(self.edition_scope)}

    def has_role(self, *roles: str) -> bool:
        mine = self.roles
        return Role.ADMIN.value in mine or any(role in mine for role in roles)

    def has_role_in(self, congress_id: int, *roles: str) -> bool:
        """One of ``roles`` held for this edition (admins hold every role everywhere)."""
        mine = {grant.role for grant in self.grants_in(congress_id)}
        return Role.ADMIN.value in mine or any(role in mine for role in roles)

    def edition_ids(self, *roles: str) -> set[int] | None:
        """The editions in which one of ``roles`` is held; ``None`` means every edition (admins, and
        grants without an edition)."""
        found: set[int] = set()
        for grant in self.grants:
            if grant.role == Role.ADMIN.value or (grant.role in roles and grant.congress_id is None):
                return None
            if grant.role in roles:
                found.add(grant.congress_id)
        return found

    def scope_to(self, congress_id: int | None) -> None:
        self.edition_scope = congress_id

    def managed_track_ids(self) -> set[int]:
        return {g.track_id for g in self.grants_in(self.edition_scope)
                if g.role == Role.TRACK_MANAGER.value and g.track_id}


class RoleGrant(db.Model):
    """A role of a user, for one edition (``congress_id``) or, without one, for every edition (admins,
    and the grants made before roles were per edition). Track managers are scoped to one track per
    grant; such a grant carries the track's edition."""

    __tablename__ = "role_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    congress_id: Mapped[int | None] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Where the grant comes from: None when given in Congres (the staff pages, the command line, an
    # invitation), ``GRANT_SOURCE_OIDC`` when the organisation's OpenID provider gave it (a group in the
    # roles claim, ``accounts.oidc``): those are brought up to date at every single sign-on, the others stay.
    source: Mapped[str | None] = mapped_column(String(16))

    user: Mapped[User] = relationship(back_populates="grants")

    __table_args__ = (UniqueConstraint("user_id", "role", "congress_id", "track_id"),)


GRANT_SOURCE_OIDC = "oidc"


class TokenKind(enum.StrEnum):
    PASSWORD_RESET = "password_reset"
    INVITATION = "invitation"
    VERIFICATION = "verification"  # a speaker's e-mail address (call for proposals)
    API = "api"
    OIDC_STATE = "oidc_state"  # the state of a single sign-on on its way to the provider and back
    WEBAUTHN = "webauthn"  # the challenge of one passkey registration or sign-in (accounts.passkeys)


class Token(db.Model):
    """The one token table: every secret handed out for an account or a partner, stored only as its
    SHA-256 (``congress.tokens``). ``kind`` says which: a single-use, expiring e-mail link
    (``password_reset``, ``invitation``, ``verification``: a user, ``expires_at``, ``used_at``) or an API bearer token
    (``api``: a ``name``, ``scope`` and ``prefix``, ``revoked_at``, ``last_used_at``).

    The subclasses below are the kinds (single-table inheritance): ``select(ApiToken)`` reads only the
    API tokens, ``select(AccountToken)`` only the e-mail links.
    """

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(100))
    scope: Mapped[str | None] = mapped_column(String(32))
    prefix: Mapped[str | None] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()

    __mapper_args__ = {"polymorphic_on": "kind"}


class AccountToken(Token):
    """A single-use, expiring secret sent by e-mail (password reset, staff invitation)."""

    __mapper_args__ = {"polymorphic_abstract": True}

    @property
    def purpose(self) -> str:
        return PURPOSE_OF_KIND[self.kind]


class PasswordResetToken(AccountToken):
    __mapper_args__ = {"polymorphic_identity": TokenKind.PASSWORD_RESET.value}


class InvitationToken(AccountToken):
    __mapper_args__ = {"polymorphic_identity": TokenKind.INVITATION.value}


class VerificationToken(AccountToken):
    __mapper_args__ = {"polymorphic_identity": TokenKind.VERIFICATION.value}


# The purposes the e-mail links are issued and redeemed for (also in the audit log: user.reset_redeemed).
PURPOSE_RESET = "reset"
PURPOSE_INVITE = "invite"
PURPOSE_VERIFY = "verify"  # the call for proposals' speaker accounts (cfp.services.PURPOSE_VERIFY)
ACCOUNT_TOKEN_CLASSES: dict[str, type[AccountToken]] = {
    PURPOSE_RESET: PasswordResetToken, PURPOSE_INVITE: InvitationToken, PURPOSE_VERIFY: VerificationToken,
}
PURPOSE_OF_KIND = {cls.__mapper_args__["polymorphic_identity"]: purpose
                   for purpose, cls in ACCOUNT_TOKEN_CLASSES.items()}


class ApiToken(Token):
    """A bearer token for partners and scanners; only its SHA-256 is stored."""

    __mapper_args__ = {"polymorphic_identity": TokenKind.API.value}

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class OidcStateToken(Token):
    """The ``state`` of one single sign-on (``accounts.oidc``): issued when the browser is sent to the
    provider, spent (``used_at``) by the one callback that comes back with it, refused after
    ``expires_at``. The browser's own session holds the state itself, the nonce and the PKCE verifier;
    this row is what makes the state single-use even for a copied cookie."""

    __mapper_args__ = {"polymorphic_identity": TokenKind.OIDC_STATE.value}


class PasskeyChallengeToken(Token):
    """The challenge of one passkey ceremony (``accounts.passkeys``): adding a passkey (``scope``
    ``register``) or signing in with one (``sign-in``), for ``user_id``. The browser's session holds the
    challenge itself; this row (its SHA-256) makes it single-use (``used_at``) and expiring
    (``expires_at``), also for a copied cookie."""

    __mapper_args__ = {"polymorphic_identity": TokenKind.WEBAUTHN.value}


class UserIdentity(db.Model):
    """An account's identity at an OpenID provider: the provider's ``issuer`` and its ``subject`` (the
    ``sub`` claim, stable for that person at that provider). Single sign-on finds the account by this
    pair, never by the e-mail address, which a person or a provider may change."""

    __tablename__ = "user_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("issuer", "subject"),)


class UserSession(db.Model):
    """A signed-in browser, kept on the server so that it can be ended from elsewhere. The browser's
    cookie holds a random secret; ``id`` is its SHA-256 (``congress.tokens``), so the table alone
    signs nobody in. A session ends when ``ended_at`` is set (signed out, ended from another browser,
    a new password or role, a deactivated account), after ``STAFF_IDLE_MINUTES`` without a request
    (``last_seen_at``) or at ``expires_at`` (``STAFF_MAX_HOURS`` after the sign-in), whichever comes first.
    """

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str | None] = mapped_column(String(32))
    browser: Mapped[str] = mapped_column(String(40), default="")
    platform: Mapped[str] = mapped_column(String(40), default="")
    ip_address: Mapped[str] = mapped_column(String(45), default="")

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """One of the ten single-use codes that stand in for the second factor (a lost phone), stored
    hashed with argon2 like a password; spent when ``used_at`` is set. New codes replace all old ones."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Passkey(db.Model):
    """A passkey (a WebAuthn credential) of an account, a second factor next to the TOTP code.
    ``credential_id`` is the authenticator's id of it (base64url, unique: one credential is one
    account's), ``public_key`` its COSE public key, ``sign_count`` the highest signature counter seen
    (an assertion with a counter at or below it, once counting began, is refused: a cloned key).
    ``name`` is the owner's ("Laptop"); ``last_used_at`` the last sign-in with it."""

    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    transports: Mapped[str] = mapped_column(String(200), default="")
    aaguid: Mapped[str] = mapped_column(String(36), default="")
    backed_up: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="passkeys")
