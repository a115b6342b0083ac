"""Where check-in listens to the capabilities below it; ``create_app`` calls ``connect()``.

* ``audit.signals.objects_described`` for stations and check-ins: their names in the audit log.
"""

from __future__ import annotations

from congress.audit.signals import objects_described
from congress.checkin.audit_names import checkins, stations


def connect() -> None:
    objects_described.connect(stations, sender="Station")
    objects_described.connect(checkins, sender="CheckIn")
