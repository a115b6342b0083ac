"""Demo data for the programme: publish version 1 of every public edition's programme (idempotent)."""

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
        try:
            version = services.publish(congress, None, "Eerste versie van het programma.")
        except services.PublishRefused as refused:
            report.append(f"Programme of {congress.slug} not published: {len(refused.conflicts)} hard conflicts.")
            continue
        report.append(f"Programme of {congress.slug} published as version {version.number}.")
