"""Print layouts for real printers. The short names are used in the UI and on the command line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    name: str
    page_mm: tuple[float, float]  # width, height of the sheet
    columns: int
    rows: int
    cut_marks: bool
    folded: bool = False
    description: str = ""

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def cell_mm(self) -> tuple[float, float]:
        return self.page_mm[0] / self.columns, self.page_mm[1] / self.rows

    @property
    def badge_mm(self) -> tuple[float, float]:
        """The visible badge: a folded badge is half its cell."""
        width, height = self.cell_mm
        return (width, height / 2) if self.folded else (width, height)

    @property
    def orientation(self) -> str:
        width, height = self.badge_mm
        return "landscape" if width > height else "portrait"


LAYOUTS: dict[str, Layout] = {
    layout.name: layout
    for layout in (
        Layout("a6", (105, 148), 1, 1, cut_marks=False, description="A6, one badge per page (badge printers)"),
        Layout("badge-4x3", (101.6, 76.2), 1, 1, cut_marks=False,
               description="4 × 3 inch, one badge per page (badge printers)"),
        Layout("a4-4up", (210, 297), 2, 2, cut_marks=True, description="A4 sheets with 4 × A6, cut marks"),
        Layout("a4-8up", (210, 297), 2, 4, cut_marks=True, description="A4 sheets with 8 × A7, cut marks"),
        Layout("folded", (148, 210), 1, 1, cut_marks=False, folded=True,
               description="A5 folded once: badge in front, personal programme on the back"),
    )
}


def get_layout(name: str) -> Layout:
    try:
        return LAYOUTS[name]
    except KeyError:
        raise ValueError(f"unknown layout {name!r}; choose from {', '.join(LAYOUTS)}") from None
