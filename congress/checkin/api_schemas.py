"""Request and response schemas of the check-in API (pydantic; the OpenAPI document is made from them)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from congress.schemas import DateTimeText, Id, RequestModel, ResponseModel, StrictBool, Text

_DATE_TIME = {"format": "date-time"}


class CheckinRequest(RequestModel):
    # Any value: what is not a badge code is answered with the result "invalid" (never a 422).
    code: Any = Field(description="The badge's QR content; anything that is not a badge code is `invalid`")
    list: Literal["venue"] | Id | None = Field(None, description="'venue' (default) or a session id")
    station: Text(120) | Annotated[int, Field(ge=0, le=2**31 - 1, strict=True)] | None = Field(
        None, description="A label for third-party scanners")
    scanned_at: DateTimeText | None = Field(None, description="When it was scanned; without offset: UTC")
    nonce: Text(64, min_length=1) = Field(None, description="Same nonce twice is one scan")  # type: ignore[assignment]
    admit: StrictBool = Field(False, description="Admit someone not enrolled in the session")
    offline: StrictBool = False
    congress: Text(100) | None = Field(None, description="The edition's slug (scanners with an API token)")
    direction: Literal["in", "out"] = Field("in", description="'in' (default) checks in; 'out' checks out")


class CheckinQuery(RequestModel):
    congress: Text(100) = Field(description="The edition's slug")
    since: DateTimeText | None = Field(None, description="ISO 8601; without offset: UTC")


class Attendee(ResponseModel):
    name: str
    organisation: str
    notes: str


class CheckinResponse(ResponseModel):
    result: Literal["ok", "already_checked_in", "invalid", "revoked", "not_enrolled", "wrong_congress",
                    "checked_out", "not_checked_in"]
    attendee: Attendee | None
    checked_in_at: Annotated[str | None, Field(json_schema_extra=_DATE_TIME)]
    first_checked_in_at: Annotated[str | None, Field(json_schema_extra=_DATE_TIME)]
    first_station: str | None = None
    list: str | None = None
    status: str | None = None
    seats_left: int | None = None
    checked_out_at: Annotated[str | None, Field(json_schema_extra=_DATE_TIME)] = None


class Checkin(ResponseModel):
    id: int
    registration: int
    list: str
    scanned_at: Annotated[str | None, Field(json_schema_extra=_DATE_TIME)]
    received_at: Annotated[str | None, Field(json_schema_extra=_DATE_TIME)]
    station: str
    offline: bool
    undone_at: Annotated[str | None, Field(json_schema_extra=_DATE_TIME)]


class Checkins(ResponseModel):
    congress: str
    checkins: list[Checkin]


class Revocation(ResponseModel):
    registration: int
    nonce: str


class BundleAttendee(ResponseModel):
    id: int
    name: str
    organisation: str
    notes: str
    sessions: list[int]


class CheckinBundle(ResponseModel):
    congress: str
    congress_id: int
    algorithm: Literal["Ed25519"]
    public_key: str
    code_format: str
    revocations: list[Revocation]
    attendees: list[BundleAttendee]
    generated_at: Annotated[str, Field(json_schema_extra=_DATE_TIME)]


class StationMe(ResponseModel):
    id: int
    name: str
    congress: str
    list: str
    session: str | None


REQUESTS = [CheckinRequest]
RESPONSES = [CheckinResponse, Checkins, CheckinBundle, StationMe]
