"""Where badges listens to the capabilities below it; ``create_app`` calls ``connect()``, never an import.

* ``core.signals.congress_created``: every new edition gets its signing key pair, in the
  transaction that creates it.
* ``mail.signals.attachment_wanted`` for the kind ``"ticket"``: the mail worker asks for the
  e-ticket of a registration (``argument`` is its id) when it sends the confirmation.
"""

from __future__ import annotations

from typing import Any

from congress.audit.signals import objects_described
from congress.badges.audit_names import print_runs
from congress.badges.codes import ensure_edition_key
from congress.badges.ticket import ticket_attachment
from congress.core.models import Congress
from congress.core.signals import congress_created
from congress.mail.signals import attachment_wanted

TICKET = "ticket"


def make_key_pair(congress: Congress, **_data: Any) -> None:
    ensure_edition_key(congress)


def ticket(_kind: str, *, argument: str, locale: str) -> tuple[str, str, bytes]:
    return ticket_attachment(argument, locale)


def connect() -> None:
    """Connecting again (a second app in one process) changes nothing: blinker keeps one per receiver."""
    congress_created.connect(make_key_pair)
    attachment_wanted.connect(ticket, sender=TICKET)
    objects_described.connect(print_runs, sender="PrintRun")  # names in the audit log
