"""Certificate rendering: 1,000 certificates of attendance as one combined PDF for printing, and as
separate per-person PDFs (what ``flask congress certificates --out DIR [--combined]`` writes).

A throw-away SQLite database gets an edition held yesterday (two workshops with a station each and a
plenary, two accreditations) and N attendees (1,000; 100 with ``BENCH_QUICK=1``), each checked in at the
door and in and out of both workshops through the check-in services; the certificates are computed and
issued (signed verification records) first, then rendered — in child processes (``render.render_batch``,
``render.render_each``), and the plain one-process ``render.render`` on a sample for comparison. Peak
memory is the largest resident set of this process and its render processes (Linux VmHWM /
``RUSAGE_CHILDREN``). Targets: at least 60 certificates/s combined, 20/s as separate files, peak
memory under 400 MB. The run fails instead of reporting a rate when the PDFs do not hold what they
should (page count, a name, the first page's QR code decoding to its verification address).
"""

from __future__ import annotations

import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_COMBINED = 60.0
TARGET_SEPARATE = 20.0
TARGET_MEMORY_MB = 400
QUICK = os.environ.get("BENCH_QUICK") == "1"
COUNT = 100 if QUICK else 1000
PLAIN_SAMPLE = 20 if QUICK else 100  # the one-process renderer, on a sample (it is the slow baseline)
SLUG = "bench-certificaten"
CORES = os.cpu_count() or 1


def _own_and_children_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    status = Path("/proc/self/status")
    if status.exists():
        own = next((int(line.split()[1]) for line in status.read_text().splitlines()
                    if line.startswith("VmHWM:")), own)
    return own / 1024, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


class TreeSampler:
    """Samples this process and every descendant (the fork server and its render processes are not
    our children, so ``RUSAGE_CHILDREN`` misses them) every 0.1 s from /proc: the largest resident
    set of one process, the largest sum over the tree, and the CPU seconds each one used."""

    def __init__(self) -> None:
        import threading  # noqa: PLC0415

        self.largest_mb = self.tree_mb = 0.0
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._tick = os.sysconf("SC_CLK_TCK")
        self._page = os.sysconf("SC_PAGE_SIZE")

    def _tree(self) -> list[tuple[int, int, float]]:
        """(pid, rss bytes, cpu seconds) of this process and its descendants."""
        stats = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                stats[int(entry.name)] = (int(fields[1]), int(fields[21]) * self._page,
                                          (int(fields[11]) + int(fields[12])) / self._tick)
        wanted, found = {os.getpid()}, []
        changed = True
        while changed:
            changed = False
            for pid, (ppid, _rss, _cpu) in stats.items():
                if ppid in wanted and pid not in wanted:
                    wanted.add(pid)
                    changed = True
        for pid in wanted:
            if pid in stats:
                found.append((pid, stats[pid][1], stats[pid][2]))
        return found

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            self.sample()

    def sample(self) -> None:
        tree = self._tree()
        self.largest_mb = max(self.largest_mb, *(rss / 2**20 for _pid, rss, _cpu in tree))
        self.tree_mb = max(self.tree_mb, sum(rss for _pid, rss, _cpu in tree) / 2**20)
        for pid, _rss, cpu in tree:
            self.cpu[pid] = max(self.cpu.get(pid, 0.0), cpu)

    def start(self) -> TreeSampler:
        self.sample()
        self._thread.start()
        return self

    def stop(self) -> float:
        """Stop; the CPU seconds of the tree since :meth:`start`."""
        self._stop.set()
        self._thread.join()
        self.sample()
        return sum(self.cpu.values())


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the render processes): on a shared,
    loaded machine the wall-clock rate says how busy the others were, this says what the work costs."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak_mb() -> float:
    """The high-water mark of this process (VmHWM: its own, not inherited across exec) and of its
    waited-for children (the render processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    status = Path("/proc/self/status")
    if status.exists():
        own = next((int(line.split()[1]) for line in status.read_text().splitlines()
                    if line.startswith("VmHWM:")), own)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _app(workdir: Path, database: Path | None = None):
    from flask_migrate import upgrade  # noqa: PLC0415

    from config import TestConfig  # noqa: PLC0415
    from congress import create_app  # noqa: PLC0415

    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{database or workdir / 'bench.db'}",
                    HUEY_SQLITE_PATH=str(workdir / "huey.db"), MAIL_SERVER="127.0.0.1", MAIL_PORT=1,
                    MAIL_MAX_ATTEMPTS=1, STORAGE_ROOT=str(workdir / "storage"))
    app = create_app(settings)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    return app


def _edition(count: int):
    """The edition, its attendees checked in at the door and in and out of both workshops."""
    from congress.extensions import db  # noqa: PLC0415
    from tests.certificates.factories import at, certificate_edition, scan  # noqa: PLC0415

    congress, (a, b, _plenary), people, codes, day, _ = certificate_edition(SLUG, people=count)
    for i, code in enumerate(codes):
        scan(congress, code, "venue", at(day, "08:40"))
        scan(congress, code, a.id, at(day, "10:00" if i % 3 else "10:20"))
        scan(congress, code, a.id, at(day, "11:30"), "out")
        scan(congress, code, b.id, at(day, "13:00"))
        scan(congress, code, b.id, at(day, "14:00" if i % 4 else "13:40"), "out")
    db.session.commit()
    return congress, people


def _issued(congress):
    from congress.certificates import render, services  # noqa: PLC0415
    from congress.certificates.rules import with_attendance  # noqa: PLC0415
    from congress.database import utcnow  # noqa: PLC0415

    context = services.edition(congress, with_presences=True)
    people = list(with_attendance(congress, context, utcnow()))
    return [render.Issued(cert, services.issue(cert)[1]) for cert in people]


def check_combined(pdf: bytes, items) -> None:
    """One page per certificate, the last person's name in it, the first page's QR code decodes to the
    first certificate's verification address."""
    import pypdfium2  # noqa: PLC0415

    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    if len(document) != len(items):
        raise RuntimeError(f"{len(document)} pages for {len(items)} certificates")
    last = document[len(document) - 1].get_textpage().get_text_range()
    if items[-1].certificate.registration.name not in last:
        raise RuntimeError("the last page does not name the last person")
    check_qr(document[0], items[0].url)


def check_qr(page, url: str) -> None:
    import zxingcpp  # noqa: PLC0415

    found = [r.text for r in zxingcpp.read_barcodes(page.render(scale=150 / 72).to_pil())]
    if found != [url]:
        raise RuntimeError(f"the QR code decodes to {found}, not {url}")


def check_separate(pdfs: list[bytes], items) -> None:
    import pypdfium2  # noqa: PLC0415

    if len(pdfs) != len(items):
        raise RuntimeError(f"{len(pdfs)} files for {len(items)} certificates")
    for index in (0, len(pdfs) - 1):
        document = pypdfium2.PdfDocument(io.BytesIO(pdfs[index]))
        if len(document) != 1 or items[index].certificate.registration.name not in \
                document[0].get_textpage().get_text_range():
            raise RuntimeError(f"file {index} is not its person's certificate")
        check_qr(document[0], items[index].url)


def prepare(database: Path, count: int) -> None:
    """The edition and its attendees' scans in a SQLite file that every way of rendering starts from."""
    app = _app(database.parent, database)
    with app.app_context(), app.test_request_context("/"):
        _edition(count)


def measure(mode: str, source: Path, limit: int | None = None) -> dict:
    """In this fresh process, on a copy of the prepared database: issue, render one way; seconds, rate,
    peak memory."""
    from congress.certificates import render  # noqa: PLC0415
    from congress.core.queries import congress_by_slug  # noqa: PLC0415

    workdir = Path(tempfile.mkdtemp(prefix="bench-certificates-"))
    shutil.copy(source, workdir / "bench.db")
    app = _app(workdir)
    with app.app_context(), app.test_request_context("/"):
        congress = congress_by_slug(SLUG)
        started = time.perf_counter()
        items = _issued(congress)[:limit]
        issue_seconds = time.perf_counter() - started
        started = time.perf_counter()
        sampler = TreeSampler()
        sampler.sample()
        own_cpu_before = sampler.cpu.get(os.getpid(), 0.0)
        sampler.start()
        cpu_before = _cpu_seconds()
        if mode == "combined":
            pdf = render.render_batch(items, lang="nl")
            seconds = time.perf_counter() - started
            cpu = _cpu_seconds() - cpu_before
            check_combined(pdf, items)
            size = len(pdf)
        elif mode == "separate":
            pdfs = list(render.render_each(items))
            seconds = time.perf_counter() - started
            cpu = _cpu_seconds() - cpu_before
            check_separate(pdfs, items)
            size = sum(len(p) for p in pdfs)
        elif mode == "plain-separate":
            items = items[:PLAIN_SAMPLE]
            started, cpu_before = time.perf_counter(), _cpu_seconds()
            pdfs = [render.render([item]) for item in items]
            seconds = time.perf_counter() - started
            cpu = _cpu_seconds() - cpu_before
            check_separate(pdfs, items)
            size = sum(len(p) for p in pdfs)
        elif mode == "plain-combined":
            items = items[:PLAIN_SAMPLE]
            started, cpu_before = time.perf_counter(), _cpu_seconds()
            pdf = render.render(items, lang="nl")
            seconds = time.perf_counter() - started
            cpu = _cpu_seconds() - cpu_before
            check_combined(pdf, items)
            size = len(pdf)
        else:
            raise ValueError(mode)
    shutil.rmtree(workdir, ignore_errors=True)
    own, children = _own_and_children_mb()
    tree_cpu = sampler.stop() - own_cpu_before
    if mode in ("combined", "separate"):  # the render processes' CPU, which getrusage does not see
        cpu = tree_cpu
    return {"count": len(items), "seconds": seconds, "rate": len(items) / seconds,
            "peak_mb": max(own, children, sampler.largest_mb), "tree_mb": sampler.tree_mb,
            "own_mb": own, "children_mb": children,
            "pdf_mb": size / 1e6, "issue_seconds": issue_seconds, "cpu_ms_per_certificate": cpu / len(items) * 1000}


def _in_fresh_process(*args: str) -> dict:
    """Each step in its own interpreter, so that memory figures are its own alone."""
    out = subprocess.run([sys.executable, "-m", "bench.certificates_render", *args], cwd=ROOT,
                         capture_output=True, text=True, check=True, timeout=3600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-certificates-") as tmp:
        database = Path(tmp) / "prepared.db"
        reuse = os.environ.get("BENCH_CERTIFICATES_DB")  # a database prepared before (same COUNT): skips 5-10 min
        if reuse:
            shutil.copy(reuse, database)
        else:
            _in_fresh_process("prepare", str(database), str(COUNT))
        for mode, label, target in (("combined", "combined PDF for printing", TARGET_COMBINED),
                                    ("separate", "separate per-person PDFs", TARGET_SEPARATE)):
            result = _in_fresh_process(mode, str(database))
            seconds, rate, peak = result["seconds"], result["rate"], result["peak_mb"]
            print(f"  {mode}: {result['count']} certificates in {seconds:.1f} s = {rate:.1f}/s, "
                  f"{result['pdf_mb']:.1f} MB, peak {peak:.0f} MB (issuing {result['issue_seconds']:.1f} s)",
                  flush=True)
            if result["count"] != COUNT:
                raise RuntimeError(f"{result['count']} certificates for {COUNT} attendees")
            name = f"certificates, {label}"
            rows += [
                {"benchmark": name, "database": "-", "metric": f"{COUNT} certificates, seconds",
                 "value": f"{seconds:.1f}", "target": f"≤ {COUNT / target:.0f}", "ok": rate >= target},
                {"benchmark": name, "database": "-", "metric": "certificates/s (ratio to the target)",
                 "value": f"{rate:.1f} ({rate / target:.2f}×)", "target": f"≥ {target:.0f}", "ok": rate >= target},
                {"benchmark": name, "database": "-", "metric": "peak memory (largest process)",
                 "value": f"{peak:.0f} MB", "target": f"< {TARGET_MEMORY_MB} MB", "ok": peak < TARGET_MEMORY_MB},
                {"benchmark": name, "database": "-", "metric": "peak memory (sum of the process tree's RSS)",
                 "value": f"{result['tree_mb']:.0f} MB", "target": f"< {TARGET_MEMORY_MB} MB",
                 "ok": result["tree_mb"] < TARGET_MEMORY_MB},
                {"benchmark": name, "database": "-", "metric": "CPU per certificate, all processes (and the rate "
                 f"that makes on {CORES} idle cores)", "value": f"{result['cpu_ms_per_certificate']:.0f} ms "
                 f"({CORES * 1000 / result['cpu_ms_per_certificate']:.1f}/s)", "target": "", "ok": None},
            ]
        rows.append({"benchmark": "certificates, issuing", "database": "SQLite",
                     "metric": f"{COUNT} computed and signed (records written), seconds",
                     "value": f"{result['issue_seconds']:.1f}", "target": "", "ok": None})
        for mode, label in (("plain-combined", "one process, combined"), ("plain-separate", "one process, separate")):
            result = _in_fresh_process(mode, str(database))
            print(f"  {mode}: {result['count']} in {result['seconds']:.1f} s = {result['rate']:.1f}/s", flush=True)
            rows.append({"benchmark": f"certificates, {label} (render.render, for comparison)", "database": "-",
                         "metric": f"certificates/s ({result['count']})", "value": f"{result['rate']:.1f}",
                         "target": "", "ok": None})
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "prepare":  # a child of run(): the database
        prepare(Path(sys.argv[2]), int(sys.argv[3]))
        print(json.dumps({"prepared": sys.argv[2]}))
    elif len(sys.argv) in (3, 4):  # a child of run(): one way, the result as JSON on the last line
        print(json.dumps(measure(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) == 4 else None)))
    else:
        for row in run():
            print(row)
