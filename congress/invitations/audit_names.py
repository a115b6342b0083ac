"""How the audit log names invitation lists and invitees (answering ``audit.signals.objects_described``)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from congress.audit.queries import name_objects
from congress.invitations.models import InvitationList, Invitee

Names = dict[int, tuple[str, str | None]]


def lists(_kind: str, *, ids: list[int], locale: str, **_: Any) -> Names:
    return name_objects(InvitationList, ids, lambda item: item.name,
                        lambda item: url_for("invitations.detail", slug=item.congress.slug, list_id=item.id))


def invitees(_kind: str, *, ids: list[int], locale: str, **_: Any) -> Names:
    return name_objects(Invitee, ids, lambda item: item.name,
                        lambda item: url_for("invitations.detail", slug=item.list.congress.slug,
                                             list_id=item.list_id))


DESCRIBERS = {"InvitationList": lists, "Invitee": invitees}
