"""Error pages in the user's language, and JSON errors for API clients."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from congress.database import end_transaction, is_transient

TRANSIENT_RETRY_AFTER_SECONDS = 2

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


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render_error(code: int, description: str | None = None):  # noqa: ANN201
    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if wants_json():
        return jsonify({"error": {"code": code, "title": str(title), "message": description or str(message)}}), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException):  # noqa: ANN202
        code = exc.code or 500
        if code >= 500:
            end_transaction()
        response = render_error(code, _json_description(exc))
        if code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
            body, status = response
            return body, status, {"Allow": ", ".join(exc.valid_methods)}
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):  # noqa: ANN202
        end_transaction()
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
