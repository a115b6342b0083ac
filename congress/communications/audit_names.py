"""How the audit log names mailings (answering ``audit.signals.objects_described``)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from congress.audit.queries import name_objects
from congress.communications.mailings import Mailing

Names = dict[int, tuple[str, str | None]]


def mailings(_kind: str, *, ids: list[int], locale: str, **_: Any) -> Names:
    return name_objects(Mailing, ids, lambda m: m.subject(locale),
                        lambda m: url_for("communications.mailings.detail", slug=m.congress.slug, mailing_id=m.id))


DESCRIBERS = {"Mailing": mailings}
