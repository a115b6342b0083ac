"""Where the certificates listen to the capabilities below them; ``create_app`` calls ``connect()``.

* ``registration.signals.registration_cancelled``: the registration's certificates are revoked (as
  erased when the cancellation is an erasure), in the cancelling transaction.
* ``registration.signals.registration_erased``: the name is taken out of the verification records
  (which stay, revoked) and the register number is deleted, in the erasing transaction.
* ``communications.signals.recipient_values_wanted``: a mailing's ``{{ certificate_url }}``, the
  certificate page behind the personal link, for those who get a certificate (attended time).
"""

from __future__ import annotations

from typing import Any

from congress.certificates import services
from congress.certificates.models import RevokedBecause
from congress.certificates.rules import with_certificate
from congress.communications.signals import recipient_values_wanted
from congress.core.models import Congress
from congress.registration.models import Registration
from congress.registration.services import manage_secret
from congress.registration.signals import registration_cancelled, registration_erased
from congress.urls import external_url


def on_cancelled(registration: Registration, *, reason: str = "", **_: Any) -> int:
    because = RevokedBecause.ERASED if reason == "erased" else RevokedBecause.CANCELLED
    return services.revoke_for_registration(registration, because)


def on_erased(registration: Registration, **_: Any) -> None:
    services.erase_for_registration(registration)


def certificate_links(congress: Congress, *, registration_ids: list[int], **_: Any) -> dict[int, dict[str, str]]:
    return {r.id: {"certificate_url": external_url("certificates.page", secret=manage_secret(r))}
            for r in with_certificate(congress, registration_ids)}


def connect() -> None:
    """Connecting again (a second app in one process) changes nothing: blinker keeps one per receiver."""
    registration_cancelled.connect(on_cancelled)
    registration_erased.connect(on_erased)
    recipient_values_wanted.connect(certificate_links)
