"""Badges: edition keys, signing and verifying the codes on badges, and rendering them."""

from __future__ import annotations

import base64
import contextlib
import unicodedata
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale, gettext
from sqlalchemy.orm import selectinload

from congress.audit.services import record
from congress.badges import tokens
from congress.badges.layouts import get_layout
from congress.badges.models import EditionKey, IssuedCode, PrintRun
from congress.badges.render import (
    QR_ANCHOR_PREFIX,
    TEMPLATES,
    BadgeData,
    ProgrammeLine,
    render_batch,
    stamp_qr_codes,
)
from congress.core.models import Congress
from congress.database import end_transaction, is_transient, lock_for_update, transactional, utcnow, write_transaction
from congress.extensions import db
from congress.i18n import format_date_range, format_time_in_zone
from congress.mail.services import register_attachment_renderer
from congress.programme.models import ProgrammeSession
from congress.registration.forms import ROLE_LABELS
from congress.registration.models import Enrolment, EnrolmentStatus, Registration, RegistrationStatus


def ensure_edition_key(congress: Congress) -> EditionKey:
    """The edition's key pair, made on first need (and when the edition is created)."""
    if congress.id is None:
        db.session.flush()
    key = db.session.scalar(sa.select(EditionKey).where(EditionKey.congress_id == congress.id))
    if key is not None:
        return key
    with write_transaction(keep_loaded=True):  # joins the edition's creation when called from it
        key = db.session.scalar(sa.select(EditionKey).where(EditionKey.congress_id == congress.id))
        if key is None:
            pair = tokens.generate_key_pair()
            key = EditionKey(congress_id=congress.id, public_key=pair.public_key, private_key=pair.private_key)
            db.session.add(key)
            db.session.flush()
    return key


def public_key_b64(congress: Congress) -> str:
    """The public key as stations download it (base64 of the 32 raw bytes)."""
    return base64.b64encode(ensure_edition_key(congress).public_key).decode("ascii")


def sign_code(congress: Congress, registration_id: int, nonce: bytes | None = None) -> str:
    return tokens.sign(ensure_edition_key(congress).private_key, congress.id, registration_id, nonce)


def verify_code(code: str, congress: Congress | int | None = None) -> tokens.BadgeCode:
    """Verify against the key of the edition the code names; with ``congress`` (or its id), refuse
    other editions.

    Raises ``tokens.InvalidCode`` for malformed, forged or unknown-edition codes and
    ``WrongCongress`` for a valid code of another edition.
    """
    claimed = tokens.peek(code)
    cache = current_app.extensions.setdefault("badge_public_keys", {})
    public_key = cache.get(claimed.congress_id)
    try:
        verified = tokens.verify(code, public_key) if public_key is not None else None
    except tokens.InvalidCode:
        verified = None  # forged, or the cached key is stale: ask the database
    if verified is None:
        public_key = db.session.scalar(
            sa.select(EditionKey.public_key).where(EditionKey.congress_id == claimed.congress_id))
        if public_key is None:
            raise tokens.InvalidCode("unknown edition")
        verified = tokens.verify(code, public_key)
        # Public keys are public and never change for an edition: a scan need not read them again.
        cache[claimed.congress_id] = public_key
    expected = congress.id if isinstance(congress, Congress) else congress
    if expected is not None and verified.congress_id != expected:
        raise WrongCongress(verified)
    return verified


class WrongCongress(ValueError):
    def __init__(self, code: tokens.BadgeCode) -> None:
        super().__init__("the code belongs to another edition")
        self.code = code


# --- codes issued to registrations --------------------------------------------------------------

def issue_code(registration: Registration) -> str:
    """The registration's valid code, issued on first need."""
    return issue_codes([registration])[registration.id]


def _valid_codes(ids: list[int]) -> dict[int, str]:
    return dict(db.session.execute(
        sa.select(IssuedCode.registration_id, IssuedCode.code)
        .where(IssuedCode.registration_id.in_(ids), IssuedCode.revoked_at.is_(None))
    ).all())


def issue_codes(registrations: list[Registration]) -> dict[int, str]:
    """Every registration's valid code by registration id; the missing ones are issued in one write
    transaction (none when every code exists: printing again writes nothing)."""
    ids = [r.id for r in registrations]
    codes: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        codes.update(_valid_codes(ids[start:start + 500]))
    missing = [r for r in registrations if r.id not in codes]
    if not missing:
        return codes
    with write_transaction(keep_loaded=True):
        # PostgreSQL: one issuer per registration at a time (the partial unique index backs it up).
        db.session.execute(lock_for_update(
            sa.select(Registration.id).where(Registration.id.in_([r.id for r in missing]))))
        codes.update(_valid_codes([r.id for r in missing]))
        for registration in missing:
            if registration.id not in codes:
                codes[registration.id] = _new_code(registration)
    return codes


@transactional
def reissue_code(registration: Registration) -> str:
    """Revoke the current code (a lost badge) and issue a new one."""
    db.session.execute(
        sa.update(IssuedCode)
        .where(IssuedCode.registration_id == registration.id, IssuedCode.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    code = _new_code(registration)
    record("badge.reissue", registration, congress_id=registration.congress_id)
    return code


def _new_code(registration: Registration) -> str:
    nonce = tokens.new_nonce()
    code = sign_code(registration.congress, registration.id, nonce)
    db.session.add(IssuedCode(congress_id=registration.congress_id, registration_id=registration.id,
                              nonce=nonce.hex(), code=code))
    db.session.flush()
    return code


def revocations(congress: Congress) -> list[dict[str, object]]:
    """What stations must refuse although the signature verifies: replaced codes and the codes of
    cancelled registrations, as (registration id, nonce) pairs."""
    rows = db.session.execute(
        sa.select(IssuedCode.registration_id, IssuedCode.nonce)
        .join(Registration, Registration.id == IssuedCode.registration_id)
        .where(
            IssuedCode.congress_id == congress.id,
            sa.or_(IssuedCode.revoked_at.is_not(None), Registration.status == RegistrationStatus.CANCELLED.value),
        )
        .order_by(IssuedCode.id)
    )
    return [{"registration": registration_id, "nonce": nonce} for registration_id, nonce in rows]


def is_revoked(code: tokens.BadgeCode) -> bool:
    """Replaced, unknown, or of a cancelled (or erased) registration: one query."""
    row = db.session.execute(
        sa.select(IssuedCode.revoked_at, Registration.status)
        .join(Registration, Registration.id == IssuedCode.registration_id)
        .where(IssuedCode.registration_id == code.registration_id, IssuedCode.nonce == code.nonce_hex)
    ).first()
    return row is None or row.revoked_at is not None or row.status == RegistrationStatus.CANCELLED.value


# --- what is printed -----------------------------------------------------------------------------

TITLES = {"dr.", "dr", "prof.", "prof", "mr.", "mr", "ir.", "ir", "drs.", "drs", "ing.", "ing", "mw.", "dhr."}


def surname_key(name: str) -> str:
    """Sort key by last name: "Thomas van der Berg" sorts under B, accents folded."""
    words = [w for w in name.split() if w.lower() not in TITLES]
    last = words[-1] if words else name
    folded = unicodedata.normalize("NFKD", f"{last} {name}").encode("ascii", "ignore").decode().casefold()
    return folded or name.casefold()


def badge_data(registration: Registration, locale: str = "nl", *, code: str | None = None) -> BadgeData:
    congress = registration.congress
    programme = []
    for enrolment in sorted(registration.enrolments, key=lambda e: e.session.starts_at or utcnow()):
        if enrolment.status != EnrolmentStatus.ENROLLED.value or enrolment.session.starts_at is None:
            continue
        session = enrolment.session
        programme.append(ProgrammeLine(
            time=format_time_in_zone(session.starts_at, congress.timezone),
            title=session.title,
            room=session.room.name if session.room else "",
        ))
    with force_locale(locale):
        role_label = str(ROLE_LABELS.get(registration.role, registration.role))
        edition_date = format_date_range(congress.starts_on, congress.ends_on)
    return BadgeData(
        name=registration.name,
        organisation=registration.organisation,
        role=registration.role,
        role_label=role_label,
        code=code or issue_code(registration),
        edition_title=congress.title(locale),
        edition_date=edition_date,
        sort_key=surname_key(registration.name),
        programme=tuple(programme),
    )


SELECTIONS = ("everyone", "track", "sector", "new", "one")


class EmptySelection(ValueError):
    """Nobody matches: the caller shows a message instead of an empty PDF."""


def select_registrations(
    congress: Congress,
    who: str = "everyone",
    *,
    track_id: int | None = None,
    sector_id: int | None = None,
    registration_id: int | None = None,
) -> list[Registration]:
    """Confirmed registrations to print, sorted by last name."""
    if who not in SELECTIONS:
        raise ValueError(f"unknown selection {who!r}")
    query = sa.select(Registration).where(
        Registration.congress_id == congress.id, Registration.status == RegistrationStatus.CONFIRMED.value
    )
    if who == "one":
        query = query.where(Registration.id == registration_id)
    elif who == "sector":
        query = query.where(Registration.sector_id == sector_id)
    elif who == "track":
        enrolled = (
            sa.select(Enrolment.registration_id)
            .join(ProgrammeSession, ProgrammeSession.id == Enrolment.session_id)
            .where(ProgrammeSession.track_id == track_id, Enrolment.status == EnrolmentStatus.ENROLLED.value)
        )
        query = query.where(Registration.id.in_(enrolled))
    elif who == "new":
        last = db.session.scalar(
            sa.select(sa.func.max(PrintRun.created_at)).where(PrintRun.congress_id == congress.id,
                                                              PrintRun.status == "done")
        )
        if last is not None:
            query = query.where(sa.or_(Registration.confirmed_at > last, Registration.created_at > last))
    registrations = list(db.session.scalars(query.options(selectinload(Registration.enrolments))))
    return sorted(registrations, key=lambda r: surname_key(r.name))


def render_registrations(
    registrations: list[Registration],
    layout: str,
    *,
    locale: str = "nl",
    processes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    if not registrations:
        raise EmptySelection("no registrations to print")
    get_layout(layout)
    codes = issue_codes(registrations)  # kept, whatever happens to the rendering
    badges = [badge_data(r, locale, code=codes[r.id]) for r in registrations]
    with force_locale(locale):
        labels = {"programme": gettext("My programme"), "lang": locale}
    return render_batch(badges, layout, labels=labels, processes=processes, progress=progress)


# --- print runs in the background ---------------------------------------------------------------

def badge_dir() -> Path:
    path = Path(current_app.instance_path) / "badges"
    path.mkdir(parents=True, exist_ok=True)
    return path


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
    from congress.badges.tasks import render_print_run

    render_print_run(run_id)
    return run


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
        (badge_dir() / name).write_bytes(pdf)
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


def print_run_path(run: PrintRun) -> Path | None:
    if run.status != "done" or not run.file_name:
        return None
    path = badge_dir() / run.file_name
    return path if path.exists() else None


# --- the e-ticket --------------------------------------------------------------------------------

def ticket_pdf(registration: Registration, locale: str | None = None) -> bytes:
    """The A4 e-ticket: QR code, name, workshops with times and rooms, venue, what to bring."""
    from weasyprint import HTML

    locale = locale or registration.locale or "nl"
    data = badge_data(registration, locale)
    with force_locale(locale):
        html = render_template("badges/ticket.html", registration=registration, badge=data,
                               congress=registration.congress, qr_anchor=f"{QR_ANCHOR_PREFIX}0")
    document = HTML(string=html, base_url=str(TEMPLATES)).render()
    return document.write_pdf(finisher=stamp_qr_codes([data.code]))


def _ticket_attachment(registration_id: str, locale: str) -> tuple[str, str, bytes]:
    registration = db.session.get(Registration, int(registration_id))
    if registration is None:
        raise LookupError(f"no registration {registration_id}")
    return f"e-ticket-{registration.congress.slug}.pdf", "application/pdf", ticket_pdf(registration, locale)


# The confirmation e-mail carries the e-ticket: rendered by the mail worker, not in the request.
register_attachment_renderer("ticket", _ticket_attachment)
