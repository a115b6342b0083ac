"""Where questions listens to the capabilities below it; ``create_app`` calls ``connect()``.

* ``audit.signals.objects_described`` for questions: their labels in the audit log.
"""

from __future__ import annotations

from congress.audit.signals import objects_described
from congress.questions.audit_names import questions


def connect() -> None:
    objects_described.connect(questions, sender="Question")
