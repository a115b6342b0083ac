"""How the audit log names proposals, reviewer assignments and call settings (answering
``audit.signals.objects_described``)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from congress.audit.queries import name_objects
from congress.cfp.models import CfpSettings, Proposal, ReviewAssignment
from congress.core.models import Congress
from congress.extensions import db
from congress.i18n import pick

Names = dict[int, tuple[str, str | None]]


def proposals(_kind: str, *, ids: list[int], locale: str, **_: Any) -> Names:
    return name_objects(Proposal, ids, lambda p: p.title,
                        lambda p: url_for("cfp.manage.proposal_detail", slug=p.congress.slug, proposal_id=p.id))


def assignments(_kind: str, *, ids: list[int], locale: str, **_: Any) -> Names:
    def slug(a: ReviewAssignment) -> str:
        return db.session.get(Congress, a.congress_id).slug

    return name_objects(ReviewAssignment, ids,
                        lambda a: pick(f"{a.reviewer.name or a.reviewer.email} beoordeelt ({slug(a)})",
                                       f"{a.reviewer.name or a.reviewer.email} reviews ({slug(a)})", locale),
                        lambda a: url_for("cfp.manage.assignments", slug=slug(a)))


def settings(_kind: str, *, ids: list[int], locale: str, **_: Any) -> Names:
    return name_objects(CfpSettings, ids,
                        lambda s: pick(f"Oproep {s.congress.slug}", f"Call {s.congress.slug}", locale),
                        lambda s: url_for("cfp.manage.settings", slug=s.congress.slug))


DESCRIBERS = {"Proposal": proposals, "ReviewAssignment": assignments, "CfpSettings": settings}
