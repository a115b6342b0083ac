"""Where the programme listens to the capabilities below it: the one ``connect()`` that ``create_app`` calls.

* ``core.signals.congress_cloned`` → copy the sign-up rounds and sessions into the new edition
  (:mod:`congress.programme.cloning`).
"""

from __future__ import annotations

from congress.core.signals import congress_cloned
from congress.programme.cloning import on_congress_cloned


def connect() -> None:
    """Connecting again (a second app in one process) changes nothing: blinker keeps one per receiver."""
    congress_cloned.connect(on_congress_cloned)
