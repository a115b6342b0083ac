"""Files and editions for the invitations tests."""

from __future__ import annotations

import io

from congress.spreadsheets import to_xlsx


def csv_bytes(rows: list[list[str]], header: tuple[str, ...] = ("naam", "e-mail", "organisatie", "sector", "lijst"),
              delimiter: str = ";") -> bytes:
    out = io.StringIO()
    for row in [list(header), *rows]:
        out.write(delimiter.join(row) + "\r\n")
    return out.getvalue().encode("utf-8-sig")


def contacts(n: int, *, bad: int = 0, list_name: str = "") -> list[list[str]]:
    """``n`` rows of municipalities; the last ``bad`` rows are broken (no name, a wrong address)."""
    rows = [[f"Wethouder {i}", f"wethouder{i}@gemeente{i}.nl", f"Gemeente {i}", "Gemeente", list_name]
            for i in range(n - bad)]
    broken = [["", "leeg@gemeente.nl", "Gemeente Leeg", "Gemeente", list_name],
              ["Foutief Adres", "geen-adres", "Gemeente Fout", "Gemeente", list_name]]
    return rows + broken[:bad]


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    return to_xlsx("Genodigden", ["Name", "E-mail", "Organisation", "Sector", "List"], rows)
