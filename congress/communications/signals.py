"""What communications announces or asks, for the capabilities above it (evaluations, certificates)."""

from __future__ import annotations

from congress.signals import namespace

signals = namespace()
