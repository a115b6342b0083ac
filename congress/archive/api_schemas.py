"""Response schemas of the knowledge API (pydantic; the OpenAPI document is made from them)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from congress.schemas import ResponseModel

_URI = {"format": "uri"}


class KnowledgeFile(ResponseModel):
    name: str
    type: str
    size: int
    url: Annotated[str, Field(json_schema_extra=_URI)]


class KnowledgeLink(ResponseModel):
    title: str | None = None
    url: str | None = None


class Intervention(ResponseModel):
    """What the Dutch databanks of effective interventions describe of an intervention ("" when not filled in)."""

    aim: str = ""
    approach: str = ""
    active_ingredients: str = Field("", description="werkzame elementen")
    implementers: list[str] = Field([], description="implementing organisations")
    tested_at: str = Field("", description="where it was tested")
    manual: str = Field("", description="handbook or manual")
    manual_url: Annotated[str | None, Field(json_schema_extra=_URI)] = None
    databank_url: Annotated[str | None, Field(
        json_schema_extra=_URI, description="its entry in the national databank of effective interventions")] = None


class KnowledgeItem(ResponseModel):
    key: str
    type: str
    title: str
    summary: str
    title_en: str | None = Field(None, description="The English title, when written (title is the Dutch one)")
    summary_en: str | None = Field(None, description="The English summary, when written")
    snippet: str | None = Field(None, description="HTML: escaped text with <mark> around matches")
    year: int | None = None
    publication_date: Annotated[str | None, Field(json_schema_extra={"format": "date"})] = None
    track: str | None = None
    edition: str | None = None
    authors: list[str] = []
    organisations: list[str] = []
    tags: list[str] = []
    protective_factors: list[str] = []
    target_groups: list[str] = []
    language: str
    licence: str
    evidence_status: Literal["nog_niet_beoordeeld", "goed_beschreven", "goed_onderbouwd", "effectief_eerste",
                             "effectief_goede", "effectief_sterke"] | None = Field(
        None, description="An intervention's recognition level, as the Dutch databanks of effective interventions "
                          "name them (lowest first); null for other items")
    intervention: Intervention | None = Field(None, description="Only for items of type interventie")
    url: Annotated[str, Field(json_schema_extra=_URI)]
    files: list[KnowledgeFile] = []
    links: list[KnowledgeLink] = []


class FacetCount(ResponseModel):
    value: Any
    count: int


class KnowledgeSearch(ResponseModel):
    query: str
    page: int
    per_page: int
    pages: int
    total: int
    items: list[KnowledgeItem]
    facets: dict[str, list[FacetCount]]


RESPONSES = [KnowledgeItem, KnowledgeSearch]
