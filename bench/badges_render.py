"""Badge rendering: 1,000 badges into one A4 4-up PDF and into one PDF of one badge per page.

Reports seconds, badges/s and peak memory (this process and its render processes), and the time
spent making the QR codes alone. Target: at least 60 badges/s with peak memory under 400 MB.
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pypdfium2
import zxingcpp
from pypdf import PdfReader

from congress.badges import qr, render, tokens
from congress.badges.layouts import get_layout
from congress.badges.render import BadgeData, ProgrammeLine

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATE = 60.0
TARGET_MEMORY_MB = 400


def _badges(count: int) -> list[BadgeData]:
    keys = tokens.generate_key_pair()
    first = ["Anna", "Youssef", "Ayşe", "Thomas", "Łucja", "Kwame", "Marieke", "Søren"]
    last = ["de Vries", "El Haddad", "Yılmaz", "van der Berg", "Wróbel", "Osei", "de Jong", "Ørsted-Hansen"]
    roles = [("deelnemer", "Deelnemer")] * 7 + [
        ("spreker", "Spreker"), ("pers", "Pers"), ("organisatie", "Organisatie")
    ]
    return [
        BadgeData(
            name=f"{first[i % 8]} {last[(i // 8) % 8]}",
            organisation=["Gemeente Utrecht", "Stichting Mediawijs Onderwijs", "Hogeschool van Amsterdam"][i % 3],
            role=roles[i % 10][0],
            role_label=roles[i % 10][1],
            code=tokens.sign(keys.private_key, 1, i + 1),
            edition_title="Congres Veerkrachtige & Weerbare Samenleving 2025",
            edition_date="13 november 2025",
            programme=(ProgrammeLine("11:00", "Gastlessen mediawijsheid", "Zaal Utrecht"),),
        )
        for i in range(count)
    ]


def _peak_mb() -> float:
    """This process's high-water mark and its render processes'. Linux keeps ru_maxrss across
    fork and exec, so that a fresh interpreter started by a big parent (``python -m bench`` after
    the 50,000-item archive benchmark) would report the parent's size: VmHWM is this process's own."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    status = Path("/proc/self/status")
    if status.exists():
        own = next((int(line.split()[1]) for line in status.read_text().splitlines()
                    if line.startswith("VmHWM:")), own)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def measure(layout: str, count: int) -> dict:
    """Render ``count`` badges in this (fresh) process; seconds, badges/s, peak memory."""
    badges = _badges(count)
    qr.matrix.cache_clear()
    start = time.perf_counter()
    pdf = render.render_batch(badges, layout)
    seconds = time.perf_counter() - start
    check_work(pdf, badges, layout)
    return {"seconds": seconds, "rate": count / seconds, "peak_mb": _peak_mb(), "pdf_mb": len(pdf) / 1e6}


def check_work(pdf: bytes, badges: list[BadgeData], layout: str) -> None:
    """The benchmark measures what it says: one page per sheet of badges, and the first page's QR
    codes decode to the first badges' codes; else it fails instead of reporting a rate."""
    per_page = get_layout(layout).per_page
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    expected_pages = -(-len(badges) // per_page)
    if pages < expected_pages:
        raise RuntimeError(f"{layout}: {pages} pages for {len(badges)} badges, expected {expected_pages}")
    first = pypdfium2.PdfDocument(io.BytesIO(pdf))[0].render(scale=100 / 72).to_pil()
    decoded = sorted(r.text for r in zxingcpp.read_barcodes(first))
    if decoded != sorted(b.code for b in badges[:per_page]):
        raise RuntimeError(f"{layout}: the first page's QR codes do not decode to its badges' codes")


def _in_fresh_process(layout: str, count: int) -> dict:
    """Each layout in its own interpreter, so that memory figures are the renderer's alone."""
    out = subprocess.run([sys.executable, "-m", "bench.badges_render", layout, str(count)], cwd=ROOT,
                         capture_output=True, text=True, check=True, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    count = 100 if os.environ.get("BENCH_QUICK") else 1000
    rows: list[dict] = []
    badges = _badges(count)
    qr.matrix.cache_clear()
    start = time.perf_counter()
    for badge in badges:
        qr.rectangles(badge.code)
    qr_seconds = time.perf_counter() - start
    rows.append({"benchmark": "badges", "database": "-", "metric": f"QR codes alone ({count})",
                 "value": f"{qr_seconds:.2f} s ({count / qr_seconds:.0f}/s)", "target": "", "ok": None})
    for layout in ("a4-4up", "a6"):
        result = _in_fresh_process(layout, count)
        seconds, rate, peak = result["seconds"], result["rate"], result["peak_mb"]
        print(f"  {layout}: {count} badges in {seconds:.1f} s = {rate:.0f}/s, {result['pdf_mb']:.1f} MB PDF, "
              f"peak {peak:.0f} MB", flush=True)
        rows += [
            {"benchmark": f"badges {layout}", "database": "-", "metric": f"{count} badges, seconds",
             "value": f"{seconds:.1f}", "target": f"≤ {count / TARGET_RATE:.0f}", "ok": rate >= TARGET_RATE},
            {"benchmark": f"badges {layout}", "database": "-", "metric": "badges/s", "value": f"{rate:.0f}",
             "target": f"≥ {TARGET_RATE:.0f}", "ok": rate >= TARGET_RATE},
            {"benchmark": f"badges {layout}", "database": "-", "metric": "peak memory (largest process)",
             "value": f"{peak:.0f} MB", "target": f"< {TARGET_MEMORY_MB} MB", "ok": peak < TARGET_MEMORY_MB},
        ]
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 3:  # a child of run(): one layout, the result as JSON on the last line
        print(json.dumps(measure(sys.argv[1], int(sys.argv[2]))))
    else:
        for row in run():
            print(row)
