from __future__ import annotations

from congress.badges import services as badges
from congress.extensions import db
from tests.registration.factories import add_round, open_congress, registered


def checkin_edition(slug: str = "checkin-congres", people: int = 3):
    """An edition with one workshop round (two sessions) and confirmed registrations enrolled in the first."""
    congress = open_congress(slug)
    _, sessions = add_round(congress, capacities=(30, 2))
    registrations = [
        registered(congress, [sessions[0].id], name=f"Bezoeker {i}", email=f"{slug}{i}@example.org",
                   organisation="Gemeente Zwolle", confirmed=True,
                   accessibility="rolstoel" if i == 0 else "").registration
        for i in range(people)
    ]
    codes = [badges.issue_code(r) for r in registrations]
    db.session.commit()
    return congress, sessions, registrations, codes
