"""Where registration listens to the capabilities below it: the one ``connect()`` that ``create_app`` calls.

* ``programme.signals.sessions_changed`` → e-mail the people enrolled in (or waiting for) the sessions
  that changed in a published programme version.
* ``programme.signals.seats_left_wanted`` → the seats left in a session open for sign-up.
* ``programme.signals.recipients_wanted`` → how many attendees a programme version would e-mail.
* ``mail.signals.context_wanted`` for the kind ``registration`` → the confirmation mail's context,
  rebuilt by the mail worker.
* ``core.signals.congress_updated`` → a raised capacity promotes the edition's waiting list.
* ``core.signals.congress_cloned`` → copy the registration form's settings (sectors) into the new edition
  (:mod:`congress.registration.cloning`).
* ``municipalities.signals.uses_wanted`` → how many registrations name a municipality (it is then kept).
* ``questions.signals.answers_wanted`` for the target ``registration`` → how the registration form's
  answers use a question (the questions editor asks before a change that could lose them).
"""

from __future__ import annotations

from typing import Any

from congress.audit.signals import objects_described
from congress.core.models import Congress
from congress.core.signals import congress_cloned, congress_updated
from congress.mail.signals import context_wanted
from congress.municipalities.signals import uses_wanted as municipality_uses_wanted
from congress.programme.models import ProgrammeSession
from congress.programme.signals import recipients_wanted, seats_left_wanted, sessions_changed
from congress.questions.signals import answers_wanted
from congress.registration.audit_names import registrations as describe_registrations
from congress.registration.cloning import on_congress_cloned
from congress.registration.lifecycle import notify_enrolled_of_changes, people_to_notify_of_changes
from congress.registration.queries import municipality_uses
from congress.registration.questions import TARGET as QUESTIONS_TARGET
from congress.registration.questions import answer_usage
from congress.registration.registering import mail_context
from congress.registration.seats import promote_edition_after_change, seats_left_for_session

MAIL_KIND = "registration"


def connect() -> None:
    """Connect the receivers (connecting twice changes nothing: blinker keeps one per function)."""
    sessions_changed.connect(on_sessions_changed)
    congress_updated.connect(on_congress_updated)
    seats_left_wanted.connect(on_seats_left_wanted)
    recipients_wanted.connect(on_recipients_wanted)
    context_wanted.connect(on_mail_context_wanted, sender=MAIL_KIND)
    congress_cloned.connect(on_congress_cloned)
    answers_wanted.connect(answer_usage, sender=QUESTIONS_TARGET)
    objects_described.connect(describe_registrations, sender="Registration")  # names in the audit log
    municipality_uses_wanted.connect(on_municipality_uses_wanted)


def on_municipality_uses_wanted(municipality_id: int, **_: Any) -> int:
    """How many registrations (of any edition and status) name the municipality."""
    return municipality_uses(municipality_id)


def on_congress_updated(congress: Congress, *, changed: list[str], **_: Any) -> int:
    """A capacity changed on the edition's settings: fill freed places from the waiting list, in the
    same transaction."""
    if "capacity" not in changed:
        return 0
    return len(promote_edition_after_change(congress))


def on_sessions_changed(congress: Congress, *, session_ids: list[int], version: Any = None, **_: Any) -> int:
    return notify_enrolled_of_changes(congress, list(session_ids), version)


def on_seats_left_wanted(session: ProgrammeSession, **_: Any) -> int | None:
    return seats_left_for_session(session)


def on_mail_context_wanted(kind: str, *, argument: str, **_: Any) -> dict[str, Any] | None:
    return mail_context(argument)


def on_recipients_wanted(congress: Congress, *, session_ids: list[int], **_: Any) -> int:
    return people_to_notify_of_changes(congress, list(session_ids))
