"""Who a mailing goes to: the registrations list's filters (``registration.queries.search``, plus
check-in's "checked in"), the edition's speakers (cfp's accepted proposals and the published
programme), or its invitees who have not responded (asked through ``signals.invitees_wanted``), once
per address."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from congress.cfp import queries as cfp
from congress.checkin.queries import venue_checked_in_ids
from congress.communications.signals import invitees_wanted
from congress.core.models import Congress
from congress.extensions import db
from congress.programme import queries as programme
from congress.registration import queries as registrations
from congress.sanitize import MAX_ID
from congress.urls import external_url

KIND_REGISTRATIONS = "registrations"
KIND_SPEAKERS = "speakers"
KIND_INVITEES = "invitees"
KIND_LABELS = {KIND_REGISTRATIONS: _l("Registrations"), KIND_SPEAKERS: _l("Speakers of this edition"),
               KIND_INVITEES: _l("Invitees who have not registered or declined")}
ALL_ACTIVE = ""  # the status filter left empty: everyone not cancelled


def _text(value: Any, allowed: Iterable[str]) -> str | None:
    return value if isinstance(value, str) and value in set(allowed) else None


def _id(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value <= MAX_ID else None
    if isinstance(value, str) and value.isdigit() and len(value) <= 10:
        return _id(int(value))
    return None


@dataclass(frozen=True)
class Audience:
    """Who a mailing goes to: the registrations list's filters (status, badge role, sector, workshop
    and place in it, checked in), or the edition's speakers. Unknown values mean "no filter"."""

    kind: str = KIND_REGISTRATIONS
    status: str | None = None
    role: str | None = None
    sector_id: int | None = None
    session_id: int | None = None
    place: str | None = None  # enrolled / waitlisted, with session_id
    checked_in: str | None = None  # yes / no

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Audience:
        return cls(
            kind=_text(data.get("kind"), KIND_LABELS) or KIND_REGISTRATIONS,
            status=_text(data.get("status"), registrations.STATUS_LABELS),
            role=_text(data.get("role"), registrations.ROLE_LABELS),
            sector_id=_id(data.get("sector_id", data.get("sector"))),
            session_id=_id(data.get("session_id", data.get("session"))),
            place=_text(data.get("place"), registrations.ENROLMENT_LABELS),
            checked_in=_text(data.get("checked_in"), ("yes", "no")),
        )

    def as_dict(self) -> dict[str, Any]:
        if self.kind in (KIND_SPEAKERS, KIND_INVITEES):
            return {"kind": self.kind}
        values = {"kind": self.kind, "status": self.status, "role": self.role, "sector_id": self.sector_id,
                  "session_id": self.session_id, "place": self.place, "checked_in": self.checked_in}
        return {k: v for k, v in values.items() if v is not None}

    def filters(self) -> registrations.RegistrationFilters:
        return registrations.RegistrationFilters(status=self.status, role=self.role, sector_id=self.sector_id,
                                                 session_id=self.session_id, place=self.place)


@dataclass(frozen=True)
class Recipient:
    email: str  # lower case
    name: str
    locale: str
    registration_id: int | None
    link: str  # {{ manage_url }}: the registration's personal link, a speaker's page


def _locale(value: str | None) -> str:
    return value if value in ("nl", "en") else "nl"


def audience_recipients(congress: Congress, audience: Audience) -> list[Recipient]:
    """Everyone the audience names, once per address, in a stable order (registration order)."""
    seen: set[str] = set()
    found: list[Recipient] = []
    if audience.kind == KIND_SPEAKERS:
        people = [*cfp.accepted_speakers(congress.id), *programme.speakers_of(congress)]
        link = external_url("cfp.dashboard")
        for person in sorted(people, key=lambda p: p.id):
            email = (person.email or "").strip().lower()
            if "@" in email and email not in seen:
                seen.add(email)
                found.append(Recipient(email, person.name, "nl", None, link))
        return found
    if audience.kind == KIND_INVITEES:
        for _receiver, answer in invitees_wanted.send(congress.id):
            for email, name, locale, link in answer or ():
                email = (email or "").strip().lower()
                if "@" in email and email not in seen:
                    seen.add(email)
                    found.append(Recipient(email, name, _locale(locale), None, link))
        return found
    checked = venue_checked_in_ids() if audience.checked_in in ("yes", "no") else None
    query = registrations.search(congress, audience.filters(),
                                 only_ids=checked if audience.checked_in == "yes" else None,
                                 except_ids=checked if audience.checked_in == "no" else None)
    for registration in db.session.scalars(query):
        if registration.erased_at is not None:
            continue
        if registration.status == registrations.RegistrationStatus.CANCELLED and audience.status is None:
            continue  # "every status" means every active registration; cancelled ones only when asked
        email = registration.email.strip().lower()
        if "@" not in email or email in seen:
            continue
        seen.add(email)
        found.append(Recipient(email, registration.name, _locale(registration.locale), registration.id,
                               registrations.manage_url(registration)))
    return found
