"""Spreadsheets meant for people: one way to write CSV and XLSX for every capability, and to read an
uploaded one back (:func:`read_rows`).

CSV: UTF-8 with a byte-order mark and ``;`` between cells, which is what Excel with Dutch (and most
European) settings opens as columns with the accents intact; a cell that a spreadsheet would run
as a formula gets a leading apostrophe (the CSV way to neutralise it). Served as ``text/csv`` (Flask
adds ``charset=utf-8`` itself: passing it in the mimetype sent it twice).

XLSX: typed cells: numbers stay numbers, dates and times are date cells with a number format, and
text is always a text cell, so ``=HYPERLINK(…)`` is shown as the text it is, without an apostrophe
and never evaluated. Characters XML cannot hold (NUL and the other C0 controls but tab, newline and
carriage return) are removed from every cell, in both formats, so that one bad name cannot make a
whole export fail.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

CSV_MIMETYPE = "text/csv"  # Flask adds "; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udfff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean_text(text: str) -> str:
    """Without the characters an XML document (and so XLSX) cannot contain, nor lone surrogates."""
    return _ILLEGAL.sub("", text)


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = clean_text(str(value))
    return "'" + text if text[:1] in _FORMULA_START and not isinstance(value, int | float) else text


def to_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM, ``;``-separated, formulas neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([csv_cell(v) for v in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(title: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet with a bold, frozen header row and typed cells."""
    return to_xlsx_sheets([(title, header, rows)])


def sheet_title(title: str, taken: Iterable[str] = ()) -> str:
    """A title Excel accepts (at most 31 characters, none of ``[]:*?/\\``), unique among ``taken``."""
    base = clean_text(title).translate(str.maketrans("", "", "[]:*?/\\"))[:31] or "Sheet"
    used = {t.casefold() for t in taken}
    name, n = base, 2
    while name.casefold() in used:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    return name


def to_xlsx_sheets(sheets: Iterable[tuple[str, Sequence[Any], Iterable[Sequence[Any]]]]) -> bytes:
    """A workbook of several sheets, ``(title, header, rows)`` each, in order: each with a bold, frozen
    header row and typed cells."""
    from openpyxl import Workbook  # noqa: PLC0415 - heavy (0.5-0.8 s to import here), loaded only when a file is made or checked
    from openpyxl.cell.cell import TYPE_STRING  # noqa: PLC0415 - heavy (0.5-0.8 s to import here), loaded only when a file is made or checked
    from openpyxl.styles import Font  # noqa: PLC0415 - heavy (0.5-0.8 s to import here), loaded only when a file is made or checked
    from openpyxl.utils import get_column_letter  # noqa: PLC0415 - heavy (0.5-0.8 s to import here), loaded only when a file is made or checked

    workbook = Workbook()
    titles: list[str] = []
    for index, (title, header, rows) in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = sheet_title(title, titles)
        titles.append(sheet.title)
        widths: dict[int, int] = {}
        for r, values in enumerate([header, *rows], start=1):
            for c, value in enumerate(values, start=1):
                cell = sheet.cell(row=r, column=c)
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    cell.value = str(value)
                elif isinstance(value, int | float):
                    cell.value = value
                elif isinstance(value, datetime):
                    cell.value = value.replace(tzinfo=None)  # already in the edition's zone: Excel has none
                    cell.number_format = DATETIME_FORMAT
                elif isinstance(value, date):
                    cell.value = value
                    cell.number_format = DATE_FORMAT
                else:
                    cell.value = clean_text(str(value))
                    cell.data_type = TYPE_STRING  # a text cell, never a formula (no apostrophe shown)
                if r == 1:
                    cell.font = Font(bold=True)
                shown = len(cell.number_format) if isinstance(value, date) else len(str(cell.value))
                widths[c] = max(widths.get(c, 0), shown)
        sheet.freeze_panes = "A2"
        for c, width in widths.items():
            sheet.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 8), 50)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


class UnreadableSpreadsheet(ValueError):
    """The upload is neither a CSV in UTF-8 (or Windows-1252) nor an XLSX workbook."""


MAX_ROWS = 20_000


def read_rows(filename: str, data: bytes) -> list[list[str]]:
    """The rows of an uploaded CSV or XLSX (the first sheet) as text cells, header row included.

    CSV: UTF-8 (with or without a byte-order mark), else Windows-1252; ``;``, ``,`` or tab between
    cells, whichever the first line uses most. Cells are stripped; the leading apostrophe this module
    writes before a formula-like cell is removed again. Empty rows are left out.
    Raises :class:`UnreadableSpreadsheet`.
    """
    name = (filename or "").lower()
    rows = _xlsx_rows(data) if name.endswith(".xlsx") or data[:2] == b"PK" else _csv_rows(data)
    cleaned = []
    for row in rows:
        cells = [_cell_text(value) for value in row]
        if any(cells):
            cleaned.append(cells)
        if len(cleaned) > MAX_ROWS:
            raise UnreadableSpreadsheet(f"more than {MAX_ROWS} rows")
    return cleaned


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(str(value)).strip()
    if text.startswith("'") and text[1:2] in _FORMULA_START:
        text = text[1:]
    return text


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise UnreadableSpreadsheet("not a CSV file in UTF-8") from None
    if "\x00" in text:
        raise UnreadableSpreadsheet("not a text file")
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook  # noqa: PLC0415 - heavy (0.5-0.8 s to import here), loaded only when a file is read

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise UnreadableSpreadsheet("not an XLSX workbook") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                raise UnreadableSpreadsheet(f"more than {MAX_ROWS} rows")
        return rows
    finally:
        workbook.close()
