"""Request and response schemas of the JSON API, declared once with pydantic.

The same declarations validate what clients send (``parse_body`` / ``parse_query``: 422 with one
message per field, in the request's language) and make the OpenAPI document (``component`` and
``openapi_components``), so documentation and behaviour cannot drift.

Text is refused when it holds a NUL character or an unpaired surrogate (PostgreSQL refuses NUL in
text and no database can encode a lone surrogate), strings are no longer than their columns and
integers stay within the database's range (ids 1..2**31-1).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

import brotli
from flask import Response, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from congress.sanitize import has_forbidden_characters

MAX_ID = 2**31 - 1
MAX_DEPTH = 32  # arrays/objects in a request body; no endpoint needs more than 3


class InvalidInput(Exception):
    """Field name → messages; the view answers 422 with them."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__(fields)
        self.fields = fields


def _clean_text(value: str) -> str:
    if has_forbidden_characters(value):
        raise ValueError("forbidden_characters")
    return value


def Text(max_length: int, *, min_length: int = 0, strip: bool = False) -> Any:
    """A string of at most ``max_length`` characters without NUL or unpaired surrogates."""
    return Annotated[str, StringConstraints(max_length=max_length, min_length=min_length, strip_whitespace=strip,
                                            strict=True), AfterValidator(_clean_text)]


Id = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]
StrictBool = Annotated[bool, Field(strict=True)]


def _iso_datetime(value: str) -> datetime:
    """ISO 8601; without an offset the time is UTC; far past and future are clamped to what every
    database stores (years 1900..9999)."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("datetime") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        parsed = parsed.astimezone(UTC)
    except OverflowError:
        parsed = LOWEST if parsed.year < 5000 else HIGHEST
    return min(max(parsed, LOWEST), HIGHEST)


LOWEST = datetime(1900, 1, 1, tzinfo=UTC)
HIGHEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
DateTimeText = Annotated[str, StringConstraints(max_length=40, strict=True), AfterValidator(_clean_text),
                         AfterValidator(_iso_datetime), Field(json_schema_extra={"format": "date-time"})]


class RequestModel(BaseModel):
    """Unknown fields are ignored (clients may send more than we read), known ones are checked."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="allow")


# --- messages --------------------------------------------------------------------------------

_MESSAGES: dict[str, Any] = {
    "missing": _l("This field is required."),
    "string_type": _l("Must be a string."),
    "string_too_short": _l("This field is required."),
    "string_too_long": _l("Use at most %(n)d characters."),
    "int_type": _l("Must be a whole number."),
    "int_parsing": _l("Must be a whole number."),
    "int_from_float": _l("Must be a whole number."),
    "greater_than_equal": _l("Must be a number from %(low)s to %(high)s."),
    "less_than_equal": _l("Must be a number from %(low)s to %(high)s."),
    "bool_type": _l("Must be true or false."),
    "bool_parsing": _l("Must be true or false."),
    "literal_error": _l("Must be one of: %(options)s."),
    "list_type": _l("Must be a list."),
    "too_long": _l("Use at most %(n)d items."),
    "dict_type": _l("Must be an object."),
    "model_type": _l("Send a JSON object."),
    "model_attributes_type": _l("Send a JSON object."),
    "string_unicode": _l("Contains characters that are not allowed (NUL or an unpaired surrogate)."),
    "forbidden_characters": _l("Contains characters that are not allowed (NUL or an unpaired surrogate)."),
    "datetime": _l("Must be an ISO 8601 date-time, e.g. 2025-10-09T09:30:00+02:00."),
}


def _message(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        reason = str(ctx.get("error", ""))
        kind = reason if reason in _MESSAGES else "value_error"
    if kind in ("greater_than_equal", "less_than_equal"):
        return _("Must be a number from %(low)s to %(high)s.", low=1, high=MAX_ID)
    if kind == "string_too_long":
        return _("Use at most %(n)d characters.", n=ctx.get("max_length", 0))
    if kind == "too_long":
        return _("Use at most %(n)d items.", n=ctx.get("max_length", 0))
    if kind == "literal_error":
        return _("Must be one of: %(options)s.", options=ctx.get("expected", ""))
    if kind in _MESSAGES:
        return str(_MESSAGES[kind])
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return _("Not a valid value.")
    return _("Not a valid value.")


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Messages per top-level field (``answers``, ``sessions``, …), in the request's language.

    A value that may take several types gives one error per type: the first is kept."""
    fields: dict[str, list[str]] = {}
    seen: set[tuple[Any, ...]] = set()
    for error in exc.errors(include_url=False, include_input=False):
        loc = error["loc"]
        name = str(loc[0]) if loc else "body"
        # A union reports each member it tried: one message per location is enough.
        path = tuple(part for part in loc if not (isinstance(part, str) and _is_type_tag(part)))
        if path in seen:
            continue
        seen.add(path)
        message = _message(error)
        if message not in fields.setdefault(name, []):
            fields[name].append(message)
    return fields


def _is_type_tag(part: str) -> bool:
    """Union members in an error's location are named after their types (``str``, ``int``,
    ``constrained-int``, ``list[...]``); field names and dict keys (question ids) are not."""
    return part in ("str", "int", "bool", "float", "none", "dict", "list") or "[" in part or "-" in part


# --- reading requests ------------------------------------------------------------------------

M = TypeVar("M", bound=BaseModel)


def _depth_ok(raw: bytes) -> bool:
    """At most MAX_DEPTH nested arrays/objects, counted outside strings (before the JSON parser
    recurses into them)."""
    depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > MAX_DEPTH:
                return False
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return True


def json_body() -> Any:
    """The request's JSON, or InvalidInput (``body``) when it is not JSON or nested too deep."""
    raw = request.get_data(cache=True)
    if not _depth_ok(raw):
        raise InvalidInput({"body": [_("Nested too deep (at most %(n)d levels).", n=MAX_DEPTH)]})
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidInput({"body": [_("Send a JSON object.")]}) from None


def parse_body(model: type[M], body: Any | None = None) -> M:
    """The request body validated against ``model``; InvalidInput with messages per field."""
    body = json_body() if body is None else body
    if not isinstance(body, dict):
        raise InvalidInput({"body": [_("Send a JSON object.")]})
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc)) from None


def parse_query(model: type[M]) -> M:
    """The query string validated against ``model`` (the last value of each parameter)."""
    values = {key: request.args.get(key) for key in model.model_fields if key in request.args}
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc)) from None


def unprocessable(fields: dict[str, list[str]]):
    return jsonify({"error": {"code": 422, "title": _("Invalid input"), "fields": fields}}), 422


# --- OpenAPI ---------------------------------------------------------------------------------


def _inline(schema: Any, defs: dict[str, Any]) -> Any:
    """Nested models written in place, so every component stands alone (also for plain jsonschema)."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {key: _inline(value, defs) for key, value in schema.items() if key != "$defs"}
    if isinstance(schema, list):
        return [_inline(item, defs) for item in schema]
    return schema


def component(model: type[BaseModel], mode: str = "validation") -> dict[str, Any]:
    """The model's JSON schema (``model_json_schema``) with nested models inlined."""
    schema = model.model_json_schema(mode=mode)  # type: ignore[arg-type]
    schema = _inline(schema, schema.get("$defs", {}))
    schema.pop("title", None)
    return schema


def openapi_components(requests: list[type[BaseModel]], responses: list[type[BaseModel]]) -> dict[str, Any]:
    """``{name: schema}`` for the components section, named after the models."""
    schemas = {model.__name__: component(model, "validation") for model in requests}
    schemas.update({model.__name__: component(model, "serialization") for model in responses})
    return schemas


def query_parameters(model: type[BaseModel], required: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """OpenAPI ``parameters`` (in: query) from a model's fields."""
    schema = component(model)
    return [
        {"name": name, "in": "query", "required": name in required or name in schema.get("required", []),
         "schema": {k: v for k, v in prop.items() if k not in ("title", "default")},
         **({"description": prop["description"]} if "description" in prop else {})}
        for name, prop in schema.get("properties", {}).items()
    ]


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def error_response(description: str, schema: str = "Error") -> dict[str, Any]:
    return {"description": description, "content": json_content(ref(schema))}


UNPROCESSABLE = error_response("Invalid input: messages per field (in the request's language)", "FieldErrors")


# Dynamic JSON (the station bundle) compressed per response: quality for the time it costs, not the
# last byte (brotli 11 or gzip 9 take several times as long for a few per cent).
_BROTLI_QUALITY = 5
_GZIP_LEVEL = 6
_COMPRESS_FROM = 1024  # bytes; below this the headers cost more than compression saves


def compressed_json(body: Any) -> Response:
    """``body`` as compact JSON, compressed with brotli or gzip when the client accepts it (brotli
    preferred); ``Content-Encoding`` and ``Vary: Accept-Encoding`` set accordingly."""
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    response = Response(raw, mimetype="application/json")
    response.vary.add("Accept-Encoding")
    if len(raw) < _COMPRESS_FROM:
        return response
    accepted = request.accept_encodings
    if accepted.quality("br") > 0 and accepted.quality("br") >= accepted.quality("gzip"):
        response.set_data(brotli.compress(raw, quality=_BROTLI_QUALITY))
        response.headers["Content-Encoding"] = "br"
    elif accepted.quality("gzip") > 0:
        response.set_data(gzip.compress(raw, compresslevel=_GZIP_LEVEL, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
    return response
