"""Request and response schemas of the check-in API (pydantic; the OpenAPI document is made from them)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints

from congress.schemas import DateTimeText, Id, RequestModel, ResponseModel, StrictBool, Text

_DATE_TIME = {"format": "date-time"}


class CheckinRequest(RequestModel):
    """Send exactly one of ``code`` (a badge scanned) and ``registration`` (someone found by name)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True,
                              json_schema_extra={"oneOf": [{"required": ["code"]}, {"required": ["registration"]}]})

    # Any value: what is not a badge code is answered with the result "invalid" (never a 422).
    code: Any = Field(None, description="The badge's QR content; anything that is not a badge code is `invalid`. "
                                        "Send either `code` or `registration`, not both")
    registration: Id = Field(None, description=(  # type: ignore[assignment]
        "Check in by registration id instead of a badge (the station's name search); a registration of "
        "another edition is `invalid`. With an API token, `congress` is required"))
    list: Literal["venue"] | Id | None = Field(None, description="'venue' (default) or a session id")
    station: Text(120) | Annotated[int, Field(ge=0, le=2**31 - 1, strict=True)] | None = Field(
        None, description="A label for third-party scanners")
    scanned_at: DateTimeText | None = Field(None, description="When it was scanned; without offset: UTC")
    nonce: Text(64, min_length=1) = Field(None, description="Same nonce twice is one scan")  # type: ignore[assignment]
    admit: StrictBool = Field(False, description="Admit someone not enrolled in the session")
    offline: StrictBool = False
    congress: Text(100) | None = Field(None, description="The edition's slug (scanners with an API token)")
    direction: Literal["in", "out"] = Field("in", description="'in' (default) checks in; 'out' checks out")


class PeopleQuery(RequestModel):
    congress: Text(100) = Field(description="The edition's slug")
    q: Text(100, min_length=2, strip=True) = Field(
        description="Part of a name or organisation (at least 2 characters); every word must occur, "
                    "accents and case do not matter")
    list: Annotated[str, StringConstraints(pattern=r"^(venue|[1-9][0-9]{0,8})$", strict=True)] | None = Field(
        None, description="Whose check-ins to show: 'venue' (default) or a session id; a station: its own list")


class CheckinQuery(RequestModel):
    congress: Text(100) = Field(description="The edition's slug")
    since: DateTimeText | None = Field(None, description="ISO 8601; without offset: UTC")


class Attendee(ResponseModel):
    name: str
    organisation: str
    notes: str


class CheckinResponse(ResponseModel):
    result: Literal["ok", "already_checked_in", "invalid", "revoked", "not_enrolled", "wrong_congress", "no_place",
                    "checked_out", "not_checked_in"]
    attendee: Attendee | None
    checked_in_at: Annotated[str | None, Field(json_schema_extra=_DATE_TIME)]
    first_checked_in_at: Annotated[str | None, Field(json_schema_extra=_DATE_TIME)]
    first_station: str | None = None
    list: str | None = None
    status: str | None = None
    seats_left: int | None = None
    checked_out_at: Annotated[str | None, Field(json_schema_extra=_DATE_TIME)] = None


class Person(ResponseModel):
    registration: int
    name: str
    organisation: str
    status: Literal["pending", "confirmed", "waitlisted", "cancelled"]
    checked_in_at: Annotated[str | None, Field(json_schema_extra=_DATE_TIME)]


class People(ResponseModel):
    congress: str
    list: str
    people: list[Person]
    more: bool


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
    status: Literal["pending", "confirmed"]


class CheckinBundle(ResponseModel):
    """The full bundle (no ``since``), or with ``since`` and ``changed`` a delta: remove every attendee
    and revocation of a ``changed`` registration, add these; docs/checkin-stations.md."""

    congress: str
    congress_id: int
    version: Annotated[str, Field(description="Opaque; also the (weak) ETag. Send it back as since= and "
                                              "If-None-Match.")]
    algorithm: Literal["Ed25519"]
    public_key: str
    code_format: str
    revocations: list[Revocation]
    attendees: list[BundleAttendee]
    generated_at: Annotated[str, Field(json_schema_extra=_DATE_TIME)]
    since: Annotated[str | None, Field(description="Only in a delta: the version it starts from.")] = None
    changed: Annotated[list[int] | None, Field(
        description="Only in a delta: every registration changed since then; attendees and revocations "
                    "list those of them a full bundle holds now.")] = None


class StationMe(ResponseModel):
    id: int
    name: str
    congress: str
    list: str
    session: str | None


REQUESTS = [CheckinRequest]
RESPONSES = [CheckinResponse, Checkins, CheckinBundle, StationMe, People]
