"""Log lines a collector reads (LOG_FORMAT=json), the request id that ties them to a response, and the
PostgreSQL pool's size from DATABASE_POOL_SIZE."""

from __future__ import annotations

import json
import logging
import re

import pytest

from congress import ConfigurationError, create_app
from congress.extensions import db
from congress.logs import HANDLER_NAME


def test_every_response_carries_a_request_id_and_echoes_a_proxys(client):
    own = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", own)
    assert client.get("/healthz").headers["X-Request-ID"] != own
    assert client.get("/healthz", headers={"X-Request-ID": "nginx-4f2a.91"}).headers["X-Request-ID"] == "nginx-4f2a.91"
    for forged in ("<script>alert(1)</script>", "x" * 65, "a b", "é"):
        answered = client.get("/healthz", headers={"X-Request-ID": forged}).headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", answered), forged


@pytest.fixture
def json_app(app, restore_extensions):
    flasks_own = list(app.logger.handlers)  # the apps of a process share the "congress" logger
    server = create_app({**app.config, "LOG_FORMAT": "json"})

    @server.route("/_log-line")
    def log_line():
        server.logger.warning("Aanmelding %s bewaard", 42)
        try:
            raise RuntimeError("kapot")
        except RuntimeError:
            server.logger.exception("Mislukt")
        return "ok"

    yield server
    app.logger.handlers[:] = flasks_own
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)


def test_json_log_lines_carry_the_request_id(json_app):
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME)
    lines: list[str] = []
    handler.emit = lambda record: lines.append(handler.format(record))  # what it would write, caught here
    response = json_app.test_client().get("/_log-line", headers={"X-Request-ID": "req-7"})
    assert response.status_code == 200
    records = [json.loads(line) for line in lines]
    warning = next(r for r in records if r["message"] == "Aanmelding 42 bewaard")
    assert warning["level"] == "WARNING" and warning["request_id"] == "req-7"
    assert warning["logger"] == json_app.logger.name
    assert warning["time"].endswith("+00:00")
    failure = next(r for r in records if r["message"] == "Mislukt")
    assert "RuntimeError: kapot" in failure["exception"] and failure["request_id"] == "req-7"
    assert len([h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME]) == 1


def test_an_unknown_log_format_stops_the_start(app, restore_extensions):
    with pytest.raises(ConfigurationError, match="LOG_FORMAT 'xml'"):
        create_app({**app.config, "LOG_FORMAT": "xml"})


@pytest.mark.parametrize("value", ["abc", "0", "-3", "100000"])
def test_a_pool_size_that_is_not_one_stops_the_start(app, restore_extensions, value):
    with pytest.raises(ConfigurationError, match="DATABASE_POOL_SIZE"):
        create_app({**app.config, "SQLALCHEMY_DATABASE_URI": "postgresql://nobody@127.0.0.1:1/none",
                    "DATABASE_POOL_SIZE": value})


def test_the_pool_size_reaches_the_postgresql_engine(app, restore_extensions):
    server = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": "postgresql://nobody@127.0.0.1:1/none",
                         "DATABASE_POOL_SIZE": "7"})
    with server.app_context():
        assert db.engine.pool.size() == 7
        assert server.config["SQLALCHEMY_ENGINE_OPTIONS"]["max_overflow"] == 7
        db.engine.dispose()
