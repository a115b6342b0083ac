"""Retention: strip the check-in logs of an edition once its retention period has passed.

Kept: one row per check-in (which registration — itself anonymised by the registration capability —,
which list or session, when), so that the attendance per session and per hour stays countable.
Emptied: who scanned and who undid a scan (staff), and the raw scan log (``ScanEvent``: every code
offered at a station with the answer shown, which names the person), which is deleted. Runs inside
the caller's transaction (``manage.retention``); running it again finds nothing left to do.
"""

from __future__ import annotations

import sqlalchemy as sa

from congress.checkin.models import CheckIn, ScanEvent
from congress.core.models import Congress
from congress.extensions import db


def anonymise_checkins(congress: Congress, *, dry_run: bool = False) -> dict[str, int]:
    """``{"checkins": n, "scan_events": s}``: what was (or would be) anonymised or deleted."""
    personal = sa.and_(CheckIn.congress_id == congress.id,
                       sa.or_(CheckIn.by_user_id.is_not(None), CheckIn.undone_by_id.is_not(None)))
    events = ScanEvent.congress_id == congress.id
    count = lambda model, where: db.session.scalar(sa.select(sa.func.count()).select_from(model).where(where)) or 0  # noqa: E731
    counts = {"checkins": count(CheckIn, personal), "scan_events": count(ScanEvent, events)}
    if not dry_run:
        db.session.execute(sa.update(CheckIn).where(personal).values(by_user_id=None, undone_by_id=None)
                           .execution_options(synchronize_session=False))
        db.session.execute(sa.delete(ScanEvent).where(events).execution_options(synchronize_session=False))
    return counts
