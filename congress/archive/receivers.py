"""Where the knowledge archive listens to the capabilities below it; ``create_app`` calls ``connect()``.

* ``audit.signals.objects_described`` for knowledge items: their titles in the audit log.
* ``cfp.signals.recording_consent_changed``: the recordings of the session count as changed (their
  last change is now), so that an incremental harvest, the sitemap and the record caches follow.
"""

from __future__ import annotations

from congress.archive.audit_names import items
from congress.archive.services import recordings_consent_changed
from congress.audit.signals import objects_described
from congress.cfp.signals import recording_consent_changed


def _consent_changed(_proposal, session_id: int | None = None, **_extra) -> None:
    if session_id is not None:
        recordings_consent_changed(session_id)


def connect() -> None:
    objects_described.connect(items, sender="KnowledgeItem")
    recording_consent_changed.connect(_consent_changed)
