"""Where core listens to the capabilities below it; ``create_app`` calls ``connect()``.

* ``audit.signals.objects_described`` for editions: their titles in the audit log.
"""

from __future__ import annotations

from congress.audit.signals import objects_described
from congress.core.audit_names import editions


def connect() -> None:
    objects_described.connect(editions, sender="Congress")
