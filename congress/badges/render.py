"""Rendering badges to PDF with weasyprint, fast.

Three things make it fast: the stylesheet and fonts are parsed once per thread and reused; QR
codes are not drawn by weasyprint's SVG renderer but stamped onto each page as raw PDF rectangles
through weasyprint's documented ``finisher`` hook, at the position weasyprint laid out for them
(an empty anchor box); and large batches are rendered in chunks by several processes whose PDFs
are joined with pypdf.
"""

from __future__ import annotations

import atexit
import gc
import io
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from congress.badges import qr
from congress.badges.layouts import Layout, get_layout

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "badges"
PX_TO_PT = 0.75  # weasyprint lays out in CSS px (1/96 in); PDF streams use points (1/72 in)
QR_ANCHOR_PREFIX = "qr-"

# Ribbon colours by badge role (registration.models.BadgeRole values); white text on each is AA.
ROLE_COLOURS = {
    "deelnemer": "#154273",
    "spreker": "#7a1f64",
    "organisatie": "#1e6b3a",
    "pers": "#9a3b00",
    "vrijwilliger": "#4b3596",
}


@dataclass(frozen=True)
class ProgrammeLine:
    time: str
    title: str
    room: str


@dataclass(frozen=True)
class BadgeData:
    """Everything printed on one badge; built from a registration by the badges service."""

    name: str
    organisation: str
    role: str  # the role's value, e.g. "spreker"
    role_label: str  # what the ribbon says, e.g. "Spreker"
    code: str
    edition_title: str
    edition_date: str
    sort_key: str = ""
    programme: tuple[ProgrammeLine, ...] = field(default_factory=tuple)

    @property
    def role_colour(self) -> str:
        return ROLE_COLOURS.get(self.role.lower(), "#3d3d3d")

    @property
    def name_size(self) -> str:
        """A size class so that long names shrink and wrap instead of being cut off."""
        length = len(self.name)
        if length <= 16:
            return "xl"
        if length <= 24:
            return "l"
        if length <= 36:
            return "m"
        return "s"


@lru_cache(maxsize=1)
def _jinja() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))


# Per thread: Pango's font map may not be shared between threads (the mail worker renders e-tickets
# in two at once; with one configuration for the process about one worker in four died on its first
# two tickets, SIGSEGV or SIGABRT). Keyed by thread ident: a thread that ended leaves its entry to
# the next thread with its ident, never to two live threads at once. tests/badges/test_render_threads.py.
_per_thread: dict[int, dict] = {}
_per_thread_lock = threading.Lock()


def _thread_cache() -> dict:
    """This thread's font configuration and the stylesheets parsed with it."""
    ident = threading.get_ident()
    with _per_thread_lock:
        return _per_thread.setdefault(ident, {})


def font_config():
    """This thread's one weasyprint ``FontConfiguration``, shared by every PDF it renders (badges,
    e-tickets, certificates): fonts are found once, and Pango's shaping caches stay warm. A new one per
    document costs about a third of an e-ticket's rendering time."""
    cache = _thread_cache()
    if "fonts" not in cache:
        from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415 - heavy (Pango, fonts): loaded by the first render

        cache["fonts"] = FontConfiguration()
    return cache["fonts"]


def stylesheet_file(path: str):
    """A stylesheet file (``templates/...``), parsed once per thread with its font configuration."""
    cache = _thread_cache()
    key = ("file", path)
    if key not in cache:
        from weasyprint import CSS  # noqa: PLC0415 - heavy, as above

        cache[key] = CSS(filename=path, font_config=font_config())
    return cache[key]


def _stylesheet(layout_name: str):
    """Parsed once per thread and layout, with the thread's font configuration."""
    cache = _thread_cache()
    key = ("layout", layout_name)
    if key not in cache:
        from weasyprint import CSS  # noqa: PLC0415 - heavy (Pango, fonts): loaded by the first render, not at start-up

        fonts = font_config()
        layout = get_layout(layout_name)
        css = _jinja().get_template("badges.css").render(layout=layout)
        cache[key] = (CSS(string=css, font_config=fonts), fonts)
    return cache[key]


def release_fonts() -> None:
    """Free the cached stylesheets and font configurations of every thread now, while Pango is still loaded.

    A ``FontConfiguration`` holds a PangoFT2 font map that cffi unrefs when the object is collected.
    Left in the cache until interpreter shutdown, it is collected after the interpreter has already
    unloaded libpangoft2, and ``g_object_unref`` jumps into unmapped code: the process writes its PDF
    and then dies with SIGSEGV (exit 139). Releasing the cache (and collecting the cycles it sits in)
    at exit, before the interpreter tears its modules down, makes the end of the cache's life
    deterministic; the next render simply builds a new one.
    """
    with _per_thread_lock:
        held = any(_per_thread.values())
        _per_thread.clear()
    if not held:
        return  # nothing rendered in this process (a web worker, mostly): no full collection at exit
    gc.collect()


# atexit handlers run before the interpreter clears its modules and unloads extension libraries.
atexit.register(release_fonts)


def sheet_html(badges: Sequence[BadgeData], layout: Layout, *, labels: dict[str, str] | None = None) -> str:
    pages = [badges[i : i + layout.per_page] for i in range(0, len(badges), layout.per_page)]
    return _jinja().get_template("sheet.html").render(
        pages=pages, layout=layout, labels=labels or DEFAULT_LABELS, qr_prefix=QR_ANCHOR_PREFIX
    )


DEFAULT_LABELS = {"programme": "Mijn programma", "lang": "nl"}


def stamp_qr_codes(codes: Sequence[str], *, prefix: str = QR_ANCHOR_PREFIX) -> Callable:
    """A weasyprint finisher that draws each page's QR codes (``codes[i]`` where the layout put the anchor
    ``<prefix><i>``) into its content stream, marked as artifacts: a tagged document's structure keeps
    the text, and the code is printed beside it where a reader needs it (e-ticket, certificate)."""

    def finisher(document, pdf) -> None:
        kids = pdf.pages["Kids"][::3]
        for page, page_object_number in zip(document.pages, kids, strict=True):
            stamps = []
            for anchor, (x1, y1, x2, y2) in page.anchors.items():
                if not anchor.startswith(prefix):
                    continue
                index = int(anchor[len(prefix) :])
                side_pt = min(x2 - x1, y2 - y1) * PX_TO_PT
                ops = qr.pdf_operators(codes[index], x1 * PX_TO_PT, y1 * PX_TO_PT, side_pt)
                stamps.append(b"/Artifact BMC\n" + ops + b"\nEMC")
            if stamps:
                contents = pdf.objects[page_object_number]["Contents"]
                stream_number = int(contents.split()[0]) if isinstance(contents, bytes | str) else contents
                pdf.objects[stream_number].stream.extend(stamps)

    return finisher


def render_pdf(badges: Sequence[BadgeData], layout_name: str, *, labels: dict[str, str] | None = None) -> bytes:
    """One PDF in this process."""
    from weasyprint import HTML  # noqa: PLC0415 - heavy (Pango, fonts): loaded by the first render, not at start-up

    layout = get_layout(layout_name)
    stylesheet, fonts = _stylesheet(layout_name)
    document = HTML(string=sheet_html(badges, layout, labels=labels), base_url=str(TEMPLATES)).render(
        stylesheets=[stylesheet], font_config=fonts
    )
    # Tagged (PDF/UA-1): the programme side is real, structured text for screen readers.
    return document.write_pdf(finisher=stamp_qr_codes([b.code for b in badges]), pdf_variant="pdf/ua-1")


def _render_chunk(args: tuple[list[BadgeData], str, dict[str, str] | None]) -> bytes:
    badges, layout_name, labels = args
    return render_pdf(badges, layout_name, labels=labels)


def render_batch(
    badges: Iterable[BadgeData],
    layout_name: str,
    *,
    labels: dict[str, str] | None = None,
    processes: int | None = None,
    chunk_size: int = 40,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """Many badges into one PDF, sorted by the caller, in parallel chunks of whole pages.

    ``progress(done, total)`` is called as chunks finish (badges done so far).
    """
    from pypdf import PdfWriter  # noqa: PLC0415 - only batches split over processes need it

    badges = list(badges)
    if not badges:
        raise ValueError("no badges to render")
    layout = get_layout(layout_name)
    chunk_size = max(layout.per_page, chunk_size - chunk_size % layout.per_page)
    chunks = [badges[i : i + chunk_size] for i in range(0, len(badges), chunk_size)]
    processes = processes or min(len(chunks), os.cpu_count() or 1)
    if processes <= 1 or len(chunks) == 1:
        parts = []
        done = 0
        for chunk in chunks:
            parts.append(render_pdf(chunk, layout_name, labels=labels))
            done += len(chunk)
            if progress:
                progress(done, len(badges))
    else:
        parts = []
        done = 0
        # fork is cheapest, but forking a multi-threaded process (the job worker) can deadlock.
        method = "fork" if threading.active_count() == 1 else "forkserver"
        with ProcessPoolExecutor(max_workers=processes, mp_context=get_context(method)) as pool:
            for chunk, pdf in zip(chunks, pool.map(_render_chunk, [(c, layout_name, labels) for c in chunks]),
                                  strict=True):
                parts.append(pdf)
                done += len(chunk)
                if progress:
                    progress(done, len(badges))
    if len(parts) == 1:
        return parts[0]
    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
