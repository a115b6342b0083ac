"""Signals of the core capability (editions)."""

from __future__ import annotations

from congress.signals import namespace

signals = namespace()

# Sent inside the transaction that creates an edition: ``congress_created.send(congress)``.
# Receivers add what every edition needs (badges: its signing key pair).
congress_created = signals.signal("congress-created")
