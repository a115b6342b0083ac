"""Where the questions component listens to the capabilities below it: the one ``connect()`` that
``create_app`` calls.

* ``core.signals.congress_cloned`` → copy the edition's questions of every form into the new edition
  (:mod:`congress.questions.cloning`).
* ``audit.signals.objects_described`` for questions: their labels in the audit log.
"""

from __future__ import annotations

from congress.audit.signals import objects_described
from congress.core.signals import congress_cloned
from congress.questions.audit_names import questions
from congress.questions.cloning import on_congress_cloned


def connect() -> None:
    """Connecting again (a second app in one process) changes nothing: blinker keeps one per receiver."""
    congress_cloned.connect(on_congress_cloned)
    objects_described.connect(questions, sender="Question")
