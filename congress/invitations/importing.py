"""Importing contacts from CSV or XLSX into invitation lists, with a row-by-row report.

Nothing is half-imported: the rows are checked first and stored in one transaction. A file with
refused rows imports nothing until the organiser confirms that the valid rows should go in without
them (``valid_only=True``; pretix's and Indico's imports likewise show the problems first and never
leave a partial import behind): the page asks, the command line needs ``--valid-only``.

Columns, found by their header (Dutch or English, any order, case ignored): name, e-mail,
organisation, sector, list. A row without a list goes to the list chosen on the page (``--list``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from congress.audit.services import record
from congress.core.models import Congress
from congress.database import utcnow, write_transaction
from congress.errors import InvalidInput
from congress.extensions import db
from congress.invitations.links import new_link
from congress.invitations.models import InvitationList, Invitee
from congress.registration.services import RegistrationError, normalise_email
from congress.spreadsheets import UnreadableSpreadsheet, read_rows

NAME_MAX, ORGANISATION_MAX, SECTOR_MAX, LIST_MAX = 200, 200, 120, 120
MAX_UPLOAD_BYTES = 5 * 1024 * 1024

HEADERS = {
    "name": ("name", "naam", "full name", "volledige naam"),
    "email": ("e-mail", "email", "e-mailadres", "emailadres", "e-mail address", "email address"),
    "organisation": ("organisation", "organization", "organisatie"),
    "sector": ("sector",),
    "list": ("list", "lijst", "invitation list", "uitnodigingslijst"),
}


class ImportError_(InvalidInput):
    """The file cannot be imported as it is (422); ``report`` says why, row by row."""

    def __init__(self, message: str, report: ImportReport | None = None) -> None:
        super().__init__(message, field="file")
        self.report = report


@dataclass(frozen=True)
class Contact:
    line: int
    name: str
    email: str
    email_key: str
    organisation: str
    sector: str
    list_name: str


@dataclass(frozen=True)
class RefusedRow:
    line: int  # the row's number in the file (the header is row 1)
    values: str  # what the row said, shortened, to recognise it
    reasons: list[str]


@dataclass
class ImportReport:
    rows: int = 0
    valid: list[Contact] = field(default_factory=list)
    refused: list[RefusedRow] = field(default_factory=list)
    imported: int = 0
    invitee_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused

    def lines(self) -> list[str]:
        """The report as text, for the command line."""
        out = [_("%(rows)d rows read: %(valid)d valid, %(refused)d refused.", rows=self.rows,
                 valid=len(self.valid), refused=len(self.refused))]
        out += [_("Row %(line)d (%(values)s): %(reasons)s", line=r.line, values=r.values,
                  reasons="; ".join(r.reasons)) for r in self.refused]
        return out


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        key = " ".join(title.lower().replace("_", " ").split())
        for column, names in HEADERS.items():
            if key in names and column not in found:
                found[column] = index
    missing = [c for c in ("name", "email") if c not in found]
    if missing:
        raise ImportError_(_("The first row must name the columns; a column for the name and one for the e-mail "
                             "address are required (name, e-mail, organisation, sector, list)."))
    return found


def check_file(congress: Congress, filename: str, data: bytes, default_list: str) -> ImportReport:
    """Read and check every row (nothing is written). Raises :class:`ImportError_` for a file that is
    not a spreadsheet or has no usable header."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportError_(_("The file is larger than 5 MB."))
    try:
        rows = read_rows(filename, data)
    except UnreadableSpreadsheet:
        raise ImportError_(_("This file cannot be read: upload a CSV file (UTF-8) or an Excel workbook (.xlsx).")) \
            from None
    if not rows:
        raise ImportError_(_("The file is empty."))
    columns = _columns(rows[0])
    default_list = " ".join((default_list or "").split())
    existing = _existing_keys(congress.id)
    seen: set[tuple[str, str]] = set()
    report = ImportReport(rows=len(rows) - 1)
    for line, row in enumerate(rows[1:], start=2):
        def cell(column: str, row: list[str] = row) -> str:
            index = columns.get(column)
            return " ".join(row[index].split()) if index is not None and index < len(row) else ""

        name, email, organisation, sector = cell("name"), cell("email"), cell("organisation"), cell("sector")
        list_name = cell("list") or default_list
        reasons: list[str] = []
        if not name:
            reasons.append(_("the name is missing"))
        elif len(name) > NAME_MAX:
            reasons.append(_("the name is longer than %(max)d characters", max=NAME_MAX))
        email_key = ""
        if not email:
            reasons.append(_("the e-mail address is missing"))
        else:
            try:
                email_key = normalise_email(email)
            except RegistrationError:
                reasons.append(_("“%(email)s” is not a valid e-mail address", email=email[:80]))
        if len(organisation) > ORGANISATION_MAX:
            reasons.append(_("the organisation is longer than %(max)d characters", max=ORGANISATION_MAX))
        if len(sector) > SECTOR_MAX:
            reasons.append(_("the sector is longer than %(max)d characters", max=SECTOR_MAX))
        if not list_name:
            reasons.append(_("no list: fill in the list column or choose a list"))
        elif len(list_name) > LIST_MAX:
            reasons.append(_("the list name is longer than %(max)d characters", max=LIST_MAX))
        if email_key and list_name:
            if (list_name, email_key) in seen:
                reasons.append(_("this address is in the file twice for the list “%(list)s”", list=list_name))
            elif (list_name, email_key) in existing:
                reasons.append(_("this address is already on the list “%(list)s”", list=list_name))
        if reasons:
            shown = ", ".join(v for v in (name, email) if v)[:120]
            report.refused.append(RefusedRow(line, shown, reasons))
        else:
            seen.add((list_name, email_key))
            report.valid.append(Contact(line, name, email, email_key, organisation, sector, list_name))
    return report


def _existing_keys(congress_id: int) -> set[tuple[str, str]]:
    rows = db.session.execute(sa.select(InvitationList.name, Invitee.email_key).join(
        Invitee, Invitee.list_id == InvitationList.id).where(InvitationList.congress_id == congress_id))
    return {(name, key) for name, key in rows}


def import_contacts(congress: Congress, filename: str, data: bytes, default_list: str, *,
                    valid_only: bool = False, by: object = None) -> ImportReport:
    """Check the file and store its valid rows in one transaction (lists named in it are created).

    A file with refused rows raises :class:`ImportError_` (nothing stored) unless ``valid_only``; a
    file without a single valid row always does.
    """
    congress_id = congress.id
    with write_transaction():
        # Checked again under the write lock: what was valid in the preview may be taken meanwhile.
        report = check_file(congress, filename, data, default_list)
        if report.refused and not valid_only:
            raise ImportError_(_("%(count)d rows were refused; nothing has been imported.",
                                 count=len(report.refused)), report)
        if not report.valid:
            raise ImportError_(_("The file has no row that can be imported."), report)
        lists = {row.name: row for row in db.session.scalars(
            sa.select(InvitationList).where(InvitationList.congress_id == congress_id))}
        now = utcnow()
        invitees = []
        for contact in report.valid:
            target = lists.get(contact.list_name)
            if target is None:
                target = lists[contact.list_name] = InvitationList(congress_id=congress_id, name=contact.list_name)
                db.session.add(target)
                db.session.flush()
            nonce, secret_hash = new_link()
            invitee = Invitee(list_id=target.id, congress_id=congress_id, name=contact.name, email=contact.email,
                              email_key=contact.email_key, organisation=contact.organisation, sector=contact.sector,
                              link_nonce=nonce, link_secret_hash=secret_hash, created_at=now)
            db.session.add(invitee)
            invitees.append(invitee)
        db.session.flush()
        report.imported = len(invitees)
        report.invitee_ids = [i.id for i in invitees]
        record("invitations.import", congress, rows=report.rows, imported=report.imported,
               refused=len(report.refused), actor=by)
    return report
