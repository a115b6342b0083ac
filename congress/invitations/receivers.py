"""Invitations answers registration's signals; ``create_app`` calls :func:`connect`.

* ``registration.signals.registration_confirmed`` → the invitees with that address are registered.
* ``registration.signals.reserved_places_wanted`` → the places held for invitation lists (asked under
  the edition's lock, in the registering transaction).
* ``registration.signals.invitation_wanted`` → what the registration form fills in for an invitation link.
* ``communications.signals.invitees_wanted`` → a mailing's invitees who have not responded.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from congress.audit.signals import objects_described
from congress.communications.signals import invitees_wanted
from congress.invitations import queries, services
from congress.invitations.audit_names import DESCRIBERS
from congress.registration.models import Registration
from congress.registration.signals import invitation_wanted, registration_confirmed, reserved_places_wanted


def connect() -> None:
    """Connect the receivers (connecting twice changes nothing: blinker keeps one per function)."""
    registration_confirmed.connect(on_registration_confirmed)
    reserved_places_wanted.connect(on_reserved_places_wanted)
    invitation_wanted.connect(on_invitation_wanted)
    invitees_wanted.connect(on_invitees_wanted)
    for kind, describer in DESCRIBERS.items():
        objects_described.connect(describer, sender=kind)


def on_registration_confirmed(registration: Registration, **_: Any) -> int:
    return services.mark_registered(registration)


def on_reserved_places_wanted(congress_id: int, *, email_key: str | None = None, today: date,
                              **_: Any) -> tuple[int, bool]:
    return services.reserved_places(congress_id, email_key=email_key, today=today)


def on_invitation_wanted(congress_id: int, *, secret: str, **_: Any) -> dict[str, str] | None:
    return services.invitation_details(congress_id, secret)


def on_invitees_wanted(congress_id: int, **_: Any) -> list[tuple[str, str, str, str]]:
    return queries.not_responded(congress_id)
