"""The rules of registration: the capability's face. Plain functions, no ``request``: views, the API,
jobs, tests and other capabilities call them through this module.

The rules live in the modules beside it, one per part: :mod:`.state` (the edition's state, seats per
session), :mod:`.validation` (what a person enters), :mod:`.links` (the personal link), :mod:`.seats`
(the one seat rule for the edition and the workshops, locks, enrolling, the waiting lists),
:mod:`.registering`, :mod:`.lifecycle` (confirm, cancel, change, erase) and :mod:`.settings`. Reads
that other capabilities use are in :mod:`.queries`.

Seats are guarded by the database. Every change of an enrolment runs inside
:func:`congress.database.write_transaction` (SQLite: ``BEGIN IMMEDIATE``, one writer at a time) and
locks the rows it depends on with ``SELECT … FOR UPDATE`` on PostgreSQL, always in the same order
(the edition row first, then the session rows by id) so that transactions never deadlock. Counts are
read inside that transaction; the waiting list is promoted in the same transaction that frees a seat.
"""

from __future__ import annotations

from congress.registration.errors import RegistrationError
from congress.registration.lifecycle import (
    ERASED_NAME,
    cancel,
    change_sessions,
    confirm,
    erase,
    expire_unconfirmed,
    move_enrolment,
    notify_enrolled_of_changes,
    personal_data,
    set_network_consent,
    set_role,
    update_details,
)
from congress.registration.links import find_by_secret, manage_secret, manage_url, new_link, send_link
from congress.registration.questions import add_question, clean_answers, delete_question, questions
from congress.registration.registering import RegistrationResult, e_ticket, mail_context, register, register_speaker
from congress.registration.retention import anonymise_registrations as anonymise_registrations  # manage.retention
from congress.registration.seats import (
    Decision,
    Outcome,
    Pool,
    Seat,
    SeatFacts,
    decide,
    edition_waiting_count,
    edition_waiting_rank,
    offers_waiting_list,
    promote_after_change,
    promote_edition_after_change,
    promote_edition_waiting_list,
    promote_waiting_list,
    seats_left_for_session,
    set_session_capacity,
)
from congress.registration.settings import (
    DEFAULT_SECTORS,
    ensure_default_sectors,
    save_sectors,
    save_window,
    set_waiting_list,
)
from congress.registration.state import (
    ACTIVE,
    DEFAULT_HOLD_HOURS,
    SessionSeats,
    active_count,
    attendee_changes_allowed,
    enrolled_counts,
    hold_hours,
    online_places,
    online_places_left,
    registration_state,
    rounds_with_seats,
    seat_overview,
    sectors,
    signup_sessions,
    waiting_rank,
    window_state,
)
from congress.registration.validation import LIMITS, RegistrationData, normalise_email, validate_data
from congress.tokens import hash_secret
from congress.urls import external_url  # the one source of absolute URLs (tests check it is)

__all__ = [
    "ACTIVE", "DEFAULT_HOLD_HOURS", "Decision", "Outcome", "Pool", "decide", "edition_waiting_count",
    "edition_waiting_rank",
    "offers_waiting_list", "online_places", "online_places_left",
    "promote_edition_after_change", "promote_edition_waiting_list", "set_waiting_list",
    "DEFAULT_SECTORS", "ERASED_NAME", "LIMITS", "RegistrationData",
    "RegistrationError", "RegistrationResult", "Seat", "SeatFacts", "SessionSeats", "active_count", "add_question",
    "cancel", "change_sessions", "clean_answers", "confirm", "delete_question", "e_ticket", "enrolled_counts",
    "ensure_default_sectors", "erase", "expire_unconfirmed", "external_url", "find_by_secret", "hash_secret",
    "hold_hours", "mail_context", "manage_secret", "manage_url", "move_enrolment", "new_link", "normalise_email",
    "notify_enrolled_of_changes", "personal_data", "promote_after_change", "promote_waiting_list", "questions",
    "register", "register_speaker", "registration_state", "rounds_with_seats", "save_sectors", "save_window",
    "seat_overview", "seats_left_for_session", "sectors", "send_link", "set_network_consent", "set_role",
    "set_session_capacity",
    "signup_sessions", "update_details", "validate_data", "waiting_rank", "window_state", "attendee_changes_allowed",
]
