"""The demo's past edition, built with the factories: everything an organiser sets up (tracks, rooms with
their availability, sign-up rounds and sessions, sectors, questions on every form, the call for proposals)
and everything people leave behind (registrations, enrolments, a proposal with its speaker and review, a
reviewer's assignment, a check-in, a station, a badge code), so that cloning it shows what is and is not
copied."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from congress.badges import services as badges
from congress.cfp import services as cfp
from congress.cfp.models import Proposal, ProposalSpeaker, Review, ReviewAssignment
from congress.checkin import services as checkin
from congress.checkin.models import CheckIn
from congress.core import services as core
from congress.core.models import Congress, CongressStatus, Person
from congress.database import utcnow, write_transaction
from congress.demo import ROOMS, TRACKS
from congress.extensions import db
from congress.programme.models import ProgrammeSession, SessionFormat, SignupRound
from congress.questions import services as questions
from congress.registration import services as registration
from tests.cfp.factories import make_speaker
from tests.factories import make_user
from tests.registration.factories import data

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DAY = date(2024, 5, 23)  # a Thursday in summer time


def at(day: date, hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=AMSTERDAM)


def past_edition(slug: str = "congres-2024") -> Congress:
    with write_transaction():
        congress = _set_up(slug)
    _people(congress)
    return congress


def _set_up(slug: str) -> Congress:
    congress = core.create_congress(
        slug, title_nl="Congres Veerkrachtige & Weerbare Samenleving 2024",
        title_en="Congress on a Resilient Society 2024", starts_on=DAY, ends_on=DAY,
        status=CongressStatus.ARCHIVED.value, tagline_nl="Kennis delen over beschermende factoren",
        tagline_en="Sharing knowledge on protective factors",
        description_nl="Professionals van gemeenten en maatschappelijke organisaties delen wat werkt.",
        description_en="Professionals share what works.", venue_name="Jaarbeurs Utrecht",
        venue_address="Jaarbeursplein 6, 3521 AL Utrecht", capacity=250,
        registration_opens_at=at(date(2024, 3, 1), "09:00"), registration_closes_at=at(DAY, "08:00"),
    )
    for name_nl, name_en, colour, description_nl, description_en in TRACKS:
        core.add_track(congress, name_nl, name_en, colour=colour, description_nl=description_nl,
                       description_en=description_en)
    for name, capacity, notes in ROOMS:
        core.add_room(congress, name, capacity, accessibility_notes=notes)
    db.session.flush()
    congress.rooms[0].available_from, congress.rooms[0].available_until = at(DAY, "08:00"), at(DAY, "18:00")
    plenary = ProgrammeSession(congress=congress, title="Opening van het congres", format=SessionFormat.PLENARY.value,
                               room=congress.rooms[0], starts_at=at(DAY, "09:30"), ends_at=at(DAY, "10:15"),
                               speakers=[Person(name="Linda Visser", email="visser@sprekers.example")])
    db.session.add(plenary)
    sessions = []
    for number, start, end in ((1, "10:30", "11:30"), (2, "13:30", "14:30")):
        signup_round = SignupRound(congress=congress, name_nl=f"Workshopronde {number}",
                                   name_en=f"Workshop round {number}", position=number)
        for i, track in enumerate(congress.tracks[:2]):
            session = ProgrammeSession(
                congress=congress, title=f"Workshop {number}.{i + 1}: {track.name_nl}", track=track,
                room=congress.rooms[i + 1], signup_round=signup_round, signup_required=True, capacity=20 + i,
                starts_at=at(DAY, start), ends_at=at(DAY, end), abstract="Een werkvorm uit de praktijk.",
                target_audience="professionals", duration_minutes=60, sequence=3)
            db.session.add(session)
            sessions.append(session)
    db.session.add(ProgrammeSession(congress=congress, title="Vervallen lezing", is_cancelled=True,
                                    room=congress.rooms[4], starts_at=at(DAY, "15:00"), ends_at=at(DAY, "15:30")))
    registration.ensure_default_sectors(congress)
    questions.add_question(congress, "registration", kind="single_choice", label_nl="Hoe hoorde u van het congres?",
                           label_en="How did you hear of the congress?", required=True,
                           options=[{"value": "1", "nl": "Per e-mail", "en": "By e-mail"},
                                    {"value": "2", "nl": "Via een collega", "en": "Through a colleague"}])
    questions.add_question(congress, "registration", kind="short_text", label_nl="Functie", max_length=80)
    questions.add_question(congress, "evaluation", kind="scale_5", label_nl="Hoe waardeert u de sessie?",
                           scale_low_nl="slecht", scale_high_nl="uitstekend")
    cfp.update_settings(congress, opens_at=at(date(2024, 1, 8), "09:00"), closes_at=at(date(2024, 3, 1), "17:00"),
                        max_proposals_per_speaker=3, call_text_nl="Wij zoeken praktijkvoorbeelden.",
                        call_text_en="We are looking for practice.", anonymised=True, abstract_max=800)
    cfp.set_open_tracks(congress, [t.id for t in congress.tracks[1:]])
    db.session.flush()
    cfp.sync_formats(congress, "workshop | Workshop | Workshop | 60, 90\nlezing | Lezing | Lecture | 30")
    cfp.sync_criteria(congress, "Relevantie | Relevance | 3\nKwaliteit | Quality | 2")
    cfp.sync_questions(congress, "choice | Is de methode geëvalueerd? | Evaluated? | ja | ja; nee")
    return congress


def _people(congress: Congress) -> None:
    """What people left behind in the edition: none of it may be copied."""
    sessions = [s for s in congress.sessions if s.signup_round_id is not None]
    heard = {str(registration.questions(congress)[0].id): "2"}
    people = [registration.register(congress, data(congress, 900 + i, answers=heard), [sessions[0].id, sessions[3].id],
                                    confirmed=True, ignore_window=True, notify=False).registration for i in range(3)]
    code = badges.issue_code(people[0])
    station, _secret = checkin.create_station(congress, "Ingang", session_id=sessions[0].id)
    speaker = make_speaker(email="spreker2024@example.org")
    reviewer = make_user("reviewer", email="beoordelaar2024@example.org")
    with write_transaction():
        _leftovers(congress, sessions, people[0], station, speaker, reviewer)
    assert code


def _leftovers(congress, sessions, attendee, station, speaker, reviewer) -> None:
    db.session.add(CheckIn(congress_id=congress.id, registration_id=attendee.id, list_key="venue",
                           station_id=station.id, scanned_at=utcnow()))
    proposal = Proposal(congress_id=congress.id, guid=str(uuid.uuid4()), status="accepted",
                        title="Ouders als bondgenoot", track_id=congress.tracks[1].id,
                        format_id=cfp.formats(congress)[0].id, duration=60,
                        session_id=sessions[1].id)
    proposal.speakers.append(ProposalSpeaker(person=cfp.person_for(speaker), is_owner=True))
    db.session.add(proposal)
    db.session.flush()
    db.session.add(ReviewAssignment(congress_id=congress.id, reviewer_id=reviewer.id, track_id=congress.tracks[1].id))
    db.session.add(Review(proposal_id=proposal.id, reviewer_id=reviewer.id, scores={"1": 4}, comment_organisers="Goed"))


def rows_of(congress_id: int) -> dict[str, list[tuple]]:
    """Every row of every table that has a ``congress_id``, for this edition (sorted), and its own row."""
    found = {}
    for table in db.metadata.sorted_tables:
        if "congress_id" in table.c:
            rows = db.session.execute(sa.select(table).where(table.c.congress_id == congress_id)).all()
            found[table.name] = sorted((tuple(r) for r in rows), key=repr)
    found["congresses"] = [tuple(db.session.execute(
        sa.select(Congress.__table__).where(Congress.__table__.c.id == congress_id)).one())]
    return found


def count(table_name: str, congress_id: int) -> int:
    table = db.metadata.tables[table_name]
    return db.session.scalar(sa.select(sa.func.count()).select_from(table).where(table.c.congress_id == congress_id))
