"""Badges: the capability's face. Edition keys and badge codes (``codes``), what is printed
(``printing``), print runs (``print_runs``), the e-ticket (``ticket``); the reads other
capabilities use are in ``queries``. Callers import from here, whatever module the code lives in."""

from __future__ import annotations

from congress.audit.services import record
from congress.badges.codes import (
    WrongCongress,
    ensure_edition_key,
    issue_code,
    issue_codes,
    public_key_b64,
    reissue_code,
    sign_code,
    sign_with_edition_key,
    verify_code,
    verify_with_edition_key,
)
from congress.badges.layouts import get_layout
from congress.badges.models import PrintRun
from congress.badges.print_runs import badge_storage, execute_print_run, print_run_pdf, print_run_ready
from congress.badges.printing import (
    SELECTIONS,
    TITLES,
    EmptySelection,
    badge_data,
    render_registrations,
    select_registrations,
    surname_key,
)
from congress.badges.qr import pdf_operators as qr_pdf_operators
from congress.badges.qr import svg as qr_svg
from congress.badges.queries import is_revoked, revocations
from congress.badges.render import font_config as pdf_font_config
from congress.badges.render import stamp_qr_codes
from congress.badges.render import stylesheet_file as pdf_stylesheet
from congress.badges.retention import remove_print_files as remove_print_files  # manage.retention
from congress.badges.tasks import render_print_run
from congress.badges.ticket import ticket_attachment, ticket_pdf
from congress.badges.tokens import MAX_CODE_LENGTH, BadgeCode, InvalidCode
from congress.core.models import Congress
from congress.database import write_transaction
from congress.extensions import db

__all__ = [
    "MAX_CODE_LENGTH", "SELECTIONS", "TITLES", "BadgeCode", "EmptySelection", "InvalidCode", "WrongCongress",
    "badge_data", "badge_storage", "ensure_edition_key", "execute_print_run", "is_revoked", "issue_code",
    "issue_codes", "print_run_pdf", "print_run_ready", "public_key_b64", "qr_svg", "reissue_code",
    "render_registrations", "revocations", "select_registrations", "sign_code", "start_print_run",
    "surname_key", "ticket_attachment", "ticket_pdf", "verify_code",
    # for other signed documents of an edition (certificates): its key, and the QR code as PDF operators
    "qr_pdf_operators", "sign_with_edition_key", "stamp_qr_codes", "verify_with_edition_key",
    # for other weasyprint documents: the thread's one font configuration, stylesheet files parsed once
    "pdf_font_config", "pdf_stylesheet",
]


# --- print runs in the background ---------------------------------------------------------------

def start_print_run(congress: Congress, layout: str, who: str, *, track_id: int | None = None,
                    sector_id: int | None = None, registration_id: int | None = None,
                    user_id: int | None = None) -> PrintRun:
    get_layout(layout)
    registrations = select_registrations(congress, who, track_id=track_id, sector_id=sector_id,
                                         registration_id=registration_id)
    if not registrations:
        raise EmptySelection("no registrations to print")
    registration_ids = [r.id for r in registrations]
    with write_transaction():
        run = PrintRun(
            congress_id=congress.id, layout=layout, total=len(registration_ids), created_by_id=user_id,
            selection={"who": who, "track": track_id, "sector": sector_id, "registration": registration_id},
            registration_ids=registration_ids,
        )
        db.session.add(run)
        db.session.flush()
        record("badge.print_run", run, congress_id=congress.id, layout=layout, count=len(registration_ids))
        run_id = run.id
    # Touch nothing before the job runs: on SQLite a read here would hold a snapshot from before
    # the job's writes (in tests the job runs at once, in this process).
    render_print_run(run_id)
    return run
