"""Where the legal capability listens; ``create_app`` calls ``connect()``, never an import.

* ``core.signals.congress_cloned``: the clone gets the source's privacy statement and retention period.
"""

from __future__ import annotations

from typing import Any

from congress.core.models import Congress
from congress.core.signals import congress_cloned
from congress.legal.services import copy_settings


def copy_legal_settings(source: Congress, *, target: Congress, **_data: Any) -> None:
    copy_settings(source, target)


def connect() -> None:
    congress_cloned.connect(copy_legal_settings)
