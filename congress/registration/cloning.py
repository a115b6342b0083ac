"""Cloning an edition, registration's part: the registration form's settings — its sectors, in order,
and the edition's registration settings (whether it offers a waiting list).

The window and the edition's capacity are the edition's own fields (core copies them, the window moved by
the shift); the form's custom questions are the questions component's (it copies them). Registrations,
enrolments, waiting lists and personal links are never copied.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from congress.core.cloning import copy_columns
from congress.core.models import Congress
from congress.extensions import db
from congress.registration.models import EditionSettings, Sector


def copy_registration_settings(source: Congress, target: Congress) -> dict[str, int]:
    sectors = db.session.scalars(sa.select(Sector).where(Sector.congress_id == source.id)
                                 .order_by(Sector.position, Sector.id)).all()
    for original in sectors:
        db.session.add(Sector(congress_id=target.id, **copy_columns(original)))
    settings = db.session.get(EditionSettings, source.id)
    if settings is not None:
        db.session.add(EditionSettings(congress_id=target.id, **copy_columns(settings)))
    db.session.flush()
    return {"sectors": len(sectors)}


def on_congress_cloned(source: Congress, *, target: Congress, **_: Any) -> dict[str, int]:
    return copy_registration_settings(source, target)
