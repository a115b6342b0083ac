"""Where core listens to the capabilities below it; ``create_app`` calls ``connect()``.

* ``audit.signals.objects_described`` for editions: their titles in the audit log.
* ``mail.signals.reply_to_wanted``: an edition's contact address, the Reply-To of its mail.
"""

from __future__ import annotations

from congress.audit.signals import objects_described
from congress.core.audit_names import editions
from congress.core.queries import contact_address
from congress.mail.signals import reply_to_wanted


def connect() -> None:
    objects_described.connect(editions, sender="Congress")
    reply_to_wanted.connect(contact_address)
