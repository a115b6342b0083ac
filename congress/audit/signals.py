"""Signals of the audit capability: the log asks the capabilities above it to name their objects.

``objects_described`` — ``describe_objects(kind, ids, locale)`` sends it with ``sender=kind`` (the
model's class name, as recorded: "Registration", "ProgrammeSession", …) and ``ids=[…]`` (ints),
``locale=str``. The capability owning the kind answers ``{id: (label, url or None)}`` from one query;
ids it no longer has (erased, deleted) are left out and the log shows a fallback. Receivers connect in
their ``receivers.connect()`` with ``sender=kind``: ``def receiver(kind, *, ids, locale)``.
"""

from __future__ import annotations

from congress.signals import namespace

signals = namespace()

objects_described = signals.signal("audit-objects-described")
