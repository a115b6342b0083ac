"""How the audit log names registrations (answering ``audit.signals.objects_described``)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from congress.audit.queries import name_objects
from congress.i18n import pick
from congress.registration.models import Registration


def registrations(_kind: str, *, ids: list[int], locale: str, **_: Any) -> dict[int, tuple[str, str | None]]:
    def label(r: Registration) -> str:
        if r.erased_at is not None:
            return pick(f"Geanonimiseerde aanmelding {r.id}", f"Anonymised registration {r.id}", locale)
        return f"{r.name} ({r.congress.slug})"

    return name_objects(Registration, ids, label,
                        lambda r: url_for("registration_manage.detail", slug=r.congress.slug, registration_id=r.id))
