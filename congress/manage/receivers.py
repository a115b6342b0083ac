"""Where the back office listens to the capabilities below it; ``create_app`` calls ``connect()``.

* ``audit.signals.objects_described`` for outbox messages (mail and audit are siblings: the back
  office, which sees both, names the messages in the audit log).
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from congress.audit.queries import name_objects
from congress.audit.signals import objects_described
from congress.mail.models import OutboxMessage


def outbox_messages(_kind: str, *, ids: list[int], locale: str, **_: Any) -> dict[int, tuple[str, str | None]]:
    return name_objects(OutboxMessage, ids, lambda m: f"{m.subject or m.template} → {m.to_address}",
                        lambda m: url_for("manage.outbox_message", message_id=m.id))


def connect() -> None:
    objects_described.connect(outbox_messages, sender="OutboxMessage")
