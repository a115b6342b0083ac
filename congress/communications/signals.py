"""What communications announces or asks, for the capabilities above it (evaluations, certificates)."""

from __future__ import annotations

from congress.signals import namespace

signals = namespace()

# Asked for a mailing to invitees (``audience.KIND_INVITEES``): ``invitees_wanted.send(congress_id)``;
# each receiver answers ``[(email, name, locale, personal link)]`` of the edition's invitees who have
# neither registered nor declined (invitations answers; without it the audience is empty).
invitees_wanted = signals.signal("invitees-wanted")

# Asked while a mailing is rendered, once per batch of its recipients who are registrations:
# ``recipient_values_wanted.send(congress, registration_ids=[…])``; each receiver answers
# ``{registration_id: {placeholder: value}}`` for the placeholders of ``sandbox.PLACEHOLDERS`` it fills
# (evaluations: ``evaluations_url``; certificates: ``certificate_url``). A registration it has nothing
# for is left out, and the placeholder stays empty in that person's mail.
recipient_values_wanted = signals.signal("recipient-values-wanted")
