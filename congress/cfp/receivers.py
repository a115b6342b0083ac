"""Where the call for proposals listens to the capabilities below it: the one ``connect()`` that
``create_app`` calls.

* ``core.signals.congress_cloned`` → copy the call's settings, open tracks, formats and review criteria
  into the new edition (:mod:`congress.cfp.cloning`).
"""

from __future__ import annotations

from congress.cfp.cloning import on_congress_cloned
from congress.core.signals import congress_cloned


def connect() -> None:
    """Connecting again (a second app in one process) changes nothing: blinker keeps one per receiver."""
    congress_cloned.connect(on_congress_cloned)
