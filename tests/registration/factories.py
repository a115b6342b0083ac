"""Builders for registration tests."""

from __future__ import annotations

import itertools
from datetime import timedelta

from congress.database import utcnow
from congress.extensions import db
from congress.programme.models import ProgrammeSession, SignupRound
from congress.registration import services
from congress.registration.services import RegistrationData
from tests.factories import make_congress, make_session

_counter = itertools.count(1)


def open_congress(slug: str = "congres-open", *, capacity: int | None = None, sectors: bool = True):
    congress = make_congress(slug)
    congress.registration_opens_at = utcnow() - timedelta(days=1)
    congress.registration_closes_at = utcnow() + timedelta(days=30)
    congress.capacity = capacity
    if sectors:
        services.ensure_default_sectors(congress)
    db.session.commit()
    return congress


def add_round(congress, name: str = "Ronde 1", *, capacities: tuple[int | None, ...] = (2, 30),
              start: str = "11:00", end: str = "12:00") -> tuple[SignupRound, list[ProgrammeSession]]:
    signup_round = SignupRound(congress_id=congress.id, name_nl=name, name_en=name.replace("Ronde", "Round"),
                               position=next(_counter))
    db.session.add(signup_round)
    db.session.flush()
    sessions = []
    for i, capacity in enumerate(capacities):
        session = make_session(congress, start=start, end=end, title=f"{name} workshop {i + 1}",
                               room_index=i % max(len(congress.rooms), 1))
        session.signup_round_id = signup_round.id
        session.signup_required = True
        session.capacity = capacity
        sessions.append(session)
    db.session.commit()
    return signup_round, sessions


def data(congress, n: int | None = None, **overrides) -> RegistrationData:
    n = n if n is not None else next(_counter)
    sector = services.sectors(congress)
    values = dict(name=f"Deelnemer {n}", email=f"deelnemer{n}@example.org", organisation="Gemeente Utrecht",
                  function="beleidsadviseur", sector_id=sector[0].id if sector else None, consent_privacy=True)
    values.update(overrides)
    return RegistrationData(**values)


def registered(congress, session_ids=(), n: int | None = None, *, confirmed: bool = False, **overrides):
    return services.register(congress, data(congress, n, **overrides), list(session_ids), confirmed=confirmed)


def form_data(congress, n: int | None = None, **overrides) -> dict:
    n = n if n is not None else next(_counter)
    sector = services.sectors(congress)
    values = {"name": f"Deelnemer {n}", "email": f"form{n}@example.org", "organisation": "Gemeente Utrecht",
              "function": "adviseur", "sector": str(sector[0].id) if sector else "", "consent_privacy": "y"}
    values.update(overrides)
    return values
