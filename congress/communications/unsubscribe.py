"""Unsubscribing from what is not transactional (mailings, invitations, reminders): the opt-out is
per address, kept across editions, and respected by everything that sends such mail; transactional
mail (a confirmation, a personal link) never asks it.

The link in a message names the address by a signed token (an HMAC of the address with the app's
secret key), so no row is stored per message and a forged or altered token matches nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from congress.database import UTCDateTime, transactional, utcnow
from congress.extensions import db
from congress.urls import public_base_url

# Where the links point (the page and the one-click POST of RFC 8058).
PATH = "/unsubscribe/"


class OptOut(db.Model):
    """An address that asked not to receive mailings, invitations and reminders any more."""

    __tablename__ = "communication_opt_outs"

    email: Mapped[str] = mapped_column(String(254), primary_key=True)  # lower case
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # How: "one-click" (the mail client's button), "link" (the page), "organiser" (on request).
    source: Mapped[str] = mapped_column(String(20), default="link")


def _normal(email: str) -> str:
    return email.strip().lower()


def _signature(email: str) -> str:
    key = hashlib.sha256(b"unsubscribe:" + current_app.config["SECRET_KEY"].encode()).digest()
    digest = hmac.new(key, _normal(email).encode("utf-8", "surrogatepass"), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_for(email: str) -> str:
    """``<address, base64>.<signature>``: the token of the unsubscribe link of ``email``."""
    address = base64.urlsafe_b64encode(_normal(email).encode()).decode().rstrip("=")
    return f"{address}.{_signature(email)}"


def email_for(token: str) -> str | None:
    """The address a token names, or None for a forged, altered or malformed one."""
    address, _, signature = (token or "").partition(".")
    if not address or not signature or len(token) > 800:
        return None
    try:
        email = base64.urlsafe_b64decode(address + "=" * (-len(address) % 4)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    if "@" not in email or not hmac.compare_digest(signature, _signature(email)):
        return None
    return email


def url_for_address(email: str) -> str:
    """The unsubscribe link of ``email`` on the configured base (never the request's host)."""
    return f"{public_base_url()}{PATH}{token_for(email)}"


def headers_for(email: str) -> dict[str, str]:
    """The List-Unsubscribe headers (RFC 2369, one-click RFC 8058) for ``mail.services.queue_mail``'s
    ``headers=``."""
    return {"List-Unsubscribe": f"<{url_for_address(email)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def is_opted_out(email: str) -> bool:
    return db.session.get(OptOut, _normal(email)) is not None


def opted_out(emails: Iterable[str]) -> set[str]:
    """Of ``emails``, the (lower-cased) addresses that opted out."""
    wanted = {_normal(e) for e in emails}
    found: set[str] = set()
    chunk = list(wanted)
    for start in range(0, len(chunk), 500):
        found |= set(db.session.scalars(sa.select(OptOut.email).where(OptOut.email.in_(chunk[start:start + 500]))))
    return found


@transactional
def opt_out(email: str, *, source: str = "link") -> bool:
    """Opt ``email`` out; True when it is new (asking twice changes nothing)."""
    if is_opted_out(email):
        return False
    db.session.add(OptOut(email=_normal(email), source=source))
    return True


@transactional
def opt_in(email: str) -> bool:
    """Undo an opt-out (the person asked for it); True when there was one."""
    row = db.session.get(OptOut, _normal(email))
    if row is None:
        return False
    db.session.delete(row)
    return True
