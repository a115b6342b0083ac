"""Demo data: the few municipalities the demo's registrations name, and some they do not (so that the
reach report's share is not 100%). No list ships with the code: a real installation imports CBS's."""

from __future__ import annotations

import sqlalchemy as sa

from congress.extensions import db
from congress.municipalities.models import Municipality

DEMO = [("GM0344", "Utrecht"), ("GM0855", "Tilburg"), ("GM0307", "Amersfoort"), ("GM0193", "Zwolle"),
        ("GM0599", "Rotterdam"), ("GM0363", "Amsterdam"), ("GM0518", "'s-Gravenhage"), ("GM0014", "Groningen"),
        ("GM0772", "Eindhoven"), ("GM0034", "Almere")]


def load(report: list[str]) -> None:
    known = set(db.session.scalars(sa.select(Municipality.code)))
    added = [Municipality(code=code, name=name) for code, name in DEMO if code not in known]
    db.session.add_all(added)
    db.session.flush()
    if added:
        report.append(f"{len(added)} municipalities on the list (the reach report).")
