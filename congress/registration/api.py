"""JSON API: public seats per session, and registrations by partner organisations (token scope
``registrations``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _

from congress import schemas
from congress.accounts.access import token_required
from congress.core import services as core
from congress.extensions import limiter
from congress.registration import api_schemas, services
from congress.registration.api_schemas import RegistrationRequest
from congress.registration.models import Registration
from congress.urls import external_url

bp = Blueprint("registration_api", __name__)


def api_limit() -> str:
    return current_app.config.get("REGISTRATION_API_RATE_LIMIT", "120 per minute")


def _session_json(seats: services.SessionSeats, locale: str = "nl") -> dict[str, Any]:
    s = seats.session
    return {
        "id": s.id,
        "title": s.title,
        "track": s.track.name(locale) if s.track else None,
        "room": s.room.name if s.room else None,
        "start": s.starts_at.isoformat() if s.starts_at else None,
        "end": s.ends_at.isoformat() if s.ends_at else None,
        "capacity": seats.capacity,
        "seats_left": seats.seats_left,
        "waiting": seats.waiting,
        "round": ({"id": s.signup_round.id, "name": s.signup_round.name(locale)} if s.signup_round else None),
    }


@bp.route("/congresses/<slug>/sessions")
def sessions(slug: str):
    congress = core.public_congress_or_404(slug)
    locale = request.args.get("lang", "nl")
    return jsonify([_session_json(s, locale) for s in services.seat_overview(congress)])


def registration_json(registration: Registration, link: str | None) -> dict[str, Any]:
    return {
        "id": registration.id,
        "status": registration.status,
        "role": registration.role,
        "attendance_mode": registration.attendance_mode,
        "manage_url": link,
        "waiting_position": services.edition_waiting_rank(registration),
        "enrolments": [
            {"session": e.session_id, "status": e.status, "position": services.waiting_rank(e)}
            for e in registration.enrolments
        ],
    }


def _errors(errors: dict[str, list[str]], status: int = 422):
    return jsonify({"error": {"code": status, "title": _("Invalid input"), "fields": errors}}), status


def _sector_id(congress, sector: object, errors: dict[str, list[str]]) -> int | None:
    if sector in (None, ""):
        return None
    known = services.sectors(congress)
    match = next((s for s in known if sector in (s.id, str(s.id), s.name_nl, s.name_en)), None)
    if match is None:
        errors.setdefault("sector", []).append(
            _("Unknown sector; one of: %(names)s", names=", ".join(s.name_nl for s in known)))
        return None
    return match.id


@bp.route("/congresses/<slug>/registrations", methods=["POST"])
@token_required("registrations")
@limiter.limit(api_limit)
def create_registration(slug: str):
    congress = core.public_congress_or_404(slug)
    body: object = None
    try:
        body = schemas.json_body()
        request_data = schemas.parse_body(RegistrationRequest, body)
    except schemas.InvalidInput as exc:
        errors = exc.fields
        sector = body.get("sector") if isinstance(body, dict) else None
        if "sector" not in errors and isinstance(sector, str | int) and not isinstance(sector, bool):
            _sector_id(congress, sector, errors)  # every field's message in one answer
        return _errors(errors)
    errors: dict[str, list[str]] = {}
    sector_id = _sector_id(congress, request_data.sector, errors)
    if errors:
        return _errors(errors)
    data = services.RegistrationData(
        name=request_data.name, email=request_data.email, organisation=request_data.organisation,
        function=request_data.function, sector_id=sector_id, dietary=request_data.dietary,
        accessibility=request_data.accessibility, answers=dict(request_data.answers),
        consent_privacy=request_data.consent_privacy is True,
        consent_attendee_list=request_data.consent_attendee_list, consent_photos=request_data.consent_photos,
        consent_network=request_data.consent_network,
        attendance_mode=request_data.attendance_mode, locale=request_data.language or "nl",
    )
    session_ids = list(request_data.sessions)
    confirmed = request_data.confirmed
    try:
        result = services.register(congress, data, session_ids, confirmed=confirmed, source="api")
    except services.RegistrationError as exc:
        if exc.code in ("closed", "not_open", "full"):
            return jsonify({"error": {"code": 409, "title": "Conflict", "reason": exc.code,
                                      "message": str(exc)}}), 409
        return _errors(exc.errors or {"body": [str(exc)]})
    if not result.created:
        payload = registration_json(result.registration, None)
        payload["duplicate"] = True
        return jsonify(payload), 200
    return jsonify({
        "id": result.id, "status": result.status, "role": result.role,
        "attendance_mode": data.attendance_mode, "manage_url":
        external_url("registration.manage", secret=result.link), "waiting_position": result.waiting_rank,
        "enrolments": [{"session": sid, "status": status, "position": rank} for sid, status, rank in result.enrolments],
    }), 201


_ERROR = schemas.ref("Error")
_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 100}}
OPENAPI_PATHS: dict[str, Any] = {
    "/congresses/{slug}/sessions": {
        "get": {
            "summary": "Sessions of an edition with their seats",
            "operationId": "listSessionSeats",
            "parameters": [_SLUG, {"name": "lang", "in": "query", "required": False,
                                   "schema": {"type": "string", "enum": ["nl", "en"]}}],
            "responses": {
                "200": {"description": "Sessions open for sign-up",
                        "content": schemas.json_content({"type": "array", "items": schemas.ref("SessionSeats")})},
                "404": schemas.error_response("No such public edition"),
            },
        }
    },
    "/congresses/{slug}/registrations": {
        "post": {
            "summary": "Register someone (partner organisations)",
            "operationId": "createRegistration",
            "security": [{"registrations": []}],
            "parameters": [_SLUG],
            "requestBody": {"required": True, "content": schemas.json_content(schemas.ref("RegistrationRequest"))},
            "responses": {
                "201": {"description": (
                    "Registered: `status` is `pending` (the person confirms by e-mail) or `confirmed`; or, when "
                    "the edition is full and offers a waiting list, `waitlisted`, with `waiting_position` (1: "
                    "next) and no enrolments (workshops are chosen once a place is given)"),
                        "content": {"application/json": {"schema": schemas.ref("Registration"), "examples": {
                            "registered": {"value": {
                                "id": 41, "status": "pending", "role": "deelnemer", "waiting_position": None,
                                "manage_url": "https://congres.example.nl/my/…", "duplicate": False,
                                "enrolments": [{"session": 7, "status": "enrolled", "position": None}]}},
                            "waitlisted": {"value": {
                                "id": 42, "status": "waitlisted", "role": "deelnemer", "waiting_position": 3,
                                "manage_url": "https://congres.example.nl/my/…", "duplicate": False,
                                "enrolments": []}}}}}},
                "200": {"description": "The e-mail is already registered for this edition: nothing was created",
                        "content": schemas.json_content(schemas.ref("Registration"))},
                "400": schemas.error_response("The request could not be read"),
                "401": schemas.error_response("No valid token"),
                "403": schemas.error_response("Token of another scope"),
                "404": schemas.error_response("No such public edition"),
                "409": schemas.error_response(
                    "Registration is closed, or the edition is full and offers no waiting list"),
                "413": schemas.error_response("The body is too large"),
                "422": schemas.UNPROCESSABLE,
                "429": schemas.error_response("Too many requests"),
            },
        }
    },
}

OPENAPI_SCHEMAS: dict[str, Any] = schemas.openapi_components(api_schemas.REQUESTS, api_schemas.RESPONSES)
