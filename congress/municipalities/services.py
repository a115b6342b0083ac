"""Commands on the municipality list: import from CSV/XLSX (all rows or none), add one, remove one.

The import is idempotent: a code already on the list keeps its row (its name is updated when the
file spells it differently); a file with a refused row imports nothing and reports every refused row
by its line. Columns, found by their header (Dutch or English, any order, case ignored): code
(``GM0363``; also ``363`` or ``0363``, made into ``GM0363``) and name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from congress.audit.services import record
from congress.database import write_transaction
from congress.errors import Conflict, InvalidInput
from congress.extensions import db
from congress.municipalities.models import Municipality
from congress.municipalities.queries import in_use
from congress.spreadsheets import UnreadableSpreadsheet, read_rows

__all__ = ["ImportReport", "MunicipalityError", "MunicipalityInUse", "RefusedRow", "add_municipality",
           "import_file", "normalise_code", "remove_municipality"]

NAME_MAX = 120
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
CODE = re.compile(r"(?:GM)?(\d{1,4})")
HEADERS = {
    "code": ("code", "cbs-code", "cbs code", "gemeentecode", "municipality code", "gm-code", "gm code"),
    "name": ("name", "naam", "gemeente", "gemeentenaam", "municipality", "municipality name"),
}


class MunicipalityError(InvalidInput):
    """A municipality that cannot be stored as given (422), with the field it concerns."""


class MunicipalityInUse(Conflict):
    """Registrations name this municipality: it stays on the list (409)."""


class ImportRefused(MunicipalityError):
    """The file cannot be imported as it is (422); ``report`` says why, row by row."""

    def __init__(self, message: str, report: ImportReport | None = None) -> None:
        super().__init__(message, field="file")
        self.report = report


@dataclass(frozen=True)
class RefusedRow:
    line: int  # the row's number in the file (the header is row 1)
    values: str
    reasons: list[str]


@dataclass
class ImportReport:
    rows: int = 0
    refused: list[RefusedRow] = field(default_factory=list)
    added: int = 0
    renamed: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.refused

    def lines(self) -> list[str]:
        """The report as text (the command line prints it; the page shows the same)."""
        out = [_("%(rows)d rows read: %(added)d added, %(renamed)d renamed, %(unchanged)d unchanged, "
                 "%(refused)d refused.", rows=self.rows, added=self.added, renamed=self.renamed,
                 unchanged=self.unchanged, refused=len(self.refused))]
        out += [_("Row %(line)d (%(values)s): %(reasons)s", line=r.line, values=r.values,
                  reasons="; ".join(r.reasons)) for r in self.refused]
        return out


def normalise_code(text: str) -> str | None:
    """``GM0363``, ``gm363``, ``0363`` and ``363`` → ``GM0363``; anything else → None."""
    match = CODE.fullmatch("".join((text or "").split()).upper())
    return f"GM{int(match.group(1)):04d}" if match else None


def _name(text: str) -> str:
    return " ".join((text or "").split())


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        key = " ".join(title.lower().replace("_", " ").split())
        for column, names in HEADERS.items():
            if key in names and column not in found:
                found[column] = index
    if len(found) < len(HEADERS):
        raise ImportRefused(_("The first row must name the columns: a column for the CBS code (code) and one "
                              "for the name (naam)."))
    return found


def _check(filename: str, data: bytes) -> tuple[ImportReport, dict[str, tuple[int, str]]]:
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportRefused(_("The file is larger than 2 MB."))
    try:
        rows = read_rows(filename, data)
    except UnreadableSpreadsheet:
        raise ImportRefused(_("This file cannot be read: upload a CSV file (UTF-8) or an Excel workbook (.xlsx).")) \
            from None
    if not rows:
        raise ImportRefused(_("The file is empty."))
    columns = _columns(rows[0])
    report = ImportReport(rows=len(rows) - 1)
    wanted: dict[str, tuple[int, str]] = {}
    names: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        def cell(column: str, row: list[str] = row) -> str:
            index = columns[column]
            return row[index] if index < len(row) else ""

        raw_code, name = cell("code").strip(), _name(cell("name"))
        code = normalise_code(raw_code)
        reasons: list[str] = []
        if not raw_code:
            reasons.append(_("the code is missing"))
        elif code is None:
            reasons.append(_("“%(code)s” is not a CBS municipality code (GM and four digits)", code=raw_code[:20]))
        elif code in wanted:
            reasons.append(_("the code %(code)s is in the file twice (row %(line)d)", code=code,
                             line=wanted[code][0]))
        if not name:
            reasons.append(_("the name is missing"))
        elif len(name) > NAME_MAX:
            reasons.append(_("the name is longer than %(max)d characters", max=NAME_MAX))
        elif name.casefold() in names:
            reasons.append(_("the name is in the file twice (row %(line)d)", line=names[name.casefold()]))
        if reasons:
            report.refused.append(RefusedRow(line, ", ".join(v for v in (raw_code, name) if v)[:120], reasons))
        else:
            wanted[code] = (line, name)  # type: ignore[index]
            names[name.casefold()] = line
    return report, wanted


def import_file(filename: str, data: bytes, *, by: object = None) -> ImportReport:
    """Check every row, then store them all in one transaction, or nothing (:class:`ImportRefused`
    with the report when a row is refused)."""
    with write_transaction():
        report, wanted = _check(filename, data)
        if report.refused:
            raise ImportRefused(_("%(count)d rows were refused; nothing has been imported.",
                                  count=len(report.refused)), report)
        if not wanted:
            raise ImportRefused(_("The file has no row that can be imported."), report)
        existing = {m.code: m for m in db.session.scalars(sa.select(Municipality))}
        for code, (_line, name) in wanted.items():
            row = existing.get(code)
            if row is None:
                db.session.add(Municipality(code=code, name=name))
                report.added += 1
            elif row.name != name:
                row.name = name
                report.renamed += 1
            else:
                report.unchanged += 1
        db.session.flush()
        record("municipalities.imported", None, actor=by, added=report.added, renamed=report.renamed,
               unchanged=report.unchanged)
    return report


def add_municipality(code: str, name: str) -> Municipality:
    """One municipality added to the list (its code must be new)."""
    with write_transaction():
        normal = normalise_code(code)
        if normal is None:
            raise MunicipalityError(_l("Give a CBS municipality code: GM and four digits, e.g. GM0363."), field="code")
        name = _name(name)
        if not name:
            raise MunicipalityError(_l("Give the municipality's name."), field="name")
        if len(name) > NAME_MAX:
            raise MunicipalityError(_l("Use at most %(n)d characters.", n=NAME_MAX), field="name")
        if db.session.scalar(sa.select(Municipality.id).where(Municipality.code == normal)) is not None:
            raise MunicipalityError(_l("The code %(code)s is on the list already.", code=normal), field="code")
        municipality = Municipality(code=normal, name=name)
        db.session.add(municipality)
        db.session.flush()
        record("municipalities.added", None, code=normal, name=name)
    return municipality


def remove_municipality(municipality_id: int) -> None:
    """Removed from the list, unless registrations name it (:class:`MunicipalityInUse`)."""
    with write_transaction():
        municipality = db.session.get(Municipality, municipality_id)
        if municipality is None:
            return
        uses = in_use(municipality.id)
        if uses:
            raise MunicipalityInUse(_l("%(name)s is named by %(n)d registrations: it stays on the list.",
                                       name=municipality.name, n=uses))
        record("municipalities.removed", None, code=municipality.code, name=municipality.name)
        db.session.delete(municipality)
