"""Public pages: the current edition's landing page and each edition's overview."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, Response, abort, jsonify, render_template
from sqlalchemy import text

from congress.core import queries as core
from congress.extensions import db
from congress.programme import queries as programme
from congress.public import site, structured_data
from congress.public import sitemap as maps
from congress.readiness import readiness
from congress.storage import storage

YEAR = 365 * 24 * 3600

bp = Blueprint("public", __name__)


@bp.app_context_processor
def _structured_data() -> dict:
    """schema.org JSON-LD for every public page's template: ``{{ json_ld(structured_data.…(…)) }}``."""
    return {"json_ld": structured_data.json_ld, "structured_data": structured_data}


@bp.route("/")
def index():
    congress = core.current_congress()
    return render_template(
        "public/index.html", congress=congress, editions=core.public_congresses()
    )


@bp.route("/<slug>/")
def edition(slug: str):
    congress = core.public_congress_or_404(slug)
    sessions = programme.public_sessions(congress)
    days = [
        (day, list(items))
        for day, items in groupby(sessions, key=lambda s: programme.local_day(s, congress))
    ]
    return render_template("public/edition.html", congress=congress, days=days,
                           tracks=site.tracks_with_sessions(congress, sessions),
                           plenary_days=site.plenary_days(congress, days), seats=site.seats(congress),
                           route_url=site.route_url(congress))


def _immutable(response: Response) -> Response:
    """Served under a name that changes with its content: cached for a year."""
    response.cache_control.public = True
    response.cache_control.max_age = YEAR
    response.cache_control.immutable = True
    return response


@bp.route("/<slug>/logo/<name>")
def logo(slug: str, name: str):
    """The edition's logo, under its content hash (a new logo is a new address)."""
    congress = core.public_congress_or_404(slug)
    key = core.logo_stored_key(name) if name == congress.logo else None
    if key is None:
        abort(404)
    return _immutable(storage(core.LOGO_AREA).send(key, mimetype="image/png", max_age=YEAR))


@bp.route("/<slug>/accent-<colour>.css")
def accent_css(slug: str, colour: str):
    """The edition's accent colour as a custom property (a stylesheet: the CSP forbids inline styles)."""
    congress = core.public_congress_or_404(slug)
    if not congress.accent_colour or congress.accent_colour != f"#{colour}":
        abort(404)
    return _immutable(Response(site.accent_css(congress.accent_colour), mimetype="text/css"))


def _for_crawlers(body: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.route("/sitemap.xml")
def sitemap():
    return _for_crawlers(maps.sitemap(), "application/xml")


@bp.route("/sitemap-<int:number>.xml")
def sitemap_part(number: int):
    body = maps.part(number)
    if body is None:
        abort(404)
    return _for_crawlers(body, "application/xml")


@bp.route("/robots.txt")
def robots():
    return _for_crawlers(maps.robots(), "text/plain")


@bp.route("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/readyz")
def readyz():
    """200 when the database, the job queue and the storage all answer; 503 naming what does not."""
    ready, checks = readiness()
    response = jsonify({"status": "ready" if ready else "not ready", "checks": checks})
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response
