"""The OpenAPI 3.1 document at /api/v1/openapi.json. Capabilities add their paths to PATHS."""

from __future__ import annotations

from typing import Any

PATHS: dict[str, Any] = {
    "/congresses": {
        "get": {
            "summary": "Public editions",
            "operationId": "listCongresses",
            "responses": {
                "200": {
                    "description": "Editions that are published or archived",
                    "content": {
                        "application/json": {
                            "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Congress"}}
                        }
                    },
                }
            },
        }
    },
}

SCHEMAS: dict[str, Any] = {
    "Congress": {
        "type": "object",
        "required": ["slug", "title", "start", "end", "timezone", "status", "url"],
        "properties": {
            "slug": {"type": "string"},
            "title": {"type": "object", "properties": {"nl": {"type": "string"}, "en": {"type": "string"}}},
            "start": {"type": "string", "format": "date"},
            "end": {"type": "string", "format": "date"},
            "timezone": {"type": "string"},
            "venue": {"type": "string"},
            "status": {"type": "string", "enum": ["published", "archived"]},
            "url": {"type": "string", "format": "uri"},
        },
    },
    "Error": {
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "properties": {"code": {"type": "integer"}, "title": {"type": "string"}, "message": {"type": "string"}},
            }
        },
    },
}


def openapi_document() -> dict[str, Any]:
    """The foundation's paths plus every capability's ``api.OPENAPI_PATHS``/``OPENAPI_SCHEMAS``."""
    from congress import capabilities

    paths, schemas = dict(PATHS), dict(SCHEMAS)
    for module in capabilities.modules("api"):
        paths.update(getattr(module, "OPENAPI_PATHS", {}))
        schemas.update(getattr(module, "OPENAPI_SCHEMAS", {}))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Congres API",
            "version": "1",
            "description": "Public programme data, partner registrations and check-in scanners.",
            "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"},
        },
        "servers": [{"url": "/api/v1"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
