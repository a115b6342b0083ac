"""Check-in JSON API for stations and third-party scanners."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, jsonify, request
from flask_babel import gettext as _

from congress import schemas
from congress.checkin import api_schemas, services
from congress.checkin.access import checkin_auth
from congress.checkin.api_schemas import CheckinQuery, CheckinRequest, PeopleQuery
from congress.core.queries import congress_by_slug
from congress.schemas import compressed_json

bp = Blueprint("checkin_api", __name__)

# What a station downloads (attendees, who is checked in) is personal data: never kept by a cache.
_PRIVATE = {"Cache-Control": "private, no-store"}


@bp.route("/checkins", methods=["POST"])
@checkin_auth
def post_checkin():
    try:
        body = schemas.parse_body(CheckinRequest)
    except schemas.InvalidInput as exc:
        return schemas.unprocessable(exc.fields)
    by_name = "registration" in body.model_fields_set
    if by_name == ("code" in body.model_fields_set):
        message = _("Send exactly one of code (a badge) and registration (someone found by name).")
        return schemas.unprocessable({"code": [message], "registration": [message]})
    congress = congress_by_slug(body.congress) if body.congress else None
    if by_name and g.station is None and congress is None:
        return schemas.unprocessable({"congress": [
            _("No such edition.") if body.congress else _("Give the edition (congress) with a registration.")]})
    label = body.station
    scan = services.Scan(
        code=body.code, list=body.list, station=g.station, scanned_at=body.scanned_at, nonce=body.nonce,
        admit=body.admit, offline=body.offline,
        station_label=str(label if label is not None else "") if g.station is None else "",
        congress=congress, registration=body.registration if by_name else None, direction=body.direction,
    )
    if by_name and body.direction == "out":
        return schemas.unprocessable({"direction": [_("A check-out needs the badge's code.")]})
    try:
        if body.direction == "out":
            return jsonify(services.scan_out(scan))
        return jsonify(services.check_in_person(scan) if by_name else services.scan(scan))
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
    return jsonify({"congress": congress.slug, "checkins": services.checkins_since(congress, query.since)}), 200, \
        _PRIVATE


@bp.route("/checkins/people", methods=["GET"])
@checkin_auth
def people():
    """The station's name search, for who forgot their badge: name, organisation, status and whether
    checked in on the list; check them in with ``POST /checkins {"registration": id}``."""
    slug = request.args.get("congress", "")
    if not slug:
        abort(404)
    try:
        query = schemas.parse_query(PeopleQuery)
    except schemas.InvalidInput as exc:
        if "congress" in exc.fields:
            abort(404)
        return schemas.unprocessable(exc.fields)
    congress = _congress_for_request(query.congress)
    try:
        found = services.people_at_the_door(congress, query.q, list=query.list, station=g.station)
    except services.CheckinError as exc:
        return schemas.unprocessable({"list": [str(exc)]})
    return jsonify(found), 200, _PRIVATE


@bp.route("/congresses/<slug>/checkin-bundle")
@checkin_auth
def bundle(slug: str):
    """The full bundle, or with ``?since=<version>`` what changed since then; 304 when the station's
    ETag (``If-None-Match``) is the current version: that poll reads one row and builds nothing."""
    congress = _congress_for_request(slug)
    version = services.bundle_version(congress)
    if request.if_none_match.contains_weak(version):
        response = Response(status=304, headers=_PRIVATE)
    else:
        since = request.args.get("since", "")
        body = (services.bundle_since(congress, since) if since else None) or services.bundle(congress)
        response = compressed_json(body)
        response.headers.update(_PRIVATE)
        # The body may be newer than the version read above; it names its own version.
        version = body["version"]
    response.set_etag(version, weak=True)
    response.vary.add("Accept-Encoding")
    return response


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
            "summary": "Check a badge code in, or someone found by name (stations and scanners)",
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
    "/checkins/people": {
        "get": {
            "summary": "Find registrations by name or organisation (a station, for who forgot their badge)",
            "operationId": "checkinPeople",
            "security": _SECURITY,
            "parameters": schemas.query_parameters(PeopleQuery),
            "responses": {
                "200": {"description": "At most 20 registrations, by name; `more` when there were more",
                        "content": schemas.json_content(schemas.ref("People"))},
                **_AUTH,
                "404": _E("No such edition"),
                "422": schemas.UNPROCESSABLE,
            },
        },
    },
    "/congresses/{slug}/checkin-bundle": {
        "get": {
            "summary": "Public key, revocations and attendees for offline stations; what changed since a version",
            "description": "Every bundle has a `version`, also its weak `ETag`. With `If-None-Match` equal to the "
                           "current version the answer is 304 without a body. With `since=<version>` the answer "
                           "is a delta (`since`, `changed`): remove every attendee and revocation of a `changed` "
                           "registration and add the delta's to hold the full bundle. A `since` that is no "
                           "version of this edition gets the full bundle. Compressed with brotli or gzip as "
                           "`Accept-Encoding` allows. See docs/checkin-stations.md.",
            "operationId": "checkinBundle",
            "security": _SECURITY,
            "parameters": [
                {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "since", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 64},
                 "description": "The version the station holds: answer only what changed since"},
                {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
                 "description": "The ETag of the bundle the station holds"},
            ],
            "responses": {
                "200": {"description": "The full bundle, or a delta when `since` was a version of this edition",
                        "headers": {"ETag": {"schema": {"type": "string"}, "description": "W/\"<version>\""}},
                        "content": schemas.json_content(schemas.ref("CheckinBundle"))},
                "304": {"description": "Unchanged since the ETag sent (no body)",
                        "headers": {"ETag": {"schema": {"type": "string"}}}},
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
