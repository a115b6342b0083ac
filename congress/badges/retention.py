"""Retention: remove the badge PDFs of an edition once its retention period has passed.

A finished print run's PDF carries every printed name and organisation; the file is deleted and the
run forgets it (the row stays: how many badges were printed, when, in which layout). The edition's
signing key and the issued codes stay (codes identify nobody once the registrations are anonymised,
and a revoked code must stay revoked). Runs inside the caller's transaction (``manage.retention``);
running it again finds nothing left to do.
"""

from __future__ import annotations

import sqlalchemy as sa

from congress.badges.models import PrintRun
from congress.badges.print_runs import badge_storage
from congress.core.models import Congress
from congress.extensions import db


def remove_print_files(congress: Congress, *, dry_run: bool = False) -> dict[str, int]:
    """``{"print_files": n}``: the print runs whose PDF was (or would be) deleted."""
    runs = db.session.scalars(sa.select(PrintRun).where(PrintRun.congress_id == congress.id,
                                                        PrintRun.file_name != "")).all()
    if not dry_run:
        store = badge_storage()
        for run in runs:
            if store.exists(run.file_name):
                store.delete(run.file_name)
            run.file_name = ""
        db.session.flush()
    return {"print_files": len(runs)}
