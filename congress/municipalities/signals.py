"""Signals of the municipality list, for the capabilities above it."""

from __future__ import annotations

from congress.signals import namespace

signals = namespace()

# Asked before a municipality is removed: ``uses_wanted.send(municipality_id)`` → each receiver answers
# how many of its rows name it (registration: registrations of any edition and status). A municipality
# in use is never removed (the foreign key refuses it too): past reports would lose it.
uses_wanted = signals.signal("municipality-uses-wanted")
