"""The reach report as a tagged PDF (PDF/UA-1) with weasyprint, from the same figures as the page."""

from __future__ import annotations

from pathlib import Path

from flask import render_template
from flask_babel import gettext as _

from congress.reports.reach import Reach

BASE = Path(__file__).resolve().parents[2] / "templates" / "reports"


def pdf(reach: Reach, *, lang: str) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415 - heavy (Pango, fonts): loaded by the first PDF

    title = f"{_('Reach report')} · {reach.congress.title(lang)}"
    html = render_template("reports/document.html", reach=reach, title=title, lang=lang)
    return HTML(string=html, base_url=str(BASE)).write_pdf(pdf_variant="pdf/ua-1")
