from __future__ import annotations

from congress.extensions import db
from congress.registration.services import manage_secret
from tests.registration.factories import add_round, open_congress, registered


def network_edition(slug: str = "netwerk-congres", people: int = 4, *, consent: bool = True):
    """An edition with a workshop round and ``people`` confirmed registrations in the network (the first
    half enrolled in the first workshop, the rest in the second); returns (congress, sessions, people)."""
    congress = open_congress(slug)
    _, sessions = add_round(congress, capacities=(30, 30))
    regs = [registered(congress, [sessions[0 if i < people // 2 else 1].id], name=f"Deelnemer {i}",
                       email=f"{slug}{i}@example.org", organisation=f"Gemeente {['Zwolle', 'Deventer'][i % 2]}",
                       function="beleidsadviseur", confirmed=True, consent_network=consent).registration
            for i in range(people)]
    db.session.commit()
    return congress, sessions, regs


def link(registration) -> str:
    return manage_secret(registration)
