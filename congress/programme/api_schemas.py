"""Response schemas of the programme API (pydantic; the OpenAPI document is made from them)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from congress.schemas import ResponseModel

_DT = {"format": "date-time"}
_URI = {"format": "uri"}
_UUID = {"format": "uuid"}


class I18n(ResponseModel):
    nl: str
    en: str


class ProgrammeSession(ResponseModel):
    id: int
    guid: Annotated[str, Field(json_schema_extra=_UUID)]
    title: str
    abstract: str | None = None
    title_en: str | None = Field(None, description="The English title, when written (title is the Dutch one)")
    abstract_en: str | None = Field(None, description="The English abstract, when written")
    format: Literal["plenair", "workshop", "lezing", "paneldiscussie", "dialoogsessie"]
    language: str
    target_audience: str | None = None
    track_id: int | None = None
    room_id: int | None = None
    start: Annotated[str, Field(json_schema_extra=_DT)]
    end: Annotated[str | None, Field(json_schema_extra=_DT)]
    capacity: int | None = None
    signup_required: bool = False
    signup_round_id: int | None = None
    cancelled: bool
    sequence: int = 0
    updated_at: Annotated[str, Field(json_schema_extra=_DT)] = ""
    speaker_ids: list[int] = []
    url: Annotated[str, Field(json_schema_extra=_URI)]
    ics_url: Annotated[str, Field(json_schema_extra=_URI)] = ""


class Programme(ResponseModel):
    congress: str
    timezone: str
    version: int = Field(description="Number of the last published version (0: none)")
    sessions: list[ProgrammeSession]


class Track(ResponseModel):
    id: int
    name: I18n
    colour: str
    description: I18n | None = None
    ics_url: Annotated[str, Field(json_schema_extra=_URI)] = ""


class Room(ResponseModel):
    id: int
    name: str
    capacity: int | None
    accessibility_notes: str | None = None
    available_from: Annotated[str | None, Field(json_schema_extra=_DT)] = None
    available_until: Annotated[str | None, Field(json_schema_extra=_DT)] = None
    url: Annotated[str, Field(json_schema_extra=_URI)] = ""


class Speaker(ResponseModel):
    id: int
    guid: Annotated[str, Field(json_schema_extra=_UUID)]
    name: str
    organisation: str | None = None
    function: str | None = None
    biography: str | None = None
    url: Annotated[str, Field(json_schema_extra=_URI)]


RESPONSES = [Programme, ProgrammeSession, Track, Room, Speaker]
