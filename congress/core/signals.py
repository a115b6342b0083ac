"""Signals of the core capability (editions)."""

from __future__ import annotations

from congress.signals import namespace

signals = namespace()

# Sent inside the transaction that creates an edition: ``congress_created.send(congress)``.
# Receivers add what every edition needs (badges: its signing key pair).
congress_created = signals.signal("congress-created")

# Sent inside the transaction that clones an edition (``core.services.clone_congress``), after core
# has copied the edition's own fields, tracks and rooms:
# ``congress_cloned.send(source, target=new_congress, shift=timedelta, track_ids={old: new}, room_ids={old: new})``.
# Each capability copies its own settings of ``source`` into ``target`` (dates moved by ``shift``),
# never people, registrations, reviews or check-ins. Receivers run in capability order
# (``congress.capabilities.FIRST``, then alphabetical): programme before registration and cfp.
congress_cloned = signals.signal("congress-cloned")

# Sent inside the transaction that edits an edition (``core.services.update_congress``), when fields
# changed: ``congress_updated.send(congress, changed=["capacity", …])``. Registration listens: a raised
# capacity promotes the edition's waiting list in the same transaction.
congress_updated = signals.signal("congress-updated")
