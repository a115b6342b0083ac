"""Public, read-only JSON API of an edition's programme: sessions, tracks, rooms and speakers.

(``/congresses/<slug>/sessions`` with seats left belongs to the registration capability.)
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from congress.core.models import Congress, Person
from congress.programme import api_schemas, feeds
from congress.programme import services as programme_services
from congress.programme.caching import cached_programme
from congress.programme.models import ProgrammeSession
from congress.schemas import openapi_components
from congress.urls import external_url

bp = Blueprint("programme_api", __name__)


def _session(congress: Congress, s: ProgrammeSession) -> dict[str, Any]:
    return {
        "id": s.id,
        "guid": feeds.session_guid(congress, s),
        "title": s.title,
        "abstract": s.abstract,
        # English beside the Dutch (null when not written): docs/both-languages.md
        "title_en": s.title_en or None,
        "abstract_en": s.abstract_en or None,
        "format": s.format,
        "language": s.language,
        "target_audience": s.target_audience,
        "track_id": s.track_id,
        "room_id": s.room_id,
        "start": s.starts_at.isoformat(),
        "end": s.ends_at.isoformat() if s.ends_at else None,
        "capacity": s.effective_capacity,
        "signup_required": s.signup_required,
        "signup_round_id": s.signup_round_id,
        "cancelled": s.is_cancelled,
        "sequence": s.sequence,
        "updated_at": s.updated_at.isoformat(),
        "speaker_ids": [p.id for p in s.speakers],
        "url": external_url("programme.session_page", slug=congress.slug, session_id=s.id),
        "ics_url": external_url("programme.session_ics", slug=congress.slug, session_id=s.id),
    }


def _person(congress: Congress, p: Person) -> dict[str, Any]:
    return {"id": p.id, "guid": feeds.person_guid(p), "name": p.name, "organisation": p.organisation,
            "function": p.function, "biography": p.bio,
            "url": external_url("programme.speaker_page", slug=congress.slug, person_id=p.id)}


@bp.route("/congresses/<slug>/programme")
@cached_programme(html=False)
def programme(congress: Congress):
    latest = programme_services.latest_version(congress)
    return jsonify({
        "congress": congress.slug,
        "timezone": congress.timezone,
        "version": latest.number if latest else 0,
        "sessions": [_session(congress, s) for s in programme_services.public_sessions(congress)],
    })


@bp.route("/congresses/<slug>/tracks")
@cached_programme(html=False)
def tracks(congress: Congress):
    return jsonify([
        {"id": t.id, "name": {"nl": t.name_nl, "en": t.name_en}, "colour": t.colour,
         "description": {"nl": t.description_nl, "en": t.description_en},
         "ics_url": external_url("programme.track_ics", slug=congress.slug, track_id=t.id)}
        for t in congress.tracks
    ])


@bp.route("/congresses/<slug>/rooms")
@cached_programme(html=False)
def rooms(congress: Congress):
    return jsonify([
        {"id": r.id, "name": r.name, "capacity": r.capacity, "accessibility_notes": r.accessibility_notes,
         "available_from": r.available_from.isoformat() if r.available_from else None,
         "available_until": r.available_until.isoformat() if r.available_until else None,
         "url": external_url("programme.room_page", slug=congress.slug, room_id=r.id)}
        for r in congress.rooms
    ])


@bp.route("/congresses/<slug>/speakers")
@cached_programme(html=False)
def speakers(congress: Congress):
    return jsonify([_person(congress, p) for p in programme_services.speakers_of(congress)])


_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"},
         "description": "The edition's slug"}
_CONDITIONAL = {
    "304": {"description": "Not modified (If-None-Match / If-Modified-Since)"},
    "404": {"description": "Unknown or unpublished edition",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
}


def _path(summary: str, operation: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"get": {"summary": summary, "operationId": operation, "tags": ["programme"], "parameters": [_SLUG],
                    "responses": {"200": {"description": summary, "headers": {
                        "ETag": {"schema": {"type": "string"}}, "Last-Modified": {"schema": {"type": "string"}}},
                        "content": {"application/json": {"schema": schema}}}, **_CONDITIONAL}}}


OPENAPI_PATHS: dict[str, Any] = {
    "/congresses/{slug}/programme": _path("The edition's scheduled sessions", "getProgramme",
                                          {"$ref": "#/components/schemas/Programme"}),
    "/congresses/{slug}/tracks": _path("The edition's tracks", "listTracks",
                                       {"type": "array", "items": {"$ref": "#/components/schemas/Track"}}),
    "/congresses/{slug}/rooms": _path("The edition's rooms", "listRooms",
                                      {"type": "array", "items": {"$ref": "#/components/schemas/Room"}}),
    "/congresses/{slug}/speakers": _path("The speakers in the edition's programme", "listSpeakers",
                                         {"type": "array", "items": {"$ref": "#/components/schemas/Speaker"}}),
}

OPENAPI_SCHEMAS: dict[str, Any] = openapi_components([], api_schemas.RESPONSES)
