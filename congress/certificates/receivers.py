"""Where the certificates listen to the capabilities below them; ``create_app`` calls ``connect()``.

* ``registration.signals.registration_cancelled``: the registration's certificates are revoked (as
  erased when the cancellation is an erasure), in the cancelling transaction.
* ``registration.signals.registration_erased``: the name is taken out of the verification records
  (which stay, revoked) and the register number is deleted, in the erasing transaction.
"""

from __future__ import annotations

from typing import Any

from congress.certificates import services
from congress.certificates.models import RevokedBecause
from congress.registration.models import Registration
from congress.registration.signals import registration_cancelled, registration_erased


def on_cancelled(registration: Registration, *, reason: str = "", **_: Any) -> int:
    because = RevokedBecause.ERASED if reason == "erased" else RevokedBecause.CANCELLED
    return services.revoke_for_registration(registration, because)


def on_erased(registration: Registration, **_: Any) -> None:
    services.erase_for_registration(registration)


def connect() -> None:
    """Connecting again (a second app in one process) changes nothing: blinker keeps one per receiver."""
    registration_cancelled.connect(on_cancelled)
    registration_erased.connect(on_erased)
