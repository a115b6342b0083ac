"""Knowledge-base search: 50,000 generated items; p50/p95 latency over 200 mixed queries with
facets on SQLite (FTS5) and PostgreSQL (GIN); indexing throughput. Statistics are gathered
after the bulk load (VACUUM ANALYZE, as autovacuum does on a real installation); no result cache.

BENCH_QUICK=1 shrinks the run to a few seconds; BENCH_DATABASES=postgresql (or sqlite) measures
one database; BENCH_ITEMS=200000 sets the archive's size (50,000 by default). The query mix has
the search syntax (AND, OR, -word, phrases), verb forms the stemming joins to their nouns
(polariseren finds polarisatie) and the demo's synonym list; besides wall time, each query's CPU
time in this process is measured (the machine is shared: wall time includes waiting for a core).

PostgreSQL runs on a throw-away server of scripts/pg_test_server.sh (its own data directory and
port), stopped afterwards; without PostgreSQL binaries only SQLite is measured.

After the bulk load, PostgreSQL gets what autovacuum gives an installation (within a minute or so of
such a load): VACUUM ANALYZE, i.e. planner statistics and a visibility map. The searches are then
measured as on a settled database, not as in the first minute after a 50,000-item import.
"""

from __future__ import annotations

import bisect
import itertools
import os
import random
import socket
import statistics
import subprocess
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from config import TestConfig
from congress import create_app
from congress.archive import search, services
from congress.archive.demo import SYNONYMS
from congress.archive.models import KnowledgeItem, KnowledgeTerm, RecognitionLevel
from congress.archive.text import STOP_WORDS
from congress.database import utcnow
from congress.extensions import db

ROOT = Path(__file__).resolve().parent.parent
QUICK = os.environ.get("BENCH_QUICK") == "1"
N_ITEMS = 2_000 if QUICK else int(os.environ.get("BENCH_ITEMS", "50000"))
N_QUERIES = 40 if QUICK else 200
TARGET_P95_MS = 50.0

WORDS = [
    "veerkracht", "weerbaarheid", "samenleving", "gemeenten", "professionals", "jongeren", "ouders", "wijk",
    "buurt", "school", "polarisatie", "desinformatie", "mediawijsheid", "radicalisering", "extremisme",
    "discriminatie", "racisme", "criminaliteit", "preventie", "zelfbeschikking", "emancipatie", "identiteit",
    "ontwikkeling", "gezinsstructuren", "burgerschap", "cohesie", "ontmoeting", "participatie", "netwerken",
    "sleutelfiguren", "jongerenwerk", "werkplaats", "interventie", "evaluatie", "methode", "onderzoek",
    "kennisbasis", "praktijk", "beleid", "samenwerking", "expertise", "training", "gastles", "dialoog", "avond",
    "bewoners", "verenigingen", "bedrijven", "activiteiten", "hulp", "leefbaarheid", "veiligheid", "focusgebied",
    "uitkering", "middelen", "budget", "ministerie", "congres", "workshop", "sessie", "verslag", "presentatie",
    "rapport", "nieuws", "mijlpaal", "democratische", "rechtsstaat", "vrijheid", "keuzes", "kansen",
    "superdiversiteit", "migratie", "achtergrond", "opleiding", "religie", "stabiliteit", "inclusief", "omzien",
    "toekomst", "risicofactoren", "beschermende", "factoren", "buffer", "individu", "gemeenschap", "maatschappij",
    "palet", "geteste", "landelijk", "gebruiken", "testen", "werkt", "doen", "effectief", "bewezen"
]
# Verb forms of nouns in WORDS (polariseren -> polarisatie), and words of the demo's synonym list.
VERBS = ["polariseren", "participeren", "evalueren", "radicaliseren", "jongeren", "jeugd", "veerkracht"]
TRACKS = ["Digitale weerbaarheid", "Zelfbeschikking en emancipatie", "Preventie van jeugdcriminaliteit",
          "Netwerken en participatie"]
TYPES = ["sessieverslag", "presentatie", "opname", "interventie", "evaluatie", "rapport", "nieuws", "mijlpaal"]
FACTORS = ["positieve identiteitsontwikkeling", "digitale weerbaarheid", "ondersteunende gezinsstructuren",
           "democratisch burgerschap", "sociale cohesie"]
GROUPS = ["jongeren", "ouders", "professionals", "gemeenten", "leerlingen", "bewoners"]
EVIDENCE = [level.value for level in RecognitionLevel]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Dutch function words, then the base words, then Dutch-style compounds (jongerenwerk + plaats
    …), ranked by a Zipf law (s = 1) as in real text: function words are the most frequent, a few
    content words are common, most are rare."""
    compounds = {a + b for a in WORDS for b in WORDS if a != b}
    content = list(WORDS)
    rng.shuffle(content)
    content += rng.sample(sorted(compounds), 6000)
    vocabulary = sorted(STOP_WORDS) + content
    weights = [1.0 / rank for rank in range(1, len(vocabulary) + 1)]
    return vocabulary, list(itertools.accumulate(weights))


VOCABULARY: list[str] = []
CUMULATIVE: list[float] = []


def _word(rng: random.Random) -> str:
    return VOCABULARY[bisect.bisect(CUMULATIVE, rng.random() * CUMULATIVE[-1]) % len(VOCABULARY)]


def _query_word(rng: random.Random) -> str:
    """What people type: content words, common ones more often (the same Zipf law)."""
    while True:
        word = _word(rng)
        if word not in STOP_WORDS:
            return word


def _text(rng: random.Random, n: int) -> str:
    return " ".join(_word(rng) for _ in range(n))


def _queries(rng: random.Random) -> list[dict]:
    """Words drawn from the same Zipf law as the text (people search for common words too)."""
    queries = []
    for i in range(N_QUERIES):
        kind = i % 10
        q = {"q": "", "filters": {}, "sort": "relevance", "page": 1}
        if kind in (0, 1, 2):
            q["q"] = _query_word(rng)
        elif kind == 3:
            q["q"] = f"{_query_word(rng)} {_query_word(rng)}"
        elif kind == 4:
            # The syntax people type, and a verb whose noun the stemming finds.
            a, b = _query_word(rng), _query_word(rng)
            q["q"] = rng.choice([f"{a} AND {b}", f"{a} OR {b}", f"{a} -{b}", f'"{a} {b}" OR {b}',
                                 rng.choice(VERBS), f"{rng.choice(VERBS)} {a}", f"{a} OR {b} -{_query_word(rng)}"])
        elif kind == 5:
            q["q"] = f'"{_query_word(rng)} {_query_word(rng)}"'
        elif kind == 6:
            q["q"] = _query_word(rng)
            q["filters"] = {"types": [rng.choice(TYPES)], "years": [rng.choice([2023, 2024, 2025])]}
        elif kind == 7:
            q["q"] = _query_word(rng)
            q["filters"] = {"factors": [rng.choice(FACTORS)], "tracks": [rng.choice(TRACKS)]}
            q["sort"] = "date"
        elif kind == 8:
            q["q"] = ""
            q["filters"] = {"types": ["interventie"]}
            q["sort"] = "date"
            q["page"] = rng.randint(1, 5)
        else:
            q["q"] = rng.choice(['"unbalanced ' + _query_word(rng), _query_word(rng) + "*", "NEAR(a b)", "x" * 5000,
                                 _query_word(rng) + " AND OR"])
        queries.append(q)
    return queries


def _generate(rng: random.Random) -> tuple[list[dict], list[dict]]:
    items, terms = [], []
    start = date(2023, 1, 1)
    for i in range(1, N_ITEMS + 1):
        item_type = rng.choice(TYPES)
        published = start + timedelta(days=rng.randrange(0, 3 * 365))
        items.append({
            "id": i, "key": f"b{i:09d}", "type": item_type, "status": "published" if rng.random() < 0.9 else "draft",
            "title": _text(rng, rng.randint(4, 9)).capitalize(), "summary": _text(rng, rng.randint(20, 40)),
            "body": _text(rng, rng.randint(60, 140)), "track_name": rng.choice(TRACKS + [""]),
            "authors": [], "organisations": [], "links": [], "language": "nl" if rng.random() < 0.9 else "en",
            "licence": "CC BY 4.0", "publication_date": published, "year": published.year,
            "evidence_status": rng.choice(EVIDENCE) if item_type == "interventie" else None, "setting": "",
            "withdrawal_reason": "",
        })
        for factor in rng.sample(FACTORS, rng.randint(0, 2)):
            terms.append({"item_id": i, "kind": "factor", "value": factor})
        for group in rng.sample(GROUPS, rng.randint(0, 2)):
            terms.append({"item_id": i, "kind": "target_group", "value": group})
    return items, terms


def _measure(database_url: str, label: str, items: list[dict], terms: list[dict], queries: list[dict]) -> list[dict]:
    settings = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    tmp = tempfile.mkdtemp(prefix="archive-bench-")
    settings.update(SQLALCHEMY_DATABASE_URI=database_url, HUEY_SQLITE_PATH=f"{tmp}/huey.db")
    app = create_app(settings)
    rows: list[dict] = []
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        now = utcnow()
        for row in items:
            row.setdefault("created_at", now)
            row.setdefault("updated_at", now)
        t0 = time.perf_counter()
        for chunk in range(0, len(items), 5000):
            db.session.execute(sa.insert(KnowledgeItem), items[chunk:chunk + 5000])
        db.session.execute(sa.insert(KnowledgeTerm), terms)
        db.session.commit()
        for words in SYNONYMS:
            services.save_synonym(words)
        inserted = time.perf_counter() - t0

        # Indexing: what the application does for each saved item (analysis + index write).
        engine = search.engine()
        term_text: dict[int, list[str]] = {}
        for term in terms:
            term_text.setdefault(term["item_id"], []).append(term["value"])
        t0 = time.perf_counter()
        batch = []
        for row in items:
            batch.append({"id": row["id"], "title": row["title"],
                          "summary": " ".join([row["summary"], *term_text.get(row["id"], []), row["track_name"]]),
                          "body": row["body"]})
            if len(batch) == 500:
                engine.index(batch)
                search.add_words(batch)
                batch = []
        engine.index(batch)
        search.add_words(batch)
        db.session.commit()
        indexed = time.perf_counter() - t0
        if label == "postgresql":
            # What autovacuum does after such a load (VACUUM cannot run inside a transaction).
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))

        stored = db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeItem))
        if stored != len(items):
            raise RuntimeError(f"{stored} items stored, not {len(items)}: the benchmark would measure less")
        answered: list[int] = []

        cpu: list[float] = []

        def run(q: dict) -> float:
            start, start_cpu = time.perf_counter(), time.process_time()
            result = search.search(q["q"], search.SearchFilters(**q["filters"]), sort=q["sort"], page=q["page"])
            elapsed = time.perf_counter() - start
            cpu.append((time.process_time() - start_cpu) * 1000)
            answered.append(result.total)
            db.session.rollback()
            return elapsed * 1000

        for q in queries[:10]:  # warm the caches
            run(q)
        del cpu[:]
        timings = [run(q) for q in queries]
        cpu_p95 = statistics.quantiles(cpu, n=20)[18]
        p50 = statistics.median(timings)
        p95 = statistics.quantiles(timings, n=20)[18]
        with_results = sum(1 for total in answered[10:] if total > 0)
        if with_results < len(timings) // 2:
            # Searches that find nothing are cheap: a broken index would look fast.
            raise RuntimeError(f"only {with_results} of {len(timings)} queries found anything")
        db.session.remove()
        db.engine.dispose()

    name = "archive_search"
    rows += [
        {"benchmark": name, "database": label, "metric": f"items (generated, {len(terms)} facet terms)",
         "value": len(items), "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "bulk insert (items/s)", "value": round(len(items) / inserted),
         "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "indexing throughput (items/s)",
         "value": round(len(items) / indexed), "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric":
            f"search p50 over {len(timings)} mixed queries with facets (ms)",
         "value": round(p50, 1), "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric":
            f"search p95 over {len(timings)} mixed queries with facets (ms)",
         "value": round(p95, 1), "target": f"≤ {TARGET_P95_MS:.0f}", "ok": p95 <= TARGET_P95_MS},
        {"benchmark": name, "database": label, "metric":
            "search p95 CPU time of this process (ms; SQLite runs in it, PostgreSQL's server is not counted)",
         "value": round(cpu_p95, 1), "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "search max (ms)", "value": round(max(timings), 1),
         "target": "", "ok": None},
        {"benchmark": name, "database": label, "metric": "queries that found results",
         "value": f"{with_results} / {len(timings)}", "target": "≥ half", "ok": True},
    ]
    for row in rows:
        print(f"  {row['database']}: {row['metric']}: {row['value']}", flush=True)
    return rows


def run() -> list[dict]:
    rng = random.Random(2025)
    VOCABULARY[:], CUMULATIVE[:] = _vocabulary(rng)
    items, terms = _generate(rng)
    queries = _queries(rng)
    rows: list[dict] = []
    wanted = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").lower().split(",")
    if "sqlite" in wanted:
        with tempfile.TemporaryDirectory(prefix="archive-bench-") as tmp:
            rows += _measure(f"sqlite:///{tmp}/bench.db", "sqlite", [dict(i) for i in items], terms, queries)
    if "postgresql" not in wanted:
        return rows

    script = ROOT / "scripts" / "pg_test_server.sh"
    env = dict(os.environ, PG_TEST_DIR=f"/tmp/congress-pg-archive-bench-{os.getpid()}", PG_TEST_PORT=str(_free_port()))
    try:
        url = subprocess.run([str(script), "start"], cwd=ROOT, env=env, check=True, capture_output=True,
                             text=True).stdout.strip()
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"  postgresql: skipped ({exc})")
        return rows
    try:
        rows += _measure(url, "postgresql", [dict(i) for i in items], terms, queries)
    finally:
        subprocess.run([str(script), "stop"], cwd=ROOT, env=env, check=False)
        subprocess.run(["rm", "-rf", env["PG_TEST_DIR"]], check=False)
    return rows


if __name__ == "__main__":
    run()
