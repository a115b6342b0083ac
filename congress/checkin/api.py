"""Check-in JSON API for stations and third-party scanners."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, g, jsonify, request

from congress.checkin import services
from congress.checkin.access import checkin_auth
from congress.core.services import congress_by_slug

bp = Blueprint("checkin_api", __name__)


def _parse_time(value: object, field: str, errors: dict[str, list[str]]) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 40:
        errors[field] = ["must be an ISO 8601 date-time"]
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        errors[field] = ["must be an ISO 8601 date-time"]
        return None


def _unprocessable(errors: dict[str, list[str]]):  # noqa: ANN202
    return jsonify({"error": {"code": 422, "title": "Invalid input", "fields": errors}}), 422


@bp.route("/checkins", methods=["POST"])
@checkin_auth
def post_checkin():  # noqa: ANN201
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _unprocessable({"body": ["a JSON object is required"]})
    errors: dict[str, list[str]] = {}
    if "code" not in body:
        errors["code"] = ["required"]
    scanned_at = _parse_time(body.get("scanned_at"), "scanned_at", errors)
    nonce = body.get("nonce")
    if nonce is not None and (not isinstance(nonce, str) or not 1 <= len(nonce) <= 64):
        errors["nonce"] = ["a string of 1 to 64 characters"]
    label = body.get("station")
    if label is not None and not isinstance(label, str | int):
        errors["station"] = ["a name"]
    if errors:
        return _unprocessable(errors)
    scan = services.Scan(
        code=body.get("code"), list=body.get("list"), station=g.station, scanned_at=scanned_at, nonce=nonce,
        admit=body.get("admit") is True, offline=body.get("offline") is True,
        station_label=str(label or "") if g.station is None else "",
        congress=congress_by_slug(body["congress"]) if isinstance(body.get("congress"), str) else None,
    )
    try:
        return jsonify(services.scan(scan))
    except services.CheckinError as exc:
        return _unprocessable({"list": [str(exc)]})


@bp.route("/checkins", methods=["GET"])
@checkin_auth
def list_checkins():  # noqa: ANN201
    congress = _congress_for_request(request.args.get("congress", ""))
    errors: dict[str, list[str]] = {}
    since = _parse_time(request.args.get("since"), "since", errors)
    if errors:
        return _unprocessable(errors)
    return jsonify({"congress": congress.slug, "checkins": services.checkins_since(congress, since)})


@bp.route("/congresses/<slug>/checkin-bundle")
@checkin_auth
def bundle(slug: str):  # noqa: ANN201
    congress = _congress_for_request(slug)
    return jsonify(services.bundle(congress))


@bp.route("/stations/me")
@checkin_auth
def station_me():  # noqa: ANN201
    station = g.station
    if station is None:
        abort(404)
    return jsonify({"id": station.id, "name": station.name, "congress": station.congress.slug,
                    "list": station.list_key, "session": station.session.title if station.session else None})


def _congress_for_request(slug: str):  # noqa: ANN202
    congress = congress_by_slug(slug) if slug else None
    if congress is None:
        abort(404)
    if g.station is not None and g.station.congress_id != congress.id:
        abort(403)  # a station token works for its own edition only
    if g.station is not None:
        services.station_seen(g.station)
    return congress


OPENAPI_SCHEMAS = {
    "CheckinRequest": {
        "type": "object",
        "required": ["code"],
        "properties": {
            "code": {"type": "string", "description": "The badge's QR content"},
            "list": {"oneOf": [{"type": "string", "enum": ["venue"]}, {"type": "integer"}],
                     "description": "'venue' (default) or a session id"},
            "station": {"type": "string", "description": "A label for third-party scanners"},
            "scanned_at": {"type": "string", "format": "date-time"},
            "nonce": {"type": "string", "maxLength": 64, "description": "Same nonce twice is one scan"},
            "admit": {"type": "boolean", "description": "Admit someone not enrolled in the session"},
            "offline": {"type": "boolean"},
        },
    },
    "CheckinResponse": {
        "type": "object",
        "required": ["result", "attendee", "checked_in_at", "first_checked_in_at"],
        "properties": {
            "result": {"type": "string", "enum": ["ok", "already_checked_in", "invalid", "revoked", "not_enrolled",
                                                  "wrong_congress"]},
            "attendee": {"type": ["object", "null"], "properties": {
                "name": {"type": "string"}, "organisation": {"type": "string"}, "notes": {"type": "string"}}},
            "checked_in_at": {"type": ["string", "null"], "format": "date-time"},
            "first_checked_in_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
}
_SECURITY = [{"bearer": []}]
OPENAPI_PATHS = {
    "/checkins": {
        "post": {
            "summary": "Check a badge code in (stations and scanners)",
            "operationId": "postCheckin",
            "security": _SECURITY,
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/CheckinRequest"}}}},
            "responses": {
                "200": {"description": "What happened", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/CheckinResponse"}}}},
                "401": {"description": "No, unknown, revoked or expired token"},
                "422": {"description": "Invalid input"},
            },
        },
        "get": {
            "summary": "Check-ins of an edition since a time (synchronisation)",
            "operationId": "listCheckins",
            "security": _SECURITY,
            "parameters": [
                {"name": "congress", "in": "query", "required": True, "schema": {"type": "string"}},
                {"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
            ],
            "responses": {"200": {"description": "Check-ins"}},
        },
    },
    "/congresses/{slug}/checkin-bundle": {
        "get": {
            "summary": "Public key, revocations and attendees for offline stations",
            "operationId": "checkinBundle",
            "security": _SECURITY,
            "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The bundle"}},
        }
    },
}
