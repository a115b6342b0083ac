"""Call for proposals: speakers' sign-up and verification, their profile and photo.

Photos are checked, made square and stored by ``congress.core.photos`` (the one place, also used
by the organisers' speaker pages): re-encoded without metadata in the storage area ``cfp`` under
``photos/``, named by their hash (never under static/).
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from congress.accounts import services as accounts
from congress.accounts.models import Role, User
from congress.audit.services import record
from congress.cfp.errors import CfpError
from congress.core import services as core
from congress.core.models import Person
from congress.database import transactional, write_transaction
from congress.extensions import db
from congress.mail.services import queue_mail
from congress.sanitize import has_forbidden_characters
from congress.urls import external_url

PURPOSE_VERIFY = "verify"
VERIFY_DAYS = 3
PHOTO_MAX_BYTES = core.PHOTO_MAX_BYTES


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
                   bio_en: str | None = None, bio_max: int = core.BIO_MAX) -> Person:
    name = name.strip()
    if not name:
        raise CfpError(_("Fill in your name."))
    if len(name) > 200 or len(organisation) > 200 or len(function) > 200:
        raise CfpError(_("Name, organisation and function may each be at most 200 characters."))
    if any(has_forbidden_characters(text) for text in (name, organisation, function)):
        raise CfpError(_("Name, organisation and function contain characters that cannot be stored."))
    try:
        bio, english = core.check_biography(bio, person.bio_en if bio_en is None else bio_en, limit=bio_max)
    except core.ProfileRefused as exc:
        raise CfpError(str(exc)) from None
    person.name, person.organisation, person.function = name, organisation.strip(), function.strip()
    person.bio, person.bio_en = bio, english
    record("cfp.profile", person)
    return person


def clean_photo(data: bytes) -> bytes:
    """The photo as it is kept (core.photos: JPEG, PNG or WebP in, a small square JPEG out), or
    :class:`CfpError`."""
    try:
        return core.clean_photo(data)
    except core.PhotoRefused as exc:
        raise CfpError(str(exc)) from None


class PhotoRefused(CfpError):
    """The photo of a profile was refused (the form shows it next to the photo field)."""


@transactional
def save_profile(person: Person, *, name: str, organisation: str, function: str, bio: str,
                 bio_en: str | None = None, photo: bytes | None = None, remove_photo: bool = False) -> Person:
    """The profile's text and photo together: nothing half-saved when either is refused."""
    update_profile(person, name=name, organisation=organisation, function=function, bio=bio, bio_en=bio_en)
    if photo is not None:
        try:
            core.set_photo(person, photo)
        except core.PhotoRefused as exc:
            raise PhotoRefused(str(exc)) from None
    elif remove_photo:
        core.remove_photo(person)
    return person


@transactional
def set_photo(person: Person, data: bytes) -> str:
    try:
        return core.set_photo(person, data)
    except core.PhotoRefused as exc:
        raise PhotoRefused(str(exc)) from None


def remove_photo(person: Person) -> None:
    """The speaker takes their photo away: the public pages show their initials again."""
    core.remove_photo(person)


photo_key = core.photo_key
