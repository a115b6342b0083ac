"""What the edition page (the event site) shows beside the programme: the seats left and what the
register button says, the tracks with their sessions, the plenary programme, the route link."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from congress.core.models import Congress
from congress.registration import queries as registration

ROUTE_BASE = "https://www.openstreetmap.org/directions"
HEX_COLOUR = re.compile(r"^#[0-9a-f]{6}$")  # as stored (core.services lowers it)


@dataclass(frozen=True)
class Seats:
    """The register call-to-action: the registration state, the venue's places left (None: no limit or not
    asked), whether a full edition takes people onto its waiting list, online places left (None: no limit)."""

    state: str  # not_open, open, full, closed
    places_left: int | None
    capacity: int | None
    waiting_list: bool
    online: bool
    online_left: int | None

    @property
    def can_register(self) -> bool:
        return self.state == "open" or (self.state == "full" and self.waiting_list)

    @property
    def joins_waiting_list(self) -> bool:
        """Who registers now joins the waiting list (no place left at the venue, none online)."""
        return self.can_register and self.places_left == 0 and not self.online


def seats(congress: Congress) -> Seats:
    state = registration.registration_state(congress)
    places_left = capacity = None
    waiting_list = online = False
    online_left: int | None = None
    if state in ("open", "full"):
        capacity = congress.capacity
        places_left = registration.edition_places_left(congress.id) if capacity is not None else None
        waiting_list = registration.offers_waiting_list(congress.id)
        online_left = registration.online_places_left(congress.id)
        online = online_left is None or online_left > 0
        if state == "full":
            places_left = 0
    return Seats(state, places_left, capacity, waiting_list, online, online_left)


def route_url(congress: Congress) -> str | None:
    """OpenStreetMap's route planner to the venue's address (a link: nothing is asked of OpenStreetMap
    until the visitor follows it); None without an address."""
    address = congress.venue_address.strip()
    if not address:
        return None
    return f"{ROUTE_BASE}?{urlencode({'to': address})}"


def tracks_with_sessions(congress: Congress, sessions: list) -> list[tuple[object, list]]:
    """Each track of the edition with its public sessions in time order (a track without any is listed too)."""
    by_track: dict[int, list] = {track.id: [] for track in congress.tracks}
    for session in sessions:
        if session.track_id in by_track:
            by_track[session.track_id].append(session)
    return [(track, by_track[track.id]) for track in congress.tracks]


def plenary_days(congress: Congress, days: list[tuple[date, list]]) -> list[tuple[date, list]]:
    """The programme's days with the sessions outside the tracks (plenary parts, breaks); with no tracks
    at all, every session."""
    if not congress.tracks:
        return days
    result = [(day, [s for s in items if s.track_id is None]) for day, items in days]
    return [(day, items) for day, items in result if items]


def accent_css(colour: str) -> str:
    if not HEX_COLOUR.match(colour):
        raise ValueError(colour)
    return f":root {{ --edition-accent: {colour}; }}\n"
