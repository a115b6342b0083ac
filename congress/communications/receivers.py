"""Communications answers the signals of the capabilities below it; ``create_app`` calls :func:`connect`."""

from __future__ import annotations


def connect() -> None:
    """Connect every part's receivers (each part adds one call here)."""
