"""Where the call for proposals listens to the capabilities below it; ``create_app`` calls ``connect()``.

* ``audit.signals.objects_described`` for proposals, reviewer assignments and call settings.
"""

from __future__ import annotations

from congress.audit.signals import objects_described
from congress.cfp.audit_names import DESCRIBERS


def connect() -> None:
    for kind, describer in DESCRIBERS.items():
        objects_described.connect(describer, sender=kind)
