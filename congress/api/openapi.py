"""The OpenAPI 3.1 document at /api/v1/openapi.json.

Schemas come from the pydantic declarations that also validate requests (``congress.schemas``
and each capability's ``api_schemas``); capabilities add their paths and components through
``api.OPENAPI_PATHS`` / ``api.OPENAPI_SCHEMAS``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from congress import capabilities
from congress.schemas import ResponseModel, json_content, openapi_components, ref


class I18nText(ResponseModel):
    nl: str
    en: str


class Congress(ResponseModel):
    slug: str
    title: I18nText
    start: str = Field(json_schema_extra={"format": "date"})
    end: str = Field(json_schema_extra={"format": "date"})
    timezone: str
    venue: str | None = None
    status: Literal["published", "closed", "archived"]
    url: str = Field(json_schema_extra={"format": "uri"})


class ErrorDetail(ResponseModel):
    code: int
    title: str
    message: str | None = None
    reason: str | None = None


class Error(ResponseModel):
    error: ErrorDetail


class FieldErrorDetail(ResponseModel):
    code: Literal[422]
    title: str
    fields: dict[str, list[str]] = Field(description="Field name → messages (``body`` for the whole request)")


class FieldErrors(ResponseModel):
    error: FieldErrorDetail


PATHS: dict[str, Any] = {
    "/congresses": {
        "get": {
            "summary": "Public editions",
            "operationId": "listCongresses",
            "responses": {
                "200": {"description": "Editions that are published or archived",
                        "content": json_content({"type": "array", "items": ref("Congress")})},
            },
        }
    },
    "/openapi.json": {
        "get": {
            "summary": "This document",
            "operationId": "getOpenAPI",
            "responses": {"200": {"description": "OpenAPI 3.1", "content": json_content({"type": "object"})}},
        }
    },
}

SCHEMAS: dict[str, Any] = openapi_components([], [Congress, Error, FieldErrors])

# One scheme per kind of token, so that each operation says which it takes.
SECURITY_SCHEMES: dict[str, Any] = {
    "registrations": {"type": "http", "scheme": "bearer",
                      "description": "An API token of scope `registrations` (partner organisations)"},
    "checkin": {"type": "http", "scheme": "bearer", "description": "An API token of scope `checkin` (scanners)"},
    "station": {"type": "http", "scheme": "bearer", "description": "A check-in station's token (`stn_…`)"},
}

def openapi_document() -> dict[str, Any]:
    """The foundation's paths plus every capability's ``api.OPENAPI_PATHS``/``OPENAPI_SCHEMAS``."""
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
        "components": {"schemas": schemas, "securitySchemes": SECURITY_SCHEMES},
    }
