"""/oai: the OAI-PMH 2.0 endpoint (GET with a query string, POST with a form body), for repository
harvesters. A machine endpoint: no session, no CSRF token (it only reads), a rate limit per client."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from congress.extensions import csrf, limiter
from congress.opendata import dcat, oai

bp = Blueprint("opendata", __name__)


def oai_limit() -> str:
    return current_app.config.get("OAI_RATE_LIMIT", "600 per minute")


@bp.route("/oai", methods=["GET", "POST"])
@csrf.exempt  # a read-only machine endpoint: nothing to forge (tests/opendata/test_oai.py, test_csrf.py)
@limiter.limit(oai_limit)
def oai_pmh():
    args = request.form if request.method == "POST" else request.args
    response = Response(oai.respond(args), mimetype="text/xml")
    response.headers["Cache-Control"] = "no-cache"
    return response


CATALOGUE_TYPES = ("application/ld+json", "text/turtle")


@bp.route("/kennisbank/catalog.jsonld")
@limiter.limit(oai_limit)
def catalogue():
    """The DCAT-AP catalogue: JSON-LD, or Turtle for a client that asks for it (``Accept: text/turtle``)."""
    media_type = request.accept_mimetypes.best_match(CATALOGUE_TYPES, default=CATALOGUE_TYPES[0])
    body = dcat.serialise(dcat.catalogue_graph(), media_type)
    response = Response(body, mimetype=media_type)
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "public, no-cache"
    response.add_etag()
    return response.make_conditional(request)
