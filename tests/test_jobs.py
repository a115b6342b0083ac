"""The task queue: SQLite by default (no other server), Redis when REDIS_URL is set."""

import multiprocessing
import time

from huey.storage import RedisStorage, SqliteStorage

from congress import create_app, jobs
from congress.extensions import huey


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
