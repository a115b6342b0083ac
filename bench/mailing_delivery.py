"""Mailing delivery: a mailing to 5,000 recipients (1,000 with ``BENCH_QUICK=1``; ``BENCH_MAILS`` sets
another number), each message rendered for its recipient in text and HTML (about 3 kB and 5 kB), queued in
one transaction while ``flask congress worker --processes 2`` runs (each consumer with its default
threads), and delivered to a local SMTP server (aiosmtpd on 127.0.0.1, in this process) that counts by
Message-ID. Reported on SQLite and PostgreSQL: messages/s end to end, from the start of queueing to the
last message received (target at least 50/s), the time to queue the mailing, the peak memory of each
worker process (VmHWM, target under 200 MB), and duplicates and lost messages (both must be 0).

    python -m bench mailing_delivery               # or: make bench
    BENCH_QUICK=1 BENCH_DATABASES=sqlite python -m bench.mailing_delivery   # figures printed only
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask_babel import force_locale
from flask_migrate import upgrade

from bench._support import ROOT, on_both_databases
from congress import create_app
from congress.database import utcnow, write_transaction
from congress.extensions import db
from congress.mail import services
from congress.mail.models import MailStatus, OutboxMessage
from tests.support import free_port

TARGET_RATE = 50.0
TARGET_RSS_MB = 200.0
PROCESSES = 2
# How long the run waits without a single new message before it counts the rest as lost.
STALL_SECONDS = 90.0

TRACKS = ["digitale weerbaarheid", "zelfbeschikking en emancipatie", "preventie van jeugdcriminaliteit",
          "netwerken en participatie"]
SECTORS = ["gemeente", "maatschappelijke organisatie", "onderwijs", "wetenschap"]

SUBJECT = "Congres Veerkrachtige & Weerbare Samenleving: uw programma en praktische informatie"
TEXT = """Beste {{ name }},

Over drie weken is het zover: het jaarlijkse congres van de Agenda Veerkrachtige & Weerbare
Samenleving, op donderdag 12 maart in de Jaarbeurs in Utrecht. U staat ingeschreven namens
{{ organisation }} ({{ sector }}). Hieronder vindt u wat u vooraf wilt weten.

Het programma
-------------
09.30 uur  Ontvangst met koffie
10.00 uur  Opening door de ministers van Justitie en Veiligheid en van Binnenlandse Zaken
10.45 uur  Eerste ronde werksessies, onder meer in het thema {{ track }}
12.15 uur  Lunch en informatiemarkt: gemeenten, maatschappelijke organisaties en onderzoekers laten zien
           wat werkt
13.30 uur  Tweede ronde werksessies
15.00 uur  Plenaire afsluiting: wat nemen we mee naar de uitvoeringsagenda?
16.00 uur  Netwerkborrel

{% for session in sessions %}- {{ session }}
{% endfor %}
Uw persoonlijke pagina
----------------------
Op {{ manage_url }} ziet u uw inschrijving, kiest u uw werksessies en downloadt u uw e-ticket.
Kunt u onverhoopt niet komen? Meld u dan af via dezelfde pagina, zodat iemand van de wachtlijst
uw plaats krijgt.

Bereikbaarheid
--------------
De Jaarbeurs ligt op vijf minuten lopen van station Utrecht Centraal. Parkeren kan in de
parkeergarage P1; de parkeerkosten worden niet vergoed. Heeft u een voorziening nodig om goed
te kunnen deelnemen, laat het ons weten: dan regelen we het.

Wij kijken ernaar uit u te ontmoeten.

Met vriendelijke groet,
het congresteam

U ontvangt dit bericht omdat u zich hebt ingeschreven voor het congres.
Afmelden voor berichten als deze: {{ unsubscribe_url }}
"""
HTML = """{% extends "email/_layout.html" %}
{% block body %}
<p>Beste {{ name }},</p>
<p>Over drie weken is het zover: het jaarlijkse congres van de <strong>Agenda Veerkrachtige &amp; Weerbare
Samenleving</strong>, op donderdag 12 maart in de Jaarbeurs in Utrecht. U staat ingeschreven namens
{{ organisation }} ({{ sector }}). Hieronder vindt u wat u vooraf wilt weten.</p>
<h2 style="font-size:1.1em">Het programma</h2>
<table style="border-collapse:collapse">
<tr><td style="padding:2px 12px 2px 0">09.30 uur</td><td>Ontvangst met koffie</td></tr>
<tr><td style="padding:2px 12px 2px 0">10.00 uur</td><td>Opening door de ministers van Justitie en Veiligheid en
van Binnenlandse Zaken</td></tr>
<tr><td style="padding:2px 12px 2px 0">10.45 uur</td><td>Eerste ronde werksessies, onder meer in het thema
{{ track }}</td></tr>
<tr><td style="padding:2px 12px 2px 0">12.15 uur</td><td>Lunch en informatiemarkt: gemeenten, maatschappelijke
organisaties en onderzoekers laten zien wat werkt</td></tr>
<tr><td style="padding:2px 12px 2px 0">13.30 uur</td><td>Tweede ronde werksessies</td></tr>
<tr><td style="padding:2px 12px 2px 0">15.00 uur</td><td>Plenaire afsluiting: wat nemen we mee naar de
uitvoeringsagenda?</td></tr>
<tr><td style="padding:2px 12px 2px 0">16.00 uur</td><td>Netwerkborrel</td></tr>
</table>
<ul>{% for session in sessions %}<li>{{ session }}</li>{% endfor %}</ul>
<h2 style="font-size:1.1em">Uw persoonlijke pagina</h2>
<p>Op <a href="{{ manage_url }}">uw persoonlijke pagina</a> ziet u uw inschrijving, kiest u uw werksessies en
downloadt u uw e-ticket. Kunt u onverhoopt niet komen? Meld u dan af via dezelfde pagina, zodat iemand van de
wachtlijst uw plaats krijgt.</p>
<h2 style="font-size:1.1em">Bereikbaarheid</h2>
<p>De Jaarbeurs ligt op vijf minuten lopen van station Utrecht Centraal. Parkeren kan in de parkeergarage P1; de
parkeerkosten worden niet vergoed. Heeft u een voorziening nodig om goed te kunnen deelnemen, laat het ons weten:
dan regelen we het.</p>
<p>Wij kijken ernaar uit u te ontmoeten.</p>
<p>Met vriendelijke groet,<br>het congresteam</p>
<p style="color:#555;font-size:0.9em">U ontvangt dit bericht omdat u zich hebt ingeschreven voor het congres.
<a href="{{ unsubscribe_url }}">Afmelden voor berichten als deze</a>.</p>
{% endblock %}
"""


class CountingHandler:
    """Counts every message the server accepts by its Message-ID."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.last_at = 0.0

    async def handle_DATA(self, server, session, envelope):
        match = re.search(rb"^Message-ID:\s*(<[^>\r\n]+>)", envelope.original_content or envelope.content,
                          re.IGNORECASE | re.MULTILINE)
        with self.lock:
            self.seen[match.group(1).decode() if match else "(none)"] += 1
            self.last_at = time.perf_counter()
        return "250 2.0.0 Ok: queued"

    def counts(self) -> tuple[int, int, float]:
        """(distinct Message-IDs, messages received, when the last arrived)."""
        with self.lock:
            return len(self.seen), sum(self.seen.values()), self.last_at


def _settings(database_url: str, workdir: Path, smtp_port: int) -> dict:
    return {"SQLALCHEMY_DATABASE_URI": database_url, "HUEY_SQLITE_PATH": str(workdir / "queue.db"),
            "HUEY_IMMEDIATE": False, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port}


def _queue_mailing(app, count: int) -> float:
    """Render the mailing for ``count`` recipients and queue it in one transaction, as a mailing is
    sent; the jobs go to the worker when it commits. Returns the seconds it took."""
    started = time.perf_counter()
    with app.test_request_context("/"), force_locale("nl"), write_transaction():
        # Compiled once, rendered for each recipient, as a mailing's text is.
        text, html = app.jinja_env.from_string(TEXT), app.jinja_env.from_string(HTML)
        for i in range(count):
            context = {
                "lang": "nl", "name": f"Deelnemer {i}", "organisation": f"Gemeente Voorbeeld {i % 342}",
                "sector": SECTORS[i % len(SECTORS)], "track": TRACKS[i % len(TRACKS)],
                "sessions": [f"Werksessie {TRACKS[(i + k) % len(TRACKS)]} ({k + 1})" for k in range(3)],
                "manage_url": f"{app.config['PUBLIC_BASE_URL']}/congres-2026/mijn/{i:06d}-bench",
                "unsubscribe_url": f"{app.config['PUBLIC_BASE_URL']}/afmelden/{i:06d}-bench",
            }
            message = OutboxMessage(
                to_address=f"deelnemer{i}@example.org", template="mailing", locale="nl", subject=SUBJECT,
                body_text=text.render(**context),
                body_html=html.render(email_subject=SUBJECT, **context),
                status=MailStatus.QUEUED.value, next_attempt_at=utcnow(),
                message_id_header=services.new_message_id(),
                headers={"List-Unsubscribe": f"<{context['unsubscribe_url']}>",
                         "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
            )
            db.session.add(message)
            db.session.info.setdefault(services.PENDING_KEY, []).append(message)
    return time.perf_counter() - started


def _peak_rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else 0.0


def run_one(label: str, database_url: str, workdir: Path, count: int) -> list[dict]:
    name = "mailing_delivery"
    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app = create_app(_settings(database_url, workdir, controller.port))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    env = {**os.environ, "DATABASE_URL": database_url, "CONGRESS_INSTANCE_DIR": str(workdir),
           "HUEY_SQLITE_PATH": str(workdir / "queue.db"), "MAIL_SERVER": "127.0.0.1",
           "MAIL_PORT": str(controller.port), "HUEY_IMMEDIATE": "0"}
    env.pop("REDIS_URL", None)
    log_path = workdir / "worker.log"
    with open(log_path, "wb") as log_file:
        parent = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "congress", "worker",
                                   "--processes", str(PROCESSES)], env=env, cwd=ROOT, stdout=log_file,
                                  stderr=subprocess.STDOUT)
    try:
        children = _wait_for_children(log_path, parent)
        started = time.perf_counter()
        with app.app_context():
            queue_seconds = _queue_mailing(app, count)
        while True:
            distinct, _total, last_at = handler.counts()
            if distinct >= count or (time.perf_counter() - max(last_at, started + queue_seconds)) > STALL_SECONDS:
                break
            time.sleep(0.05)
        distinct, total, last_at = handler.counts()
        elapsed = (last_at or time.perf_counter()) - started
        time.sleep(1.0)  # anything sent twice would arrive now
        rss = {pid: _peak_rss_mb(pid) for pid in children}
        load = os.getloadavg()[0]  # a shared 2-core machine: how many others wanted the CPU meanwhile
    finally:
        stop_worker(parent)
        controller.stop()
    distinct, total, _last = handler.counts()
    with app.app_context():
        stored = set(db.session.scalars(sa.select(OutboxMessage.message_id_header)))
        statuses = Counter(db.session.scalars(sa.select(OutboxMessage.status)))
        db.session.remove()
        db.engine.dispose()
    with handler.lock:
        received = set(handler.seen)
        duplicates = sum(n - 1 for n in handler.seen.values() if n > 1)
    lost = len(stored - received)
    rate = distinct / elapsed if elapsed > 0 else 0.0
    peak = max(rss.values(), default=0.0)
    return [
        {"benchmark": name, "database": label, "metric": f"messages/s end to end ({count:,}, {PROCESSES} workers)",
         "value": round(rate, 1), "target": f">= {TARGET_RATE:g}", "ok": rate >= TARGET_RATE},
        {"benchmark": name, "database": label, "metric": "seconds to render and queue the mailing",
         "value": round(queue_seconds, 1), "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "peak RSS per worker process (MB)",
         "value": " / ".join(f"{mb:.0f}" for mb in rss.values()), "target": f"< {TARGET_RSS_MB:g}",
         "ok": bool(rss) and peak < TARGET_RSS_MB},
        {"benchmark": name, "database": label, "metric": "machine's load average at the end (2 cores)",
         "value": round(load, 1), "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "duplicates / lost",
         "value": f"{duplicates} / {lost}", "target": "0 / 0", "ok": duplicates == 0 and lost == 0
         and total == count and statuses == Counter({MailStatus.SENT.value: count})},
    ]


def stop_worker(process: subprocess.Popen) -> None:
    """SIGTERM, as a service manager stops the worker; killed if it has not ended within a minute."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_for_children(log_path: Path, parent: subprocess.Popen, timeout: float = 60) -> list[int]:
    """The pids of the worker processes, once both consumers have started."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace")
        pids = [int(p) for p in re.findall(r"worker process \d+ started \(pid (\d+)\)", text)]
        consumers = re.findall(r"\[(\d+)\] INFO huey\.consumer: Huey consumer started", text)
        if len(pids) >= PROCESSES and len(set(consumers)) >= PROCESSES:
            return pids[:PROCESSES]
        if parent.poll() is not None:
            break
        time.sleep(0.1)
    raise RuntimeError(f"the worker processes did not start:\n{log_path.read_text(errors='replace')[-3000:]}")


def run() -> list[dict]:
    quick = os.environ.get("BENCH_QUICK") == "1"
    count = int(os.environ.get("BENCH_MAILS", "1000" if quick else "5000"))
    rows = on_both_databases("mailing_delivery", lambda label, url, workdir: run_one(label, url, workdir, count))
    for row in rows:
        print(f"  {row['database']:<10} {row['metric']:<42} {row['value']!s:>12}  {row.get('target', '')}")
    return rows


if __name__ == "__main__":
    run()
