"""Signals of the registration capability, for the capabilities above it (mailings, evaluations)."""

from __future__ import annotations

from congress.signals import namespace

signals = namespace()

# After a registration is confirmed (inside its transaction): ``registration_confirmed.send(registration)``.
registration_confirmed = signals.signal("registration-confirmed")

# After a registration is cancelled (inside its transaction): ``registration_cancelled.send(registration)``.
registration_cancelled = signals.signal("registration-cancelled")
