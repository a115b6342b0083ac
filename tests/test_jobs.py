"""The task queue: SQLite by default (no other server), Redis when REDIS_URL is set."""

import multiprocessing
import os
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from huey import crontab
from huey.storage import RedisStorage, SqliteStorage

from congress import create_app, jobs
from congress.database import utcnow
from congress.extensions import db, huey


def test_sqlite_queue_by_default_and_redis_by_configuration(app, tmp_path):
    try:
        worker_like = create_app({**app.config, "HUEY_IMMEDIATE": False, "HUEY_SQLITE_PATH": str(tmp_path / "q.db")})
        assert isinstance(huey.storage, SqliteStorage)
        assert not huey.immediate
        assert (tmp_path / "q.db").exists()
        del worker_like

        create_app({**app.config, "HUEY_IMMEDIATE": False, "REDIS_URL": "redis://127.0.0.1:1/0"})
        assert isinstance(huey.storage, RedisStorage)  # connects lazily: no server needed to configure
    finally:
        jobs.init_app(app)  # back to the test app's immediate queue
    assert huey.immediate



def _open_queue_and_enqueue(path: str, start: float) -> None:
    while time.time() < start:
        pass
    jobs.QueueFile(filename=path).enqueue(b"job")


def test_workers_opening_a_new_queue_file_together_all_start(tmp_path):
    """Six processes open one new queue file at the same instant (workers started together). With
    Huey's plain SqliteStorage about one process in fifteen died with "database is locked" while
    the file turned to WAL (8 of 120 measured); the queue file waits for the other to finish."""
    failed = 0
    for attempt in range(12):
        path = str(tmp_path / f"queue-{attempt}.db")
        start = time.time() + 0.3
        processes = [multiprocessing.Process(target=_open_queue_and_enqueue, args=(path, start)) for _ in range(6)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=60)
        failed += sum(process.exitcode != 0 for process in processes)
        assert len(jobs.QueueFile(filename=path).enqueued_items()) == 6 - failed
    assert failed == 0


# -- periodic jobs run once per period, whatever the number of consumers -------------------------------


@jobs.periodic_task(crontab(minute="*"), once="minute")
def _tick() -> int:
    """A periodic job that notes each run in the file CONGRESS_TEST_TICKS names (one line per run)."""
    with open(os.environ["CONGRESS_TEST_TICKS"], "a") as ticks:
        ticks.write(f"{os.getpid()}\n")
    return os.getpid()


def test_a_periodic_task_must_say_which_period_it_runs_once_in():
    with pytest.raises(TypeError):
        jobs.periodic_task(crontab(minute="*"))  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="once must be one of"):
        jobs.periodic_task(crontab(minute="*"), once="fortnight")
    when = datetime(2026, 12, 2, 18, 5, 42, tzinfo=UTC)
    assert [jobs.period_key(p, when) for p in ("minute", "hour", "day", "week", "month")] == [
        "2026-12-02T18:05", "2026-12-02T18", "2026-12-02", "2026-W49", "2026-12"]


def _race_for_the_period(settings: dict, ticks: str, start: float, results) -> None:
    os.environ["CONGRESS_TEST_TICKS"] = ticks
    worker_like = create_app(settings)  # its own engine and connections, a queue that is not immediate
    with worker_like.app_context():
        while time.time() < start:
            pass
        results.put(_tick.call_local())


def _well_inside_a_minute(at: float) -> float:
    """``at``, or later so that the race starts 5 to 50 s into a minute: the period is the minute in
    which a process asks, and a process that makes its app late on a busy machine must still ask in
    the same minute as the others (once, a round that straddled a minute ran the job twice, once per
    minute, as it should)."""
    second = at % 60
    return at if 5 <= second <= 50 else at + (65 - second) % 60


def test_four_processes_racing_for_one_period_run_the_job_once(app, tmp_path):
    """Four consumers' schedulers enqueued the same periodic job for the same minute: the database
    decides which one runs it (on SQLite and, with TEST_DATABASE_URL, on PostgreSQL)."""
    settings = {**app.config, "HUEY_IMMEDIATE": False, "HUEY_SQLITE_PATH": str(tmp_path / "q.db")}
    job = "tests.test_jobs._tick"
    context = multiprocessing.get_context("fork")
    try:
        for round_number in range(5):
            ticks = tmp_path / f"ticks-{round_number}"
            ticks.touch()
            results = context.Queue()
            start = _well_inside_a_minute(time.time() + 3.0)
            processes = [context.Process(target=_race_for_the_period, args=(settings, str(ticks), start, results))
                         for _ in range(4)]
            for process in processes:
                process.start()
            for process in processes:
                process.join(timeout=60)
            assert [p.exitcode for p in processes] == [0, 0, 0, 0]
            answers = [results.get(timeout=5) for _ in processes]
            runs = ticks.read_text().split()
            assert len(runs) == 1, runs  # exactly one ran …
            ran = [a for a in answers if a is not None]
            assert ran == [int(runs[0])] and answers.count(None) == 3  # … and three were told it ran elsewhere
            db.session.commit()
            rows = db.session.scalars(sa.select(jobs.JobPeriod).where(jobs.JobPeriod.job == job)).all()
            assert len(rows) == 1 and rows[0].pid == int(runs[0]) and rows[0].host
            # The next round races for the same minute again.
            db.session.execute(sa.delete(jobs.JobPeriod))
            db.session.commit()
    finally:
        jobs.init_app(app)


def test_a_periodic_job_runs_again_in_the_next_period_and_old_periods_are_pruned(app):
    job = "tests.test_jobs.example"
    assert jobs.claim_period(job, "2026-12-02T18:05")
    assert not jobs.claim_period(job, "2026-12-02T18:05")
    assert jobs.claim_period(job, "2026-12-02T18:06")
    assert jobs.claim_period("tests.test_jobs.other", "2026-12-02T18:05")  # another job, its own period
    db.session.execute(sa.update(jobs.JobPeriod).where(jobs.JobPeriod.period == "2026-12-02T18:05").values(
        claimed_at=utcnow() - jobs.PERIOD_ROWS_KEPT - timedelta(hours=1)))
    db.session.commit()
    assert jobs.claim_period(job, "2026-12-02T18:07")  # prunes this job's rows older than a week
    left = set(db.session.execute(sa.select(jobs.JobPeriod.job, jobs.JobPeriod.period)).all())
    assert left == {(job, "2026-12-02T18:06"), (job, "2026-12-02T18:07"),
                    ("tests.test_jobs.other", "2026-12-02T18:05")}


def test_a_periodic_task_called_in_immediate_mode_runs_every_time(app, tmp_path, monkeypatch):
    """Without a consumer (the tests' immediate queue) nobody schedules periodic jobs: a caller runs one now."""
    monkeypatch.setenv("CONGRESS_TEST_TICKS", str(tmp_path / "ticks"))
    assert huey.immediate
    assert _tick.call_local() == os.getpid() and _tick.call_local() == os.getpid()
    assert len((tmp_path / "ticks").read_text().split()) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(jobs.JobPeriod)) == 0


# -- the supervisor of several consumer processes ------------------------------------------------------


def _crash(_slot: int) -> None:
    raise RuntimeError("this worker cannot start")


def test_children_that_keep_crashing_stop_the_supervisor_with_an_error():
    supervisor = jobs.Supervisor(2, _crash, max_crashes=4, window_seconds=60)
    started = time.monotonic()
    assert supervisor.run() == 1
    assert len(supervisor.crashes) == 4 and supervisor.children == {}
    assert time.monotonic() - started < 30
