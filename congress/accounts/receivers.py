"""Where accounts listens to the capabilities below it; ``create_app`` calls ``connect()``.

* ``audit.signals.objects_described`` for accounts and API tokens: their names in the audit log.
"""

from __future__ import annotations

from congress.accounts.audit_names import api_tokens, users
from congress.audit.signals import objects_described


def connect() -> None:
    objects_described.connect(users, sender="User")
    objects_described.connect(api_tokens, sender="ApiToken")
