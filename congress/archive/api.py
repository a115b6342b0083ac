"""JSON API: GET /api/v1/knowledge (public search of the knowledge base)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request

from congress.archive import api_schemas, search, services
from congress.archive.models import ItemStatus, ItemType, KnowledgeItem, RecognitionLevel
from congress.archive.views import filters_from_args, query_args
from congress.schemas import openapi_components
from congress.urls import external_url

bp = Blueprint("archive_api", __name__)


def item_json(item: KnowledgeItem, snippet: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": item.key,
        "type": item.type,
        "title": item.title,
        "summary": item.summary,
        # English beside the Dutch (null when not written): docs/both-languages.md
        "title_en": item.title_en or None,
        "summary_en": item.summary_en or None,
        "year": item.year,
        "publication_date": item.publication_date.isoformat() if item.publication_date else None,
        "track": item.track_name or None,
        "edition": item.congress.slug if item.congress else None,
        "authors": list(item.authors or []),
        "organisations": list(item.organisations or []),
        "tags": item.tags,
        "protective_factors": item.factors,
        "target_groups": item.target_groups,
        "language": item.language,
        "licence": item.licence,
        "evidence_status": item.evidence_status,
        "url": external_url("archive.item", key=item.key),
        "files": [
            {"name": f.filename, "type": f.content_type, "size": f.size,
             "url": external_url("archive.download", key=item.key, file_id=f.id)}
            for f in item.public_files
        ],
        "links": list(item.links or []),
    }
    if item.type == ItemType.INTERVENTION.value:
        data["intervention"] = {
            "aim": item.aim, "approach": item.approach, "active_ingredients": item.active_ingredients,
            "implementers": list(item.implementers or []), "tested_at": item.tested_at, "manual": item.manual,
            "manual_url": item.manual_url or None, "databank_url": item.databank_url or None,
        }
    if snippet is not None:
        data["snippet"] = snippet
    return data


@bp.route("/knowledge")
def knowledge():
    q, sort, page = query_args(request.args)
    per_page = min(max(request.args.get("per_page", search.PER_PAGE, type=int) or search.PER_PAGE, 1), 100)
    result = search.search(q, filters_from_args(request.args), sort=sort, page=page, per_page=per_page, full=True)
    return jsonify({
        "query": q,
        "page": result.page,
        "per_page": result.per_page,
        "pages": result.pages,
        "total": result.total,
        "items": [item_json(h.item, str(h.snippet) if h.snippet is not None else None) for h in result.hits],
        "facets": {name: [{"value": v, "count": n} for v, n in values] for name, values in result.facets.items()},
    })


@bp.route("/knowledge/<key>")
def knowledge_item(key: str):
    item = services.item_by_key(key)
    if item is None or item.status not in (ItemStatus.PUBLISHED.value, ItemStatus.WITHDRAWN.value):
        abort(404)
    if item.status == ItemStatus.WITHDRAWN.value:
        abort(410, description=item.withdrawal_reason or "This item has been withdrawn.")
    return jsonify(item_json(item))


_filter_params = [
    {"name": "q", "in": "query", "schema": {"type": "string"},
     "description": 'Words (all must match; Dutch word forms and the editors\' synonyms, accents ignored), '
                    '"quoted phrases", OR between alternatives, -word to exclude, AND as a plain conjunction '
                    '(docs/archive-search.md); any text is accepted.'},
    {"name": "type", "in": "query", "schema": {"type": "array", "items": {"type": "string", "enum": [
        "sessieverslag", "presentatie", "opname", "interventie", "evaluatie", "rapport", "nieuws", "mijlpaal"]}},
     "style": "form", "explode": True},
    {"name": "track", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}, "style": "form",
     "explode": True, "description": "Track name (Dutch), e.g. Digitale weerbaarheid"},
    {"name": "year", "in": "query", "schema": {"type": "array", "items": {"type": "integer"}}, "style": "form",
     "explode": True},
    {"name": "factor", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}, "style": "form",
     "explode": True, "description": "Protective factor"},
    {"name": "target_group", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
     "style": "form", "explode": True},
    {"name": "language", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}, "style": "form",
     "explode": True},
    {"name": "level", "in": "query", "schema": {"type": "array", "items": {"type": "string", "enum": [
        level.value for level in RecognitionLevel]}}, "style": "form", "explode": True,
     "description": "Recognition level of an intervention (the Dutch databanks of effective interventions)"},
    {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["relevance", "date"]}},
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
]

OPENAPI_PATHS = {
    "/knowledge": {
        "get": {
            "summary": "Search the knowledge base",
            "operationId": "searchKnowledge",
            "parameters": _filter_params,
            "responses": {
                "200": {
                    "description": "One page of published knowledge items with facet counts",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/KnowledgeSearch"}}},
                }
            },
        }
    },
    "/knowledge/{key}": {
        "get": {
            "summary": "One published knowledge item",
            "operationId": "getKnowledgeItem",
            "parameters": [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": {"description": "The item",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/KnowledgeItem"}}}},
                "404": {"description": "No such published item",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "410": {"description": "The item has been withdrawn",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        }
    },
}

OPENAPI_SCHEMAS = openapi_components([], api_schemas.RESPONSES)
