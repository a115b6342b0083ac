"""Signals of the registration capability, for the capabilities above it (mailings, evaluations)."""

from __future__ import annotations

from congress.signals import namespace

signals = namespace()

# After a registration is confirmed (inside its transaction): ``registration_confirmed.send(registration)``.
registration_confirmed = signals.signal("registration-confirmed")

# After a registration is cancelled (inside its transaction):
# ``registration_cancelled.send(registration, reason=str)`` ("attendee", "organiser", "expired", "erased", …).
registration_cancelled = signals.signal("registration-cancelled")

# When a person's data is erased on their request (inside the erasing transaction, before the row is
# anonymised, so receivers still see it): ``registration_erased.send(registration)``.
registration_erased = signals.signal("registration-erased")

# Asked under the edition's lock, in the transaction that registers or promotes (see seats.Pool.held):
# ``first_answer(reserved_places_wanted, congress_id, email_key=str | None, today=date)`` →
# ``(held, entitled)``: the places still held for invitation lists, and whether this address may take
# one of them; None (nobody answers): nothing is held.
reserved_places_wanted = signals.signal("reserved-places-wanted")

# Asked by the registration form for ``?invite=<secret>``:
# ``first_answer(invitation_wanted, congress_id, secret=str)`` → ``{"name", "email", "organisation",
# "sector"}`` of the invitee, or None for a secret that names nobody of this edition.
invitation_wanted = signals.signal("invitation-wanted")

# Asked while rendering the personal page (``/my/<secret>``): ``personal_page_wanted.send(registration,
# secret=str)`` → each receiver's section of the page as HTML (Markup), or None; shown in the order of the
# answers (the participants' network: its consent and the messages received).
personal_page_wanted = signals.signal("personal-page-wanted")

# Asked while building the personal data download: ``personal_data_wanted.send(registration, locale=str)``
# → ``{section: data}`` of what a capability above keeps about the person (the network's messages).
personal_data_wanted = signals.signal("personal-data-wanted")
