"""The second factor: time-based one-time codes (TOTP, RFC 6238, with pyotp) and ten single-use
recovery codes.

Enrolment: :func:`new_secret` gives a secret that the page shows as a QR code (:func:`qr_svg`); the
first correct code confirms it (:func:`enrol`), which also hands out the recovery codes, once: only
their argon2 hashes are stored. At sign-in :func:`check_code` accepts a code of the current 30-second
time step or the one either side, but never one of a step at or before the last accepted one (a code
overheard or replayed within its window is refused). :func:`required_for` says whether the roles in
``MFA_REQUIRED_ROLES`` oblige someone to have a second factor; a passkey (``accounts.passkeys``) counts
as one as well as the TOTP code (:func:`has_second_factor`).
"""

from __future__ import annotations

import io
import secrets
import time

import pyotp
import qrcode
import qrcode.image.svg
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import gettext as _

from congress.accounts import passkeys
from congress.accounts.models import Passkey, RecoveryCode, User
from congress.audit.services import record
from congress.database import lock_for_update, utcnow, write_transaction
from congress.errors import ServiceError
from congress.extensions import db
from congress.mail.services import queue_mail

ISSUER = "Congres"
RECOVERY_CODE_COUNT = 10
# Codes of the step before and after the current one are accepted too (a clock a little off, a slow typist).
VALID_WINDOW = 1
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper
_hasher = PasswordHasher()

METHOD_TOTP = "totp"
METHOD_RECOVERY = "recovery-code"


class WrongCode(ServiceError):
    """The code is not (or no longer) valid."""


def is_enrolled(user: User) -> bool:
    """Whether ``user`` has the TOTP code (and so the recovery codes) on."""
    return bool(user.totp_secret and user.totp_enabled_at)


def has_second_factor(user: User) -> bool:
    """The TOTP code or at least one passkey: asked after the password, and enough for MFA_REQUIRED_ROLES."""
    return is_enrolled(user) or passkeys.has_passkeys(user)


def required_roles() -> set[str]:
    """The roles that must have a second factor (``MFA_REQUIRED_ROLES``: a list or "admin,organiser")."""
    value = current_app.config.get("MFA_REQUIRED_ROLES", "")
    items = value.split(",") if isinstance(value, str) else list(value)
    return {item.strip() for item in items if item and item.strip()}


def required_for(user: User) -> bool:
    """Whether ``user`` holds (in any edition) a role that must have a second factor."""
    needed = required_roles()
    return any(grant.role in needed for grant in user.grants)


def must_enrol(user: User) -> bool:
    return required_for(user) and not has_second_factor(user)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The ``otpauth://`` URI as an inline SVG (paths only, no XML declaration)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    text = buffer.getvalue().decode()
    return text[text.index("<svg"):]


def _clean(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()[:40]


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code ``code`` is, within the window; None when it is none of them."""
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    moment = time.time() if now is None else now
    current = int(moment // totp.interval)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes(user: User) -> list[str]:
    """Ten new single-use codes (replacing any old ones), returned in clear this once."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _i in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _j in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hasher.hash(raw)))
    return codes


def enrol(user: User, secret: str, code: str, *, now: float | None = None) -> list[str]:
    """Confirm ``secret`` with a code from the app; the second factor is on. Returns the recovery codes."""
    if is_enrolled(user):
        raise WrongCode(_("Two-factor sign-in is already on."))
    step = _matching_step(secret, _clean(code), now)
    if step is None:
        raise WrongCode(_("That code is not correct. Type the six digits your app shows now."))
    with write_transaction():
        locked = db.session.scalar(lock_for_update(sa.select(User).where(User.id == user.id)))
        locked.totp_secret = secret
        locked.totp_enabled_at = utcnow()
        locked.totp_last_step = step
        codes = new_recovery_codes(locked)
        record("user.mfa_enrolled", locked, method="totp")
    return codes


def check_code(user: User, code: str, *, now: float | None = None) -> str:
    """Spend ``code`` (a TOTP code or a recovery code) of ``user``; the method it proved, or WrongCode.
    A TOTP code of a step already used (or older) is refused; a recovery code works once."""
    cleaned = _clean(code)
    if not is_enrolled(user) or not cleaned:
        raise WrongCode(_("That code is not correct."))
    with write_transaction():
        locked = db.session.scalar(lock_for_update(sa.select(User).where(User.id == user.id)))
        step = _matching_step(locked.totp_secret or "", cleaned, now)
        if step is not None:
            if locked.totp_last_step is not None and step <= locked.totp_last_step:
                raise WrongCode(_("That code has already been used. Wait for the next code of your app."))
            locked.totp_last_step = step
            return METHOD_TOTP
        if len(cleaned) == 10:
            unused = db.session.scalars(lock_for_update(sa.select(RecoveryCode).where(
                RecoveryCode.user_id == locked.id, RecoveryCode.used_at.is_(None)))).all()
            for row in unused:
                try:
                    _hasher.verify(row.code_hash, cleaned)
                except (VerifyMismatchError, VerificationError, InvalidHashError):
                    continue
                row.used_at = utcnow()
                left = len(unused) - 1
                record("user.recovery_code_used", locked, left=left)
                return METHOD_RECOVERY
    raise WrongCode(_("That code is not correct."))


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def _switch_off(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def disable(user: User, code: str, *, now: float | None = None) -> None:
    """The user turns the second factor off, with a current code from the app (not a recovery code)."""
    if not is_enrolled(user):
        return
    with write_transaction():
        locked = db.session.scalar(lock_for_update(sa.select(User).where(User.id == user.id)))
        step = _matching_step(locked.totp_secret or "", _clean(code), now)
        if step is None or (locked.totp_last_step is not None and step <= locked.totp_last_step):
            raise WrongCode(_("That code is not correct. Type the six digits your app shows now."))
        if required_for(locked) and not passkeys.has_passkeys(locked):
            raise WrongCode(_("Your role requires two-factor sign-in: it cannot be turned off."))
        _switch_off(locked)
        record("user.mfa_disabled", locked)


def reset(user: User, *, by: User, locale: str) -> None:
    """An administrator removes someone's second factor (a lost phone and no recovery codes): the TOTP
    code, the recovery codes and every passkey; audited and mailed to them. They enrol again at their
    next sign-in when their role requires it."""
    with write_transaction():
        locked = db.session.scalar(lock_for_update(sa.select(User).where(User.id == user.id)))
        if not has_second_factor(locked):
            raise WrongCode(_("%(name)s has no two-factor sign-in to reset.", name=locked.name))
        _switch_off(locked)
        removed = db.session.execute(sa.delete(Passkey).where(Passkey.user_id == locked.id)).rowcount or 0
        db.session.expire(locked, ["passkeys"])
        record("user.mfa_reset", locked, reset_by=by.id, **({"passkeys": removed} if removed else {}))
        queue_mail(locked.email, "mfa_reset", locale=locked.locale or locale, user=locked, by=by)


def remove_passkey(user: User, passkey_id: int) -> str:
    """``user`` removes one of their passkeys (audited); its name. The last second factor of a role that
    requires one (no app code, no other passkey) stays: passkeys.PasskeyRefused."""
    with write_transaction():
        locked = db.session.scalar(lock_for_update(sa.select(User).where(User.id == user.id)))
        passkey = db.session.scalar(sa.select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == locked.id))
        if passkey is None:
            raise passkeys.PasskeyRefused(_("That passkey has been removed already."), code="gone")
        others = db.session.scalar(sa.select(sa.func.count(Passkey.id)).where(
            Passkey.user_id == locked.id, Passkey.id != passkey.id)) or 0
        if required_for(locked) and not others and not is_enrolled(locked):
            raise passkeys.PasskeyRefused(_("Your role requires two-factor sign-in: set up the app code or another "
                                            "passkey before you remove this one."), code="required")
        name = passkey.name
        db.session.delete(passkey)
        record("user.passkey_removed", locked, passkey=name)
    return name
