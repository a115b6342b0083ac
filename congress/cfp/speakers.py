"""Call for proposals: speakers' sign-up and verification, their profile and photo.

Photos are re-encoded without metadata and kept in the storage area ``cfp`` under ``photos/``,
named by their hash (never under static/).
"""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from congress.accounts import services as accounts
from congress.accounts.models import Role, User
from congress.audit.services import record
from congress.cfp.errors import CfpError
from congress.core.models import Person
from congress.database import transactional, write_transaction
from congress.extensions import db
from congress.mail.services import queue_mail
from congress.storage import StorageKeyError, storage
from congress.urls import external_url

PURPOSE_VERIFY = "verify"
VERIFY_DAYS = 3
PHOTO_MAX_BYTES = 3 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_MAX_SIDE = 1024


# --- speakers: sign-up, profile, photo -----------------------------------------------------


@transactional
def sign_up_speaker(email: str, name: str, locale: str, next_url: str | None = None) -> None:
    """Create an inactive speaker account and e-mail a verification link (which sets the password).

    The answer is the same whether or not the address already has an account: an existing
    account gets a message pointing to the login page instead.
    """
    email = accounts.normalise_email(email)
    existing = accounts.find_user(email)
    if existing is not None and existing.password_hash:
        queue_mail(email, "cfp/account_exists", locale=locale, user=existing,
                   login=external_url("accounts.login"),
                   reset=external_url("accounts.forgot_password"))
        record("cfp.signup_existing", existing)
        return
    user = accounts.create_user(email, name=name, roles=(Role.SPEAKER.value,))
    if existing is None:
        user.active = False
    user.locale = locale
    secret = accounts.issue_account_token(user, PURPOSE_VERIFY, timedelta(days=VERIFY_DAYS))
    if next_url and next_url.startswith("/") and not next_url.startswith("//"):
        link = external_url("cfp.verify", token=secret, next=next_url)
    else:
        link = external_url("cfp.verify", token=secret)
    queue_mail(email, "cfp/verify", locale=locale, user=user, link=link, days=VERIFY_DAYS)
    record("cfp.signup", user)


@transactional
def verify_speaker(secret: str, password: str) -> User:
    """Spend the verification token, set the password, activate the account (accounts service)."""
    try:
        user = accounts.redeem_account_token(secret, PURPOSE_VERIFY, password)
    except accounts.AccountError as exc:
        raise CfpError(str(exc)) from None
    person_for(user)
    return user


def person_for(user: User) -> Person:
    """The speaker profile of a user, made on first use."""
    person = db.session.scalar(sa.select(Person).where(Person.user_id == user.id))
    if person is not None:
        return person
    with write_transaction():  # joins the caller's when there is one
        person = db.session.scalar(sa.select(Person).where(Person.user_id == user.id))
        if person is None:
            person = Person(name=user.name or user.email.split("@")[0], email=user.email, user_id=user.id)
            db.session.add(person)
            db.session.flush()
    return person


@transactional
def update_profile(person: Person, *, name: str, organisation: str, function: str, bio: str,
                   bio_max: int = 1500) -> Person:
    name = name.strip()
    if not name:
        raise CfpError(_("Fill in your name."))
    if len(name) > 200 or len(organisation) > 200 or len(function) > 200:
        raise CfpError(_("Name, organisation and function may each be at most 200 characters."))
    if len(bio) > bio_max:
        raise CfpError(_("The biography may be at most %(n)d characters.", n=bio_max))
    person.name, person.organisation, person.function, person.bio = name, organisation.strip(), function.strip(), bio
    record("cfp.profile", person)
    return person


def clean_photo(data: bytes) -> tuple[bytes, str]:
    """A JPEG or PNG re-encoded by Pillow without metadata, at most 1024 px a side.

    The type is read from the content, never from the name or the browser's claim; anything else
    (a script named .jpg, a GIF, a corrupt file, a decompression bomb) raises :class:`CfpError`.
    """
    if len(data) > PHOTO_MAX_BYTES:
        raise CfpError(_("The photo is too large (at most %(mb)d MB).", mb=PHOTO_MAX_BYTES // (1024 * 1024)))
    if not (data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n")):
        raise CfpError(_("The photo must be a JPEG or PNG image."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ("JPEG", "PNG"):
                raise CfpError(_("The photo must be a JPEG or PNG image."))
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise CfpError(_("The photo has too many pixels."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            fmt = image.format
            if fmt == "PNG":
                image = image.convert("RGBA") if image.mode in ("RGBA", "LA", "P") else image.convert("RGB")
            else:
                image = image.convert("RGB")
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            # A new image with only the pixels: no EXIF, ICC, text chunks or comments survive.
            clean = Image.new(image.mode, image.size)
            clean.paste(image)
            out = io.BytesIO()
            if fmt == "PNG":
                clean.save(out, "PNG", optimize=True)
                return out.getvalue(), "png"
            clean.save(out, "JPEG", quality=88)
            return out.getvalue(), "jpg"
    except CfpError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise CfpError(_("The photo must be a JPEG or PNG image.")) from None


class PhotoRefused(CfpError):
    """The photo of a profile was refused (the form shows it next to the photo field)."""


@transactional
def save_profile(person: Person, *, name: str, organisation: str, function: str, bio: str,
                 photo: bytes | None = None) -> Person:
    """The profile's text and photo together: nothing half-saved when either is refused."""
    update_profile(person, name=name, organisation=organisation, function=function, bio=bio)
    if photo is not None:
        try:
            set_photo(person, photo)
        except CfpError as exc:
            raise PhotoRefused(str(exc)) from None
    return person


@transactional
def set_photo(person: Person, data: bytes) -> str:
    cleaned, ext = clean_photo(data)
    name = f"{hashlib.sha256(cleaned).hexdigest()}.{ext}"
    files = storage("cfp")
    if not files.exists(f"photos/{name}"):
        files.put(f"photos/{name}", cleaned)
    person.photo = name
    record("cfp.photo", person)
    return name


def photo_key(name: str) -> str | None:
    """The storage key (area ``cfp``) of a speaker's photo by its name, None for a name that is not
    one (a path, a hidden file) or whose file is gone."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    key = f"photos/{name}"
    try:
        return key if storage("cfp").exists(key) else None
    except StorageKeyError:
        return None
