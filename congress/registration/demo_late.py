"""Demo data, late (after every capability's registrations, also the cockpit's in
``congress/manage/demo_after.py``): the demo registrations of a municipality ("Gemeente Utrecht")
name it, as the registration form's municipality field would have, when it is on the list.
Idempotent: only registrations that name none yet."""

from __future__ import annotations

import sqlalchemy as sa

from congress.extensions import db
from congress.municipalities import queries as municipalities
from congress.registration.models import Registration

PREFIX = "Gemeente "


def load(report: list[str]) -> None:
    by_name = {m.name.casefold(): m.id for m in municipalities.all_municipalities()}
    if not by_name:
        return
    named = 0
    for registration in db.session.scalars(sa.select(Registration).where(
            Registration.municipality_id.is_(None), Registration.organisation.like(f"{PREFIX}%"))):
        municipality_id = by_name.get(registration.organisation[len(PREFIX):].strip().casefold())
        if municipality_id is not None:
            registration.municipality_id = municipality_id
            named += 1
    db.session.flush()
    if named:
        report.append(f"{named} demo registrations name their municipality.")
