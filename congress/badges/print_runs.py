"""Print runs in the background: the job that renders a run and stores its PDF, and where the PDF is
kept (the storage area ``badges``: instance/badges/ unless ``BADGE_DIR`` moves it, or object storage).

Starting a run (``services.start_print_run``) queues the job; the job module imports this one, so
this module does not import the job (no cycle)."""

from __future__ import annotations

import contextlib

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from congress.badges.models import PrintRun
from congress.badges.printing import render_registrations, surname_key
from congress.database import end_transaction, is_transient, lock_for_update, utcnow, write_transaction
from congress.extensions import db
from congress.registration.models import Registration
from congress.storage import LocalStorage, S3Storage, storage

AREA = "badges"


def badge_storage() -> LocalStorage | S3Storage:
    """Where print runs are kept."""
    return storage(AREA)


def execute_print_run(run_id: int) -> None:
    """The job: claim the run, render, store the file, mark it done; each write in its own write
    transaction, the rendering outside the lock."""
    with write_transaction():
        run = db.session.scalar(lock_for_update(sa.select(PrintRun).where(PrintRun.id == run_id)))
        if run is None or run.status not in ("queued", "failed"):
            return
        run.status, run.done, run.error = "running", 0, ""
        registration_ids, layout = list(run.registration_ids), run.layout
    try:
        registrations = list(db.session.scalars(
            sa.select(Registration).where(Registration.id.in_(registration_ids))
            .options(selectinload(Registration.enrolments))
        ))
        registrations.sort(key=lambda r: surname_key(r.name))

        def report(done: int, total: int) -> None:
            with write_transaction(keep_loaded=True):
                db.session.execute(sa.update(PrintRun).where(PrintRun.id == run_id).values(done=done))

        pdf = render_registrations(registrations, layout, progress=report)
        name = f"badges-{run_id}-{layout}.pdf"
        badge_storage().put(name, pdf)
        with write_transaction():
            run = db.session.get(PrintRun, run_id)
            run.file_name, run.status, run.done, run.finished_at = name, "done", run.total, utcnow()
    except Exception as exc:  # the organiser sees the failure on the run's page
        end_transaction()
        # A transient database error is not the run's fault: queued again, the job's retry runs it.
        status = "queued" if is_transient(exc) else "failed"
        with contextlib.suppress(Exception), write_transaction():
            run = db.session.get(PrintRun, run_id)
            run.status, run.error = status, f"{type(exc).__name__}: {exc}"[:2000]
        raise


def print_run_ready(run: PrintRun) -> bool:
    """Done, and its PDF is still there."""
    return run.status == "done" and bool(run.file_name) and badge_storage().exists(run.file_name)


def print_run_pdf(run: PrintRun) -> bytes | None:
    """The run's PDF, if it is ready."""
    if run.status != "done" or not run.file_name:
        return None
    try:
        return badge_storage().read(run.file_name)
    except FileNotFoundError:
        return None
