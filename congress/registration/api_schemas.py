"""Request and response schemas of the registration API (pydantic; the OpenAPI document is made from them)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from congress.schemas import Id, RequestModel, ResponseModel, StrictBool, Text

QuestionId = Annotated[str, Field(max_length=12, pattern=r"^[0-9]+$")]
# Text questions take a string, multiple choice a list of option values, a checkbox true/false.
Answer = Text(4000) | Annotated[list[Text(300)], Field(max_length=100)] | StrictBool | None


class RegistrationRequest(RequestModel):
    name: Text(200, min_length=1, strip=True)
    email: Annotated[Text(254, min_length=1), Field(json_schema_extra={"format": "email"})]
    organisation: Text(200) = ""
    function: Text(200) = ""
    sector: Id | Text(120) | None = Field(None, description="Sector id or name (Dutch or English)")
    dietary: Text(500) = ""
    accessibility: Text(500) = ""
    consent_privacy: Literal[True] = Field(description="Must be true: the person agreed to the privacy statement")
    consent_attendee_list: StrictBool = False
    consent_photos: StrictBool = False
    consent_network: StrictBool = Field(False, description="true: the person appears in the participants' network "
                                        "and may be contacted through it")
    attendance_mode: Literal["in_person", "online"] = Field(
        "in_person", description="In the venue, or online (only where the edition offers online places)")
    sessions: Annotated[list[Id], Field(max_length=50, description="Session ids, at most one per round")] = []
    answers: Annotated[dict[QuestionId, Answer], Field(max_length=100,
                                                       description="Custom question id → answer")] = {}
    confirmed: StrictBool = Field(False, description="true: skip the double opt-in")
    language: Literal["nl", "en"] | None = "nl"


class SessionRound(ResponseModel):
    id: int
    name: str


class SessionSeats(ResponseModel):
    id: int
    title: str
    track: str | None
    room: str | None
    start: Annotated[str | None, Field(json_schema_extra={"format": "date-time"})]
    end: Annotated[str | None, Field(json_schema_extra={"format": "date-time"})]
    capacity: int | None = Field(description="null: no limit")
    seats_left: int | None
    waiting: int = 0
    round: SessionRound | None


class Enrolment(ResponseModel):
    session: int
    status: Literal["enrolled", "waitlisted"]
    position: int | None = None


class Registration(ResponseModel):
    id: int
    status: Literal["pending", "confirmed", "waitlisted", "cancelled"]
    role: str = "attendee"
    attendance_mode: Literal["in_person", "online"] = "in_person"
    manage_url: Annotated[str | None, Field(description="The personal link; null for an existing registration",
                                            json_schema_extra={"format": "uri"})]
    duplicate: bool = False
    waiting_position: int | None = Field(
        None, description="The place on the edition's waiting list (1: next) when status is waitlisted")
    enrolments: list[Enrolment]


REQUESTS = [RegistrationRequest]
RESPONSES = [SessionSeats, Registration]
