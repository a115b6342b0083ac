"""Certificates as PDF with weasyprint: real text, tagged (``pdf_tags``), the document's language and
title set; the QR code stamped onto the page as vector rectangles at the place weasyprint laid out for
it, as badges and e-tickets do (``badges.services.qr_pdf_operators``), marked as an artifact so that
the tagged structure holds only the text (the link is printed beside it)."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
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


STYLESHEET = BASE / "certificates.css"


def _stamp(urls: Sequence[str]) -> Callable:
    """A weasyprint finisher drawing each page's QR codes into its content stream, as artifacts."""
    return badges.stamp_qr_codes(urls, prefix=QR_ANCHOR)


def pdf_from_html(source: str, urls: Sequence[str], *, reuse: bool = True) -> bytes:
    """weasyprint alone (no application context): the HTML of :func:`html` and the verification
    addresses of its certificates, in order, to a tagged PDF with the QR codes stamped on.

    ``reuse`` (the render processes): the thread's one font configuration and the stylesheet parsed
    once; without it (:func:`render`, the plain way) both are made again for this document."""
    from weasyprint import CSS, HTML  # noqa: PLC0415 - heavy (Pango, fonts): loaded by the first certificate
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415 - as above

    if reuse:
        fonts, stylesheet = badges.pdf_font_config(), badges.pdf_stylesheet(str(STYLESHEET))
    else:
        fonts = FontConfiguration()
        stylesheet = CSS(filename=str(STYLESHEET), font_config=fonts)
    document = HTML(string=source, base_url=str(BASE)).render(stylesheets=[stylesheet], font_config=fonts)
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
    return pdf_from_html(*_source(items, lang), reuse=False)


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


def join_tagged(parts: Iterable[bytes], *, title: str) -> bytes:
    """Tagged PDFs of weasyprint (``pdf_tags``) joined into one tagged PDF, with pikepdf (qpdf), part
    by part as they come (each part is read, copied and let go: memory holds the joined document, not
    every part as well). The pages follow each other; each part's structure elements become children
    of one ``Document`` element, in the same order, and its parent tree is renumbered after the parts
    before it (``/StructParents`` of its pages and ``/StructParent`` of their annotations with it), so
    that every marked-content sequence still belongs to its structure element. The document keeps the
    first part's language and marks, and gets ``title``."""
    import pikepdf  # noqa: PLC0415 - only joined batches need it
    from pikepdf import Array, Dictionary, Name  # noqa: PLC0415 - as above

    out = pikepdf.new()

    def copy(obj):  # copy_foreign takes indirect objects; direct arrays and dictionaries are rebuilt here
        if isinstance(obj, pikepdf.Object) and obj.is_indirect:
            return out.copy_foreign(obj)
        if isinstance(obj, Array):
            return Array([copy(item) for item in obj])
        if isinstance(obj, Dictionary):
            return Dictionary({key: copy(value) for key, value in obj.items()})
        return obj

    tree = out.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=Array(), P=tree))
    nums = Array()
    tree.K = Array([document])
    tree.ParentTree = out.make_indirect(Dictionary(Nums=nums))
    offset = 0
    first = True
    for part in parts:
        with pikepdf.open(io.BytesIO(part)) as source:
            start = len(out.pages)
            out.pages.extend(source.pages)
            root = source.Root
            if first:
                for key in ("/Lang", "/MarkInfo", "/ViewerPreferences"):
                    if key in root:
                        out.Root[key] = copy(root[key])
                first = False
            if "/StructTreeRoot" not in root:
                raise ValueError("a part of the batch is not tagged")
            source_tree = root.StructTreeRoot
            # copy_foreign maps objects already copied from this part (its pages) to their copies, so
            # the elements' /Pg and the parent tree's entries point at the pages of the joined document.
            keys = []
            source_nums = source_tree.ParentTree.Nums
            for index in range(0, len(source_nums), 2):
                key = int(source_nums[index])
                keys.append(key)
                nums.append(key + offset)
                nums.append(copy(source_nums[index + 1]))
            for kid in source_tree.K[0].K if "/K" in source_tree.K[0] else ():
                copied = copy(kid)
                if isinstance(copied, Dictionary) and "/P" in copied:
                    copied.P = document
                document.K.append(copied)
            for page in out.pages[start:]:
                if "/StructParents" in page.obj:
                    page.obj.StructParents = int(page.obj.StructParents) + offset
                for annotation in page.obj.get("/Annots", ()):
                    if "/StructParent" in annotation:
                        annotation.StructParent = int(annotation.StructParent) + offset
            offset += max(keys, default=-1) + 1
    out.Root.StructTreeRoot = tree
    tree.ParentTreeNextKey = offset
    out.docinfo[Name.Title] = title
    buffer = io.BytesIO()
    out.save(buffer, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def render_batch(items: Sequence[Issued], *, lang: str = "nl", processes: int | None = None,
                 chunk_size: int = 25) -> bytes:
    """Many certificates as one tagged PDF for printing, in the order given: the HTML is made here,
    chunks of ``chunk_size`` certificates are laid out in parallel child processes (weasyprint alone,
    the thread's one font configuration and stylesheet) and joined as they come back, tags included
    (:func:`join_tagged`)."""
    if not items:
        raise ValueError("no certificates to render")
    chunks = [items[i:i + chunk_size] for i in range(0, len(items), chunk_size)]
    jobs = [_source(chunk, lang) for chunk in chunks]
    if len(jobs) == 1:
        return _pdf_job(jobs[0])
    workers = _processes(len(jobs), processes)
    if workers == 1:
        return join_tagged((_pdf_job(job) for job in jobs), title=_title(items, lang))
    with _pool(workers) as pool:
        return join_tagged(pool.map(_pdf_job, jobs), title=_title(items, lang))


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
