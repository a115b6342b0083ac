"""Error pages in the user's language, and JSON errors for API clients."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from congress.extensions import db

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
    500: (_l("Something went wrong"), _l("An unexpected error occurred. It has been logged; please try again later.")),
}
CSRF_MESSAGE = _l("This form has expired or did not come from this site. Go back, reload the page and try again.")


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
            db.session.rollback()
        response = render_error(code, _json_description(exc))
        if code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
            body, status = response
            return body, status, {"Allow": ", ".join(exc.valid_methods)}
        return response

    @app.errorhandler(CSRFError)
    def handle_csrf(exc: CSRFError):  # noqa: ANN202
        # A form without (or with an expired) CSRF token: say what to do, not just "bad request".
        if wants_json():
            return render_error(400, str(CSRF_MESSAGE))
        return render_template("errors/error.html", code=400, title=MESSAGES[400][0], message=CSRF_MESSAGE), 400

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):  # noqa: ANN202
        app.logger.exception("Unhandled exception: %s", exc)
        db.session.rollback()
        return render_error(500)



def _json_description(exc: HTTPException) -> str | None:
    """Only descriptions we wrote on purpose reach API clients (``abort(409, description=…)``)."""
    description = getattr(exc, "description", None)
    default = type(exc).description if hasattr(type(exc), "description") else None
    return description if description and description != default else None
