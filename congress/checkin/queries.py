"""Reads of the check-in capability that other capabilities may use."""

from __future__ import annotations

import sqlalchemy as sa

from congress.checkin.models import VENUE, CheckIn


def venue_checked_in_ids() -> sa.Select:
    """A query of the registration ids checked in at the venue."""
    return sa.select(CheckIn.registration_id).where(CheckIn.list_key == VENUE, CheckIn.undone_at.is_(None))
