"""Where the programme listens to the capabilities below it: the one ``connect()`` that ``create_app`` calls.

* ``core.signals.congress_cloned`` → copy the sign-up rounds and sessions into the new edition
  (:mod:`congress.programme.cloning`).
* ``audit.signals.objects_described`` for sessions, versions, rounds, tracks, rooms and speakers:
  their names in the audit log.
"""

from __future__ import annotations

from congress.audit.signals import objects_described
from congress.core.signals import congress_cloned
from congress.programme.audit_names import DESCRIBERS
from congress.programme.cloning import on_congress_cloned


def connect() -> None:
    """Connecting again (a second app in one process) changes nothing: blinker keeps one per receiver."""
    congress_cloned.connect(on_congress_cloned)
    for kind, describer in DESCRIBERS.items():
        objects_described.connect(describer, sender=kind)
