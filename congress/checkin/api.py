"""Check-in JSON API for stations and third-party scanners."""

from __future__ import annotations

from flask import Blueprint, abort, g, jsonify, request

from congress import schemas
from congress.checkin import api_schemas, services
from congress.checkin.access import checkin_auth
from congress.checkin.api_schemas import CheckinQuery, CheckinRequest
from congress.core.queries import congress_by_slug

bp = Blueprint("checkin_api", __name__)


@bp.route("/checkins", methods=["POST"])
@checkin_auth
def post_checkin():
    try:
        body = schemas.parse_body(CheckinRequest)
    except schemas.InvalidInput as exc:
        return schemas.unprocessable(exc.fields)
    label = body.station
    scan = services.Scan(
        code=body.code, list=body.list, station=g.station, scanned_at=body.scanned_at, nonce=body.nonce,
        admit=body.admit, offline=body.offline,
        station_label=str(label if label is not None else "") if g.station is None else "",
        congress=congress_by_slug(body.congress) if body.congress else None, direction=body.direction,
    )
    try:
        return jsonify(services.scan_out(scan) if body.direction == "out" else services.scan(scan))
    except services.CheckinError as exc:
        return schemas.unprocessable({"list": [str(exc)]})


@bp.route("/checkins", methods=["GET"])
@checkin_auth
def list_checkins():
    slug = request.args.get("congress", "")
    if not slug:
        abort(404)
    try:
        query = schemas.parse_query(CheckinQuery)
    except schemas.InvalidInput as exc:
        if "congress" in exc.fields:
            abort(404)  # no such edition, whatever was sent
        return schemas.unprocessable(exc.fields)
    congress = _congress_for_request(query.congress)
    return jsonify({"congress": congress.slug, "checkins": services.checkins_since(congress, query.since)})


@bp.route("/congresses/<slug>/checkin-bundle")
@checkin_auth
def bundle(slug: str):
    congress = _congress_for_request(slug)
    return jsonify(services.bundle(congress))


@bp.route("/stations/me")
@checkin_auth
def station_me():
    station = g.station
    if station is None:
        abort(404)
    return jsonify({"id": station.id, "name": station.name, "congress": station.congress.slug,
                    "list": station.list_key, "session": station.session.title if station.session else None})


def _congress_for_request(slug: str):
    congress = congress_by_slug(slug) if slug else None
    if congress is None:
        abort(404)
    if g.station is not None and g.station.congress_id != congress.id:
        abort(403)  # a station token works for its own edition only
    if g.station is not None:
        services.station_seen(g.station)
    return congress


OPENAPI_SCHEMAS = schemas.openapi_components(api_schemas.REQUESTS, api_schemas.RESPONSES)
_E = schemas.error_response
# Check-in paths take a station token or an API token of scope checkin.
_SECURITY = [{"station": []}, {"checkin": []}]
_AUTH = {
    "401": _E("No, unknown, revoked or expired token"),
    "403": _E("A token of another scope, or a station of another edition"),
}
OPENAPI_PATHS = {
    "/checkins": {
        "post": {
            "summary": "Check a badge code in (stations and scanners)",
            "operationId": "postCheckin",
            "security": _SECURITY,
            "requestBody": {"required": True, "content": schemas.json_content(schemas.ref("CheckinRequest"))},
            "responses": {
                "200": {"description": "What happened (a bad code is the result `invalid`)",
                        "content": schemas.json_content(schemas.ref("CheckinResponse"))},
                "400": _E("The request could not be read"),
                **_AUTH,
                "413": _E("The body is too large"),
                "422": schemas.UNPROCESSABLE,
            },
        },
        "get": {
            "summary": "Check-ins of an edition since a time (synchronisation)",
            "operationId": "listCheckins",
            "security": _SECURITY,
            "parameters": schemas.query_parameters(CheckinQuery),
            "responses": {
                "200": {"description": "Check-ins", "content": schemas.json_content(schemas.ref("Checkins"))},
                **_AUTH,
                "404": _E("No such edition"),
                "422": schemas.UNPROCESSABLE,
            },
        },
    },
    "/congresses/{slug}/checkin-bundle": {
        "get": {
            "summary": "Public key, revocations and attendees for offline stations",
            "operationId": "checkinBundle",
            "security": _SECURITY,
            "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": {"description": "The bundle", "content": schemas.json_content(schemas.ref("CheckinBundle"))},
                **_AUTH,
                "404": _E("No such edition"),
            },
        }
    },
    "/stations/me": {
        "get": {
            "summary": "The station that the token belongs to",
            "operationId": "stationMe",
            "security": _SECURITY,
            "responses": {
                "200": {"description": "The station", "content": schemas.json_content(schemas.ref("StationMe"))},
                **_AUTH,
                "404": _E("The token is not a station's (an API token)"),
            },
        }
    },
}
