"""Reads of the programme that other capabilities may use (registration, badges, check-in, cfp,
archive, manage): the published programme, an edition's sessions, a speaker's sessions, the
edition's time zone and days. They live in the programme's other modules; this is their one door.
"""

from __future__ import annotations

from congress.programme.calendar import calendar_for_sessions
from congress.programme.feeds import slugify
from congress.programme.models import ProgrammeSession, SessionFormat, SignupRound, format_label
from congress.programme.reading import (
    PublishedSession,
    all_sessions,
    congress_days,
    latest_version,
    local_datetime,
    local_day,
    public_sessions,
    seats_left,
    sessions_of_speaker,
    speakers_of,
    versions,
    zone,
)
from congress.programme.setup import signup_rounds

__all__ = [
    "ProgrammeSession", "PublishedSession", "SessionFormat", "SignupRound", "all_sessions", "calendar_for_sessions",
    "congress_days", "format_label", "latest_version", "local_datetime", "local_day", "public_sessions",
    "seats_left", "sessions_of_speaker", "signup_rounds", "slugify", "speakers_of", "versions", "zone",
]
