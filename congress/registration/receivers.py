"""Where registration listens to the capabilities below it: the one ``connect()`` that ``create_app`` calls.

* ``programme.signals.sessions_changed`` → e-mail the people enrolled in (or waiting for) the sessions
  that changed in a published programme version.
* ``programme.signals.seats_left_wanted`` → the seats left in a session open for sign-up.
* ``mail.signals.context_wanted`` for the kind ``registration`` → the confirmation mail's context,
  rebuilt by the mail worker.
"""

from __future__ import annotations

from typing import Any

from congress.audit.signals import objects_described
from congress.core.models import Congress
from congress.mail.signals import context_wanted
from congress.programme.models import ProgrammeSession
from congress.programme.signals import seats_left_wanted, sessions_changed
from congress.registration.audit_names import registrations as describe_registrations
from congress.registration.lifecycle import notify_enrolled_of_changes
from congress.registration.registering import mail_context
from congress.registration.seats import seats_left_for_session

MAIL_KIND = "registration"


def connect() -> None:
    """Connect the receivers (connecting twice changes nothing: blinker keeps one per function)."""
    sessions_changed.connect(on_sessions_changed)
    seats_left_wanted.connect(on_seats_left_wanted)
    context_wanted.connect(on_mail_context_wanted, sender=MAIL_KIND)
    objects_described.connect(describe_registrations, sender="Registration")  # names in the audit log


def on_sessions_changed(congress: Congress, *, session_ids: list[int], version: Any = None, **_: Any) -> int:
    return notify_enrolled_of_changes(congress, list(session_ids), version)


def on_seats_left_wanted(session: ProgrammeSession, **_: Any) -> int | None:
    return seats_left_for_session(session)


def on_mail_context_wanted(kind: str, *, argument: str, **_: Any) -> dict[str, Any] | None:
    return mail_context(argument)
