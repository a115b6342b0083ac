"""Log lines for a log collector: with ``LOG_FORMAT=json`` every record is one JSON object per line on
standard error — time (UTC, ISO 8601), level, logger, message, the request's id while a request is
handled, and the traceback of an exception — instead of Flask's plain text.

Every request has an id: the ``X-Request-ID`` a proxy sent (up to 64 letters, digits, ``-``, ``_``, ``.``),
else a new random one; it is answered in the response's ``X-Request-ID`` header, so a user's report, the
proxy's log and the application's log meet on it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

HANDLER_NAME = "congress-json"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id()
        if rid:
            line["request_id"] = rid
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def _install_json_handler() -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == HANDLER_NAME:
            root.removeHandler(handler)  # a second app in one process: one handler, not two
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)


def init_app(app: Flask) -> None:
    value = str(app.config.get("LOG_FORMAT") or "text").strip().lower()
    if value not in ("text", "json"):
        raise ValueError(f"LOG_FORMAT '{value}' is neither text nor json.")
    if value == "json":
        _install_json_handler()
        app.logger.handlers.clear()  # Flask's own plain-text handler: the root's JSON one takes the records
        app.logger.propagate = True

    @app.before_request
    def identify() -> None:
        sent = request.headers.get("X-Request-ID", "")
        g.request_id = sent if _REQUEST_ID.match(sent) else uuid.uuid4().hex

    @app.after_request
    def answer_id(response: Response) -> Response:
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
        return response
