"""Error pages in the user's language, and JSON errors for API clients."""

from __future__ import annotations

import errno
from typing import Any

from flask import Flask, flash, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from congress.database import end_transaction, is_transient
from congress.storage import StorageUnavailable

TRANSIENT_RETRY_AFTER_SECONDS = 2


# --- refusals by the rules of a capability --------------------------------------------------


class ServiceError(ValueError):
    """A rule of a capability refused the request. Every capability's error derives from this.

    ``message`` is translated (shown as is); ``field`` names the form or API field it belongs next
    to; ``code`` is a stable machine-readable reason (``full``, ``closed``, ``duplicate``, …);
    ``errors`` maps fields to messages when there are several. Views that show a form catch it and
    put the message next to the field; uncaught, it is answered with ``status`` (422: the input
    breaks a rule; 409: the current state does not allow it) in HTML or JSON, never 500.
    """

    status = 422

    def __init__(self, message: Any = "", *, code: str = "invalid", field: str | None = None,
                 errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.code = code
        self.field = field
        self.errors = errors or ({field: [str(message)]} if field else {})


class InvalidInput(ServiceError):
    """The input breaks a rule (422)."""

    status = 422


class Conflict(ServiceError):
    """The current state does not allow it: full, closed, already done, changed meanwhile (409)."""

    status = 409


class NotPermitted(ServiceError):
    """This user may not do this here (403)."""

    status = 403

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Check what you entered and try again.")),
    401: (_l("Login required"), _l("You need to log in or present a valid token to see this.")),
    403: (_l("No access"), _l("You do not have permission to see this page.")),
    404: (_l("Page not found"), _l("This page does not exist (any more). Check the address.")),
    405: (_l("Method not allowed"), _l("This page cannot be used in this way.")),
    409: (_l("Conflict"), _l("This could not be done because of the current state. Reload and try again.")),
    410: (_l("Gone"), _l("This page has been withdrawn.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    422: (_l("Invalid input"), _l("Some of what you entered is not valid.")),
    429: (_l("Too many requests"), _l("You made too many requests. Wait a moment and try again.")),
    503: (_l("Busy for a moment"),
          _l("The system is busy for a moment, so this was not done. Please try again in a few seconds.")),
    500: (_l("Something went wrong"), _l("An unexpected error occurred. It has been logged; please try again later.")),
}
# Storage that refuses writes is a 503 too, with a message that says nothing was saved.
STORAGE_REFUSED = (_l("Temporarily unavailable"),
                   _l("The server cannot store anything right now (its storage is full or read-only). What you sent "
                      "has not been saved. Please try again later."))
# Object storage that cannot be reached (or refuses us): a 503 that says nothing was saved either.
STORAGE_UNAVAILABLE = (_l("Temporarily unavailable"),
                       _l("Files cannot be stored or fetched right now. Nothing of what you sent has been saved. "
                          "Please try again in a few minutes."))
CSRF_MESSAGE = _l("This form has expired or did not come from this site. Go back, reload the page and try again.")

# Storage that refuses writes: the database or the disk is full, or it is read-only.
_SQLITE_STORAGE_CODES = {13, 8}  # SQLITE_FULL, SQLITE_READONLY (primary codes)
_POSTGRES_STORAGE_STATES = {"53100", "25006"}  # disk_full, read_only_sql_transaction
_OS_STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}



def show_refusal(form: Any, exc: ServiceError) -> None:
    """A service's refusal on the form that caused it: each message next to its field; when none of
    them names a field of this form, the message above the form (a flashed error)."""
    placed = False
    for name, messages in (exc.errors or {}).items():
        target = getattr(form, name, None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, *messages]
            placed = True
    if not placed:
        flash(exc.message, "error")


def storage_refused(exc: BaseException) -> bool:
    """Whether this error means that nothing could be stored (disk full, read-only), as opposed to
    a bug: it is answered 503 with a message that says nothing was saved, never 500."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        orig = getattr(current, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's error
        for candidate in (current, orig):
            if candidate is None:
                continue
            code = getattr(candidate, "sqlite_errorcode", None)
            if code is not None and code & 0xFF in _SQLITE_STORAGE_CODES:
                return True
            if getattr(candidate, "sqlstate", None) in _POSTGRES_STORAGE_STATES:
                return True
            if isinstance(candidate, OSError) and candidate.errno in _OS_STORAGE_ERRNOS:
                return True
        current = current.__cause__ or current.__context__
    return False


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render_error(code: int, description: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if wants_json():
        return jsonify({"error": {"code": code, "title": str(title), "message": description or str(message)}}), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def render_storage_refused(texts: tuple[Any, Any] = STORAGE_REFUSED):
    title, message = texts
    headers = {"Retry-After": "120"}
    if wants_json():
        return jsonify({"error": {"code": 503, "title": str(title), "message": str(message)}}), 503, headers
    return render_template("errors/error.html", code=503, title=title, message=message), 503, headers


def render_refusal(exc: ServiceError):
    title = MESSAGES.get(exc.status, MESSAGES[422])[0]
    if wants_json():
        body: dict[str, Any] = {"code": exc.status, "title": str(title), "message": exc.message, "reason": exc.code}
        if exc.field:
            body["field"] = exc.field
        if exc.errors:
            body["errors"] = {k: [str(m) for m in v] for k, v in exc.errors.items()}
        return jsonify({"error": body}), exc.status
    return render_template("errors/error.html", code=exc.status, title=title, message=exc.message), exc.status


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException):
        code = exc.code or 500
        if code >= 500:
            end_transaction()
        response = render_error(code, _json_description(exc))
        if code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
            body, status = response
            return body, status, {"Allow": ", ".join(exc.valid_methods)}
        return response

    @app.errorhandler(CSRFError)
    def handle_csrf(exc: CSRFError):
        # A form without (or with an expired) CSRF token: say what to do, not just "bad request".
        if wants_json():
            return render_error(400, str(CSRF_MESSAGE))
        return render_template("errors/error.html", code=400, title=MESSAGES[400][0], message=CSRF_MESSAGE), 400

    @app.errorhandler(ServiceError)
    def handle_refusal(exc: ServiceError):
        # A rule refused it and the view did not show it next to a field: say so, with its status.
        end_transaction()
        return render_refusal(exc)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        end_transaction()
        if isinstance(exc, StorageUnavailable):
            # Logged by congress.storage with the area and the reason; any transaction was rolled back.
            app.logger.error("Storage unavailable, answered 503: %s", exc)
            return render_storage_refused(STORAGE_UNAVAILABLE)
        if storage_refused(exc):
            # The transaction was rolled back: nothing of this request is stored, and the answer says so.
            app.logger.error("Storage refused a write (full or read-only): %s", exc)
            return render_storage_refused()
        if is_transient(exc):
            # Nothing was stored (the transaction rolled back): the client may simply try again.
            app.logger.warning("Transient database error, answered 503: %s", exc)
            body, status = render_error(503)
            return body, status, {"Retry-After": str(TRANSIENT_RETRY_AFTER_SECONDS)}
        app.logger.exception("Unhandled exception: %s", exc)
        return render_error(500)



def _json_description(exc: HTTPException) -> str | None:
    """Only descriptions we wrote on purpose reach API clients (``abort(409, description=…)``)."""
    description = getattr(exc, "description", None)
    default = type(exc).description if hasattr(type(exc), "description") else None
    return description if description and description != default else None
