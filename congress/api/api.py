"""JSON API, version 1. Each capability adds its endpoints here and to the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, jsonify

from congress.api.openapi import openapi_document
from congress.core import services as core
from congress.urls import external_url

bp = Blueprint("api", __name__)


@bp.route("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.route("/congresses")
def congresses():
    return jsonify(
        [
            {
                "slug": c.slug,
                "title": {"nl": c.title_nl, "en": c.title_en},
                "start": c.starts_on.isoformat(),
                "end": c.ends_on.isoformat(),
                "timezone": c.timezone,
                "venue": c.venue_name,
                "status": c.status,
                "url": external_url("public.edition", slug=c.slug),
            }
            for c in core.public_congresses()
        ]
    )
