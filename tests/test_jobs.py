"""The task queue: SQLite by default (no other server), Redis when REDIS_URL is set."""

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
