from __future__ import annotations

from datetime import timedelta

from congress.checkin import services as checkin
from congress.checkin.services import Scan
from tests.checkin.factories import checkin_edition


def evaluation_edition(slug: str = "evaluatie-congres", people: int = 6):
    """An edition with two workshops (a station at the first's room, none at the second's) and confirmed
    registrations enrolled in the first; ``after``: a moment when both workshops have ended."""
    congress, sessions, people_, codes = checkin_edition(slug, people=people)
    checkin.create_station(congress, "Zaal 1", session_id=sessions[0].id)
    after = max(s.ends_at for s in sessions) + timedelta(hours=1)
    return congress, sessions, people_, codes, after


def scan_in(congress, code, session_id=None):
    result = checkin.scan(Scan(code=code, list=session_id if session_id is not None else "venue", congress=congress,
                               admit=True))
    assert result["result"] in ("ok", "already"), result
