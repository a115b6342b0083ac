"""Demo data for the programme: publish version 1 of every public edition's programme (idempotent).

The demo programmes have no hard conflicts; should an edited demo have some, it is published all
the same (the schedule editor shows them) so that the public pages have a programme to show.
"""

from __future__ import annotations

import sqlalchemy as sa

from congress.core.models import Congress, CongressStatus
from congress.extensions import db
from congress.programme import services


def load(report: list[str]) -> None:
    editions = db.session.scalars(
        sa.select(Congress).where(Congress.status != CongressStatus.DRAFT.value).order_by(Congress.starts_on)
    ).all()
    for congress in editions:
        if services.latest_version(congress) is not None or not congress.sessions:
            continue
        hard = [c for c in services.find_conflicts(congress) if c.is_hard]
        version = services.publish(congress, None, "Eerste versie van het programma.", allow_conflicts=True)
        report.append(f"Programme of {congress.slug} published as version {version.number}"
                      + (f" ({len(hard)} conflicts to solve in the schedule editor)." if hard else "."))
