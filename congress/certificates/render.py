"""Certificates as PDF with weasyprint: real text, tagged (``pdf_tags``), the document's language and
title set; the QR code stamped onto the page as vector rectangles at the place weasyprint laid out for
it, as badges and e-tickets do (``badges.services.qr_pdf_operators``), marked as an artifact so that
the tagged structure holds only the text (the link is printed beside it)."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
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


_FONTS: list = []  # this process's one weasyprint FontConfiguration (fonts found once, not per document)


def _font_config():
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415 - heavy

    if not _FONTS:
        _FONTS.append(FontConfiguration())
    return _FONTS[0]


def pdf_from_html(source: str, urls: Sequence[str]) -> bytes:
    """weasyprint alone (no application context): the HTML of :func:`html` and the verification
    addresses of its certificates, in order, to a tagged PDF with the QR codes stamped on."""
    from weasyprint import HTML  # noqa: PLC0415 - heavy (Pango, fonts): loaded by the first certificate

    document = HTML(string=source, base_url=str(BASE)).render(font_config=_font_config())
    return document.write_pdf(finisher=_stamp(list(urls)), pdf_tags=True)


def _title(items: Sequence[Issued], lang: str) -> str:
    with force_locale(lang):
        cert = items[0].certificate
        if len(items) == 1:
            parts = [_("Certificate of attendance"), cert.registration.name, cert.congress.title(lang)]
        else:
            parts = [_("Certificates of attendance"), cert.congress.title(lang)]
        return " · ".join(parts)


def _source(items: Sequence[Issued], lang: str | None = None) -> tuple[str, list[str]]:
    """The document's HTML and its verification addresses (made here, in the application context)."""
    lang = lang or items[0].locale
    with force_locale(lang):
        return html(items, title=_title(items, lang), lang=lang), [item.url for item in items]


def render(items: Sequence[Issued], *, lang: str | None = None) -> bytes:
    """One PDF of these certificates (one or more pages each), in this process: the plain way, which
    the web download uses and :func:`render_batch` and :func:`render_each` are tested against."""
    if not items:
        raise ValueError("no certificates to render")
    return pdf_from_html(*_source(items, lang))


def _pdf_job(job: tuple[str, list[str]]) -> bytes:
    return pdf_from_html(*job)


def _pdfs_job(jobs: list[tuple[str, list[str]]]) -> list[bytes]:
    return [pdf_from_html(*job) for job in jobs]


def _pool(processes: int) -> ProcessPoolExecutor:
    """Children from the fork server: they start small (weasyprint and this module, not a copy of a
    caller that holds a thousand certificates), and forking a multi-threaded process (the job worker, a
    test server) cannot deadlock them."""
    return ProcessPoolExecutor(max_workers=processes, mp_context=get_context("forkserver"))


def _processes(jobs: int, processes: int | None) -> int:
    return max(1, min(jobs, processes or os.cpu_count() or 1))


def render_batch(items: Sequence[Issued], *, lang: str = "nl", processes: int | None = None,
                 chunk_size: int = 25) -> bytes:
    """Many certificates as one PDF for printing, in the order given: the HTML is made here, chunks of
    ``chunk_size`` certificates are laid out in parallel child processes (weasyprint alone, one font
    configuration each) and joined page by page. Each chunk is tagged; the joined document keeps the
    pages, text and QR codes (pypdf does not join the tag trees: the per-person files are the
    accessible ones)."""
    from pypdf import PdfWriter  # noqa: PLC0415 - only batches split over processes need it

    if not items:
        raise ValueError("no certificates to render")
    chunks = [items[i:i + chunk_size] for i in range(0, len(items), chunk_size)]
    jobs = [_source(chunk, lang) for chunk in chunks]
    if len(jobs) == 1:
        return _pdf_job(jobs[0])
    workers = _processes(len(jobs), processes)
    if workers == 1:
        parts = [_pdf_job(job) for job in jobs]
    else:
        with _pool(workers) as pool:
            parts = list(pool.map(_pdf_job, jobs))
    writer = PdfWriter()
    while parts:
        writer.append(io.BytesIO(parts.pop(0)))
    writer.add_metadata({"/Title": _title(items, lang)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_each(items: Sequence[Issued], *, processes: int | None = None, chunk_size: int = 20
                ) -> Iterator[bytes]:
    """One PDF per certificate (each as :func:`render` makes it, tagged, in the person's language), in
    the order given, rendered in parallel child processes in chunks of ``chunk_size``."""
    jobs = [_source([item]) for item in items]
    chunks = [jobs[i:i + chunk_size] for i in range(0, len(jobs), chunk_size)]
    workers = _processes(len(chunks), processes)
    if workers == 1:
        for chunk in chunks:
            yield from _pdfs_job(chunk)
        return
    with _pool(workers) as pool:
        for pdfs in pool.map(_pdfs_job, chunks):
            yield from pdfs
