"""An edition built to count: two earlier editions' organisations, several sectors, organisations
spelled in different ways, municipalities of the list, two workshop rounds over two tracks (and a
session without a track), check-ins at the door and in rooms (one undone), evaluations above and
below the threshold, and registrations that must not count (cancelled after checking in, pending)."""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa

from congress.badges import services as badges
from congress.checkin import services as checkin
from congress.checkin.models import CheckIn
from congress.evaluations.models import EvaluationResponse
from congress.extensions import db
from congress.municipalities import services as municipalities
from congress.questions import queries as question_queries
from congress.registration import services
from tests.evaluations.factories import scan_in
from tests.registration.factories import add_round, open_congress, registered

MUNICIPALITIES = [("GM0363", "Amsterdam"), ("GM0344", "Utrecht"), ("GM0599", "Rotterdam"),
                  ("GM0518", "'s-Gravenhage"), ("GM0014", "Groningen")]
# (organisation as typed, municipality index or None, sector index); the same organisation is typed
# in several ways, that all fold to one.
PEOPLE = [
    ("Gemeente Utrecht", 1, 0), ("gemeente  utrecht", 1, 0), ("GEMEENTE UTRECHT ", 1, 0),
    ("Gemeente Amsterdam", 0, 0), ("Stichting Het Buurthuis", None, 1), ("stichting het buurthuis", None, 1),
    ("Jongerenwerk Oost", None, 1), ("Politie Eenheid Rotterdam", 2, 4), ("", None, 6),
    ("Hogeschool Utrecht", 1, 2), ("Gemeente Rotterdam", 2, 0), ("Café Öztürk", None, 6),
    ("cafe ozturk", None, 6), ("Gemeente Amsterdam", 0, 0),
]


def reach_edition(slug: str = "bereik-2025", *, threshold_answers: int = 3):
    """The edition, its sessions and its confirmed registrations; see the module's docstring."""
    for code, name in MUNICIPALITIES:
        municipalities.add_municipality(code, name)
    listed = municipalities_by_code()
    past = open_congress(f"{slug}-vorig")
    past.starts_on = past.ends_on = past.starts_on - timedelta(days=365)
    db.session.commit()
    registered(past, name="Oud 1", email="oud1@example.org", organisation="Gemeente Utrecht", confirmed=True)
    registered(past, name="Oud 2", email="oud2@example.org", organisation="STICHTING HET BUURTHUIS", confirmed=True)
    gone = registered(past, name="Oud 3", email="oud3@example.org", organisation="Jongerenwerk Oost",
                      confirmed=True).registration
    services.cancel(gone, reason="attendee", notify=False)  # a cancelled one does not make it returning

    congress = open_congress(slug)
    _, first_round = add_round(congress, "Ronde 1", capacities=(40, 40), start="10:00", end="11:00")
    _, second_round = add_round(congress, "Ronde 2", capacities=(40, 40), start="11:30", end="12:30")
    tracks = congress.tracks
    first_round[0].track_id, first_round[1].track_id = tracks[0].id, tracks[1].id
    second_round[0].track_id, second_round[1].track_id = tracks[0].id, None
    db.session.commit()
    sectors = services.sectors(congress)
    codes = [m for m, _name in MUNICIPALITIES]
    people, badge_codes = [], []
    for i, (organisation, municipality, sector) in enumerate(PEOPLE):
        choice = [first_round[i % 2].id, second_round[(i // 2) % 2].id]
        registration = registered(
            congress, choice, name=f"Persoon {i}", email=f"{slug}-{i}@example.org", organisation=organisation,
            sector_id=sectors[sector].id, confirmed=True,
            municipality_id=None if municipality is None else listed[codes[municipality]]).registration
        people.append(registration)
        badge_codes.append(badges.issue_code(registration))
    db.session.commit()
    for i, code in enumerate(badge_codes):
        if i % 3 != 2:
            scan_in(congress, code)  # at the door
        if i % 2 == 0:
            scan_in(congress, code, people[i].enrolments[0].session_id)
        if i % 4 == 1:
            scan_in(congress, code, people[i].enrolments[1].session_id)
    # One door check-in undone: that person did not attend.
    undone = db.session.scalar(sa.select(CheckIn).where(CheckIn.registration_id == people[3].id,
                                                        CheckIn.list_key == "venue"))
    checkin.undo(undone, None)
    # Registrations that do not count: cancelled after checking in everywhere, pending, cancelled.
    for n, (organisation, municipality) in enumerate([("Gemeente Groningen", 4), ("Gemeente Amsterdam", 0)]):
        late = registered(congress, [first_round[0].id], name=f"Afgezegd {n}", email=f"{slug}-weg{n}@example.org",
                          organisation=organisation, sector_id=sectors[0].id, confirmed=True,
                          municipality_id=listed[codes[municipality]]).registration
        code = badges.issue_code(late)
        db.session.commit()
        scan_in(congress, code)
        scan_in(congress, code, first_round[0].id)
        services.cancel(late, reason="attendee", notify=False)
    registered(congress, [first_round[1].id], name="Wacht op bevestiging", email=f"{slug}-pending@example.org",
               organisation="Gemeente Groningen", sector_id=sectors[0].id, confirmed=False,
               municipality_id=listed["GM0014"])
    # Evaluations: the first workshop above the threshold, the second below it, and the congress.
    scale = next(q for q in question_queries.questions(congress, "evaluation") if q.scale is not None)
    ratings = {first_round[0].id: [5, 4, 4, 3], first_round[1].id: [1, 2], second_round[0].id: [2, 5, 3],
               None: [4, 4, 5]}
    for session_id, values in ratings.items():
        for value in values[:max(len(values), threshold_answers)]:
            db.session.add(EvaluationResponse(congress_id=congress.id, session_id=session_id,
                                              mark=secrets.token_hex(16), answers={str(scale.id): value}))
    db.session.commit()
    return congress, first_round + second_round, people


def municipalities_by_code() -> dict[str, int]:
    from congress.municipalities.queries import all_municipalities  # noqa: PLC0415

    return {m.code: m.id for m in all_municipalities()}
