"""Security headers on every response (Flask-Talisman) and login management."""

from __future__ import annotations

import time

from flask import Flask

from congress.extensions import login_manager, talisman

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def init_app(app: Flask) -> None:
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="strict-origin-when-cross-origin",
        frame_options="DENY",
        x_content_type_options=True,
        permissions_policy={"camera": "(self)", "microphone": "()", "geolocation": "()"},
    )

    @app.before_request
    def _start_timer() -> None:
        from flask import g

        g.request_started = time.perf_counter()

    @app.after_request
    def _server_timing(response):  # noqa: ANN001, ANN202
        """How long the application took, for browsers' dev tools and the benchmarks."""
        from flask import g

        started = g.get("request_started")
        if started is not None:
            response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
        return response

    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):  # noqa: ANN202
        from congress.accounts.services import user_for_session

        return user_for_session(user_id)

    @login_manager.unauthorized_handler
    def unauthorized():  # noqa: ANN202
        from flask import abort, flash, redirect, request, url_for

        if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
            abort(401)
        flash(login_manager.login_message, "info")
        return redirect(url_for("accounts.login", next=request.full_path if request.query_string else request.path))
