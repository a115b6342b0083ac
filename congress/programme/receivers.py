"""Where programme listens to the capabilities below it; ``create_app`` calls ``connect()``.

* ``audit.signals.objects_described`` for sessions, versions, rounds, tracks, rooms and speakers:
  their names in the audit log.
"""

from __future__ import annotations

from congress.audit.signals import objects_described
from congress.programme.audit_names import DESCRIBERS


def connect() -> None:
    for kind, describer in DESCRIBERS.items():
        objects_described.connect(describer, sender=kind)
