"""The unsubscribe pages, ``/unsubscribe/<token>`` (blueprint ``communications.unsubscribe``).

``GET`` shows the address and a button, and changes nothing (link scanners and previews fetch links).
``POST`` opts the address out, without a session and without a CSRF token: mail clients send it by
themselves for RFC 8058's one-click (``List-Unsubscribe=One-Click``), so exactly this endpoint is
exempt from CSRF, when the blueprint is registered. "Subscribe again" is an ordinary form, with CSRF.
A forged or altered token is a 404."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask.blueprints import BlueprintSetupState

from congress.communications import unsubscribe
from congress.communications.forms import ButtonForm
from congress.extensions import csrf, limiter

bp = Blueprint("unsubscribe", __name__)
ONE_CLICK = "List-Unsubscribe=One-Click"


def _limit() -> str:
    """Tokens are HMACs, so guessing one is hopeless; the limit keeps a client from trying at volume."""
    return current_app.config.get("UNSUBSCRIBE_RATE_LIMIT", "30 per minute;300 per hour")


def _email(token: str) -> str:
    email = unsubscribe.email_for(token)
    if email is None:
        abort(404)
    return email


def _page(token: str, email: str, *, state: str, status: int = 200):
    response = render_template("communications/unsubscribe.html", token=token, email=email, state=state,
                               button=ButtonForm())
    return response, status, {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}


@bp.route("/unsubscribe/<token>", methods=["GET"])
@limiter.limit(_limit)
def page(token: str):
    email = _email(token)
    return _page(token, email, state="opted_out" if unsubscribe.is_opted_out(email) else "subscribed")


@bp.route("/unsubscribe/<token>", methods=["POST"])
@limiter.limit(_limit)
def one_click(token: str):
    """The button on the page, or the mail client's one-click POST (RFC 8058): no session, no CSRF."""
    email = _email(token)
    source = "one-click" if request.form.get("List-Unsubscribe") == ONE_CLICK.partition("=")[2] else "link"
    unsubscribe.opt_out(email, source=source)
    return _page(token, email, state="done")


@bp.route("/unsubscribe/<token>/again", methods=["POST"])
@limiter.limit(_limit)
def resubscribe(token: str):
    email = _email(token)
    unsubscribe.opt_in(email)
    return _page(token, email, state="again")


@bp.record_once
def _exempt_one_click(_state: BlueprintSetupState) -> None:
    """When the app registers the blueprint (never at import time): only the one-click POST is exempt."""
    csrf.exempt(one_click)
