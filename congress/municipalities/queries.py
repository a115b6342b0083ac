"""Reads of the municipality list: the registration form's choices, the reach report's list."""

from __future__ import annotations

import sqlalchemy as sa

from congress.extensions import db
from congress.municipalities.models import Municipality
from congress.municipalities.signals import uses_wanted

__all__ = ["Municipality", "all_municipalities", "count", "exists", "in_use"]


def all_municipalities() -> list[Municipality]:
    """Every municipality of the list, by name (then code)."""
    return list(db.session.scalars(sa.select(Municipality).order_by(Municipality.name, Municipality.code)))


def count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Municipality)) or 0


def exists(municipality_id: int) -> bool:
    return db.session.get(Municipality, municipality_id) is not None


def in_use(municipality_id: int) -> int:
    """How many registrations (of any edition and status) name this municipality."""
    return sum(n for _receiver, n in uses_wanted.send(municipality_id) if n)
