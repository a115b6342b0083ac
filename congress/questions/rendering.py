"""Answers as text: :func:`display` and :func:`scale_ends` (kept in :mod:`.models`, next to the model
they read, so that the two modules do not import each other)."""

from __future__ import annotations

from congress.questions.models import display, scale_ends

__all__ = ["display", "scale_ends"]
