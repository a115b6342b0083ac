"""Where the knowledge archive listens to the capabilities below it; ``create_app`` calls ``connect()``.

* ``audit.signals.objects_described`` for knowledge items: their titles in the audit log.
"""

from __future__ import annotations

from congress.archive.audit_names import items
from congress.audit.signals import objects_described


def connect() -> None:
    objects_described.connect(items, sender="KnowledgeItem")
