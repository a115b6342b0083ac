"""How the audit log names stations and check-ins (answering ``audit.signals.objects_described``)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from congress.audit.queries import name_objects
from congress.checkin.models import CheckIn, Station
from congress.i18n import pick

Names = dict[int, tuple[str, str | None]]


def stations(_kind: str, *, ids: list[int], locale: str, **_: Any) -> Names:
    return name_objects(Station, ids, lambda s: f"{s.name} ({s.congress.slug})",
                        lambda s: url_for("checkin.stations", slug=s.congress.slug))


def checkins(_kind: str, *, ids: list[int], locale: str, **_: Any) -> Names:
    def label(c: CheckIn) -> str:
        who = c.registration.name if c.registration.erased_at is None else pick("geanonimiseerd", "anonymised", locale)
        return pick(f"Check-in van {who}", f"Check-in of {who}", locale)

    return name_objects(CheckIn, ids, label)
