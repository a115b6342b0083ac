"""JSON API: public seats per session, and registrations by partner organisations (token scope
``registrations``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request

from congress.accounts.access import token_required
from congress.core import services as core
from congress.extensions import limiter
from congress.registration import services
from congress.registration.models import Registration

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
def sessions(slug: str):  # noqa: ANN201
    congress = core.public_congress_or_404(slug)
    locale = request.args.get("lang", "nl")
    return jsonify([_session_json(s, locale) for s in services.seat_overview(congress)])


def registration_json(registration: Registration, link: str | None) -> dict[str, Any]:
    return {
        "id": registration.id,
        "status": registration.status,
        "role": registration.role,
        "manage_url": link,
        "enrolments": [
            {"session": e.session_id, "status": e.status, "position": services.waiting_rank(e)}
            for e in registration.enrolments
        ],
    }


def _errors(errors: dict[str, list[str]], status: int = 422):  # noqa: ANN202
    return jsonify({"error": {"code": status, "title": "Invalid input", "fields": errors}}), status


@bp.route("/congresses/<slug>/registrations", methods=["POST"])
@token_required("registrations")
@limiter.limit(api_limit)
def create_registration(slug: str):  # noqa: ANN201
    congress = core.public_congress_or_404(slug)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _errors({"body": ["Send a JSON object."]})
    errors: dict[str, list[str]] = {}

    def text(name: str, *, required: bool = False) -> str:
        value = body.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors.setdefault(name, []).append("Must be a string.")
            return ""
        if required and not value.strip():
            errors.setdefault(name, []).append("This field is required.")
        return value

    sector_id = None
    sector = body.get("sector")
    if sector not in (None, ""):
        known = services.sectors(congress)
        match = next((s for s in known if sector in (s.id, str(s.id), s.name_nl, s.name_en)), None)
        if match is None:
            errors.setdefault("sector", []).append(
                "Unknown sector; one of: " + ", ".join(s.name_nl for s in known))
        else:
            sector_id = match.id
    session_ids = body.get("sessions", [])
    if not isinstance(session_ids, list) or not all(isinstance(i, int) and not isinstance(i, bool)
                                                    for i in session_ids):
        errors.setdefault("sessions", []).append("A list of session ids.")
        session_ids = []
    answers = body.get("answers", {})
    if not isinstance(answers, dict):
        errors.setdefault("answers", []).append("An object of question id to answer.")
        answers = {}
    consent = body.get("consent_privacy")
    if consent is not True:
        errors.setdefault("consent_privacy", []).append("Must be true.")
    confirmed = body.get("confirmed", False)
    if not isinstance(confirmed, bool):
        errors.setdefault("confirmed", []).append("Must be true or false.")
        confirmed = False
    locale = body.get("language", "nl")
    data = services.RegistrationData(
        name=text("name", required=True), email=text("email", required=True),
        organisation=text("organisation"), function=text("function"), sector_id=sector_id,
        dietary=text("dietary"), accessibility=text("accessibility"),
        answers={str(k): v for k, v in answers.items()}, consent_privacy=consent is True,
        consent_attendee_list=body.get("consent_attendee_list") is True,
        consent_photos=body.get("consent_photos") is True,
        locale=locale if locale in ("nl", "en") else "nl",
    )
    if errors:
        return _errors(errors)
    try:
        result = services.register(congress, data, session_ids, confirmed=confirmed, source="api")
    except services.RegistrationError as exc:
        if exc.code in ("closed", "not_open", "full"):
            return jsonify({"error": {"code": 409, "title": "Conflict", "reason": exc.code,
                                      "message": str(exc)}}), 409
        return _errors(exc.errors or {"body": [str(exc)]})
    registration = result.registration
    if not result.created:
        payload = registration_json(registration, None)
        payload["duplicate"] = True
        return jsonify(payload), 200
    return jsonify(registration_json(registration, services.external_url(
        "registration.manage", secret=result.link))), 201


_ERROR = {"$ref": "#/components/schemas/Error"}
OPENAPI_PATHS: dict[str, Any] = {
    "/congresses/{slug}/sessions": {
        "get": {
            "summary": "Sessions of an edition with their seats",
            "operationId": "listSessionSeats",
            "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": {"description": "Sessions open for sign-up",
                        "content": {"application/json": {"schema": {
                            "type": "array", "items": {"$ref": "#/components/schemas/SessionSeats"}}}}},
                "404": {"description": "No such public edition",
                        "content": {"application/json": {"schema": _ERROR}}},
            },
        }
    },
    "/congresses/{slug}/registrations": {
        "post": {
            "summary": "Register someone (partner organisations)",
            "operationId": "createRegistration",
            "security": [{"bearer": []}],
            "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/RegistrationRequest"}}}},
            "responses": {
                "201": {"description": "Registered",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Registration"}}}},
                "200": {"description": "The e-mail is already registered for this edition: nothing was created",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Registration"}}}},
                "401": {"description": "No valid token", "content": {"application/json": {"schema": _ERROR}}},
                "403": {"description": "Token of another scope",
                        "content": {"application/json": {"schema": _ERROR}}},
                "409": {"description": "Registration is closed or the edition is full",
                        "content": {"application/json": {"schema": _ERROR}}},
                "422": {"description": "Invalid input, with messages per field",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FieldErrors"}}}},
                "429": {"description": "Too many requests", "content": {"application/json": {"schema": _ERROR}}},
            },
        }
    },
}

OPENAPI_SCHEMAS: dict[str, Any] = {
    "SessionSeats": {
        "type": "object",
        "required": ["id", "title", "track", "room", "start", "end", "capacity", "seats_left", "round"],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "track": {"type": ["string", "null"]},
            "room": {"type": ["string", "null"]},
            "start": {"type": ["string", "null"], "format": "date-time"},
            "end": {"type": ["string", "null"], "format": "date-time"},
            "capacity": {"type": ["integer", "null"], "description": "null: no limit"},
            "seats_left": {"type": ["integer", "null"]},
            "waiting": {"type": "integer"},
            "round": {"type": ["object", "null"],
                      "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
        },
    },
    "RegistrationRequest": {
        "type": "object",
        "required": ["name", "email", "consent_privacy"],
        "properties": {
            "name": {"type": "string", "maxLength": 200},
            "email": {"type": "string", "format": "email"},
            "organisation": {"type": "string", "maxLength": 200},
            "function": {"type": "string", "maxLength": 200},
            "sector": {"type": ["string", "integer"], "description": "Sector id or name (Dutch or English)"},
            "dietary": {"type": "string"},
            "accessibility": {"type": "string"},
            "consent_privacy": {"const": True},
            "consent_attendee_list": {"type": "boolean"},
            "consent_photos": {"type": "boolean"},
            "sessions": {"type": "array", "items": {"type": "integer"}, "description": "At most one per round"},
            "answers": {"type": "object", "description": "Custom question id → answer"},
            "confirmed": {"type": "boolean", "description": "true: skip the double opt-in"},
            "language": {"type": "string", "enum": ["nl", "en"]},
        },
    },
    "Registration": {
        "type": "object",
        "required": ["id", "status", "manage_url", "enrolments"],
        "properties": {
            "id": {"type": "integer"},
            "status": {"type": "string", "enum": ["pending", "confirmed", "waitlisted", "cancelled"]},
            "role": {"type": "string"},
            "manage_url": {"type": ["string", "null"], "format": "uri",
                           "description": "The personal link; null for an existing registration"},
            "duplicate": {"type": "boolean"},
            "enrolments": {"type": "array", "items": {
                "type": "object",
                "properties": {"session": {"type": "integer"},
                               "status": {"type": "string", "enum": ["enrolled", "waitlisted"]},
                               "position": {"type": ["integer", "null"]}}}},
        },
    },
    "FieldErrors": {
        "type": "object",
        "properties": {"error": {"type": "object", "properties": {
            "code": {"type": "integer"}, "title": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}},
    },
}
