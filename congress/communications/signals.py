"""What communications announces or asks, for the capabilities above it (evaluations, certificates)."""

from __future__ import annotations

from congress.signals import namespace

signals = namespace()

# Asked for a mailing to invitees (``audience.KIND_INVITEES``): ``invitees_wanted.send(congress_id)``;
# each receiver answers ``[(email, name, locale, personal link)]`` of the edition's invitees who have
# neither registered nor declined (invitations answers; without it the audience is empty).
invitees_wanted = signals.signal("invitees-wanted")
