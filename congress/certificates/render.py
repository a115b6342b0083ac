"""Certificates as PDF with weasyprint: real text, tagged (``pdf_tags``), the document's language and
title set; the QR code stamped onto the page as vector rectangles at the place weasyprint laid out for
it, as badges and e-tickets do (``badges.services.qr_pdf_operators``), marked as an artifact so that
the tagged structure holds only the text (the link is printed beside it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from congress.badges import services as badges
from congress.certificates.rules import Certificate
from congress.urls import external_url

PX_TO_PT = 0.75
QR_ANCHOR = "certificate-qr-"
BASE = Path(__file__).resolve().parents[2] / "templates" / "certificates"


@dataclass(frozen=True)
class Issued:
    """A certificate with its verification code, ready to print."""

    certificate: Certificate
    code: str

    @property
    def url(self) -> str:
        return external_url("certificates.verify", code=self.code)

    @property
    def locale(self) -> str:
        return self.certificate.registration.locale if self.certificate.registration.locale in ("nl", "en") else "nl"


def _section(issued: Issued, index: int) -> str:
    with force_locale(issued.locale):
        return render_template("certificates/_certificate.html", cert=issued.certificate, url=issued.url,
                               code=issued.code, qr_anchor=f"{QR_ANCHOR}{index}", lang=issued.locale,
                               congress=issued.certificate.congress)


def html(items: Sequence[Issued], *, title: str, lang: str) -> str:
    sections = [_section(item, i) for i, item in enumerate(items)]
    return render_template("certificates/document.html", sections=sections, title=title, lang=lang)


def _stamp(urls: Sequence[str]) -> Callable:
    """A weasyprint finisher drawing each page's QR codes into its content stream, as artifacts."""

    def finisher(document, pdf) -> None:
        kids = pdf.pages["Kids"][::3]
        for page, number in zip(document.pages, kids, strict=True):
            stamps = []
            for anchor, (x1, y1, x2, y2) in page.anchors.items():
                if anchor.startswith(QR_ANCHOR):
                    side = min(x2 - x1, y2 - y1) * PX_TO_PT
                    ops = badges.qr_pdf_operators(urls[int(anchor[len(QR_ANCHOR):])], x1 * PX_TO_PT, y1 * PX_TO_PT,
                                                  side)
                    stamps.append(b"/Artifact BMC\n" + ops + b"\nEMC")
            if stamps:
                contents = pdf.objects[number]["Contents"]
                stream = int(contents.split()[0]) if isinstance(contents, bytes | str) else contents
                pdf.objects[stream].stream.extend(stamps)

    return finisher


def render(items: Sequence[Issued], *, lang: str | None = None) -> bytes:
    """One PDF of these certificates (one or more pages each)."""
    from weasyprint import HTML  # noqa: PLC0415 - heavy (Pango, fonts): loaded by the first certificate

    if not items:
        raise ValueError("no certificates to render")
    lang = lang or items[0].locale
    with force_locale(lang):
        cert = items[0].certificate
        if len(items) == 1:
            parts = [_("Certificate of attendance"), cert.registration.name, cert.congress.title(lang)]
        else:
            parts = [_("Certificates of attendance"), cert.congress.title(lang)]
        title = " · ".join(parts)
        document = HTML(string=html(items, title=title, lang=lang), base_url=str(BASE)).render()
    return document.write_pdf(finisher=_stamp([item.url for item in items]), pdf_tags=True)
