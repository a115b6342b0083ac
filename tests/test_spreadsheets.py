"""Spreadsheet exports meant for people: CSV is UTF-8 with BOM and `;`; XLSX has typed cells, text
formulas shown as text, and no character that XML cannot hold."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

from openpyxl import load_workbook

from congress import spreadsheets
from congress.extensions import db
from tests.registration.factories import add_round, open_congress, registered

FORMULA = '=HYPERLINK("http://evil.example","klik")'


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), data[:20]  # BOM: Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_xlsx_cells_are_typed_text_formulas_are_text_and_control_characters_go():
    when = datetime(2026, 3, 12, 9, 30)
    data = spreadsheets.to_xlsx("Test", ["n", "name", "at", "on"],
                                [[7, FORMULA, when, date(2026, 3, 12)], [2.5, "Ann\x00ie\x1b de Vries", None, ""]])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.cell(2, 1).value == 7 and sheet.cell(2, 1).data_type == "n"
    assert sheet.cell(2, 2).value == FORMULA and sheet.cell(2, 2).data_type == "s"  # no apostrophe, no formula
    assert sheet.cell(2, 3).value == when and sheet.cell(2, 3).is_date
    assert sheet.cell(2, 3).number_format == spreadsheets.DATETIME_FORMAT
    assert sheet.cell(2, 4).is_date and sheet.cell(2, 4).number_format == spreadsheets.DATE_FORMAT
    assert sheet.cell(3, 1).value == 2.5 and sheet.cell(3, 2).value == "Annie de Vries"
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert "<f>" not in package.read("xl/worksheets/sheet1.xml").decode()


def test_csv_is_bom_semicolon_with_formulas_quoted():
    rows = _csv_rows(spreadsheets.to_csv(["naam", "bij"], [["Zoë", FORMULA], ["A\x00B", -3]]))
    assert rows == [["naam", "bij"], ["Zoë", "'" + FORMULA], ["AB", "-3"]]


def test_registrations_csv_and_xlsx(app, organiser):
    congress = open_congress()
    _, (small, _big) = add_round(congress)
    person = registered(congress, [small.id], n=1, confirmed=True, name="Ann\x1bie\x01 de Vries",
                        organisation=FORMULA).registration
    db.session.commit()
    client = app.test_client(user=organiser)
    response = client.get(f"/manage/registrations/{congress.slug}/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # once, not twice
    rows = _csv_rows(response.data)
    assert rows[1][0] == str(person.id) and rows[1][1] == "Annie de Vries" and rows[1][3] == "'" + FORMULA

    response = client.get(f"/manage/registrations/{congress.slug}/export.xlsx")
    assert response.status_code == 200  # a control character in one name no longer breaks the export
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2], strict=False)}
    assert row["Nummer"].value == person.id and row["Nummer"].data_type == "n"
    assert row["Naam"].value == "Annie de Vries"
    assert row["Organisatie"].value == FORMULA and row["Organisatie"].data_type == "s"
    assert row["Aangemeld op"].is_date and isinstance(row["Aangemeld op"].value, datetime)
    assert row["Aangemeld op"].number_format == spreadsheets.DATETIME_FORMAT

    response = client.get(f"/manage/registrations/{congress.slug}/sessions/{small.id}/attendance.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert _csv_rows(response.data)[1][1] == "Annie de Vries"


def test_a_workbook_of_several_sheets_keeps_each_sheets_rows_and_names():
    body = spreadsheets.to_xlsx_sheets([("Samenvatting", ["Cijfer", "Aantal"], [["Ingeschreven", 14]]),
                           ("Gemeenten: lijst/2025?", ["Code", "Naam"], [["GM0363", "=Amsterdam"]]),
                           ("Samenvatting", ["Leeg"], []),
                           ("Een heel lange naam voor een tabblad die Excel afkapt", ["A"], [[1.5]])])
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["Samenvatting", "Gemeenten lijst2025", "Samenvatting (2)",
                               "Een heel lange naam voor een ta"]
    assert list(book["Samenvatting"].iter_rows(values_only=True)) == [("Cijfer", "Aantal"), ("Ingeschreven", 14)]
    cell = book["Gemeenten lijst2025"]["B2"]
    assert cell.value == "=Amsterdam" and cell.data_type == "s"  # text, never a formula
    assert book["Samenvatting (2)"].freeze_panes == "A2" and book["Samenvatting (2)"]["A1"].font.bold
