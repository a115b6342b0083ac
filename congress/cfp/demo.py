"""Demo call for proposals on the 2025 edition: open now, the demo formats, criteria and a question,
two demo proposals and a reviewer. Idempotent: an edition that has call settings is left as it is."""

from __future__ import annotations

import os
from datetime import timedelta

from congress.accounts import services as accounts
from congress.accounts.models import Role
from congress.audit.services import record
from congress.cfp import services
from congress.cfp.models import ReviewAssignment
from congress.core import queries as core
from congress.database import utcnow
from congress.extensions import db
from congress.questions import services as question_services

SLUG = "congres-2025"
REVIEWER_EMAIL = "beoordelaar@congres.example"
SPEAKER_EMAIL = "spreker@congres.example"

CALL_NL = (
    "Het congres zoekt praktijkvoorbeelden van gemeenten, maatschappelijke organisaties, scholen en onderzoekers: "
    "methoden en interventies die beschermende factoren versterken.\n\n"
    "Dien een workshop, lezing, paneldiscussie of dialoogsessie in en vertel welke beschermende factor uw sessie "
    "versterkt."
)
CALL_EN = (
    "The congress is looking for practice from municipalities, civil-society organisations, schools and "
    "researchers: methods and interventions that strengthen protective factors.\n\n"
    "Propose a workshop, lecture, panel discussion or dialogue session and tell us which protective factor your "
    "session strengthens."
)
FORMATS = (
    "workshop | Workshop | Workshop | 60, 90\n"
    "lezing | Lezing | Lecture | 30\n"
    "paneldiscussie | Paneldiscussie | Panel discussion | 60\n"
    "dialoogsessie | Dialoogsessie | Dialogue session | 45"
)
CRITERIA = (
    "Relevantie voor de Agenda | Relevance for the Agenda | 3\n"
    "Kwaliteit | Quality | 2\n"
    "Praktijkgerichtheid | Practical focus | 2\n"
    "Diversiteit van perspectieven | Diversity of perspectives | 1"
)
QUESTIONS = "choice | Is de methode geëvalueerd? | Has the method been evaluated? | ja | ja; nee; loopt nog"


def load(report: list[str]) -> None:
    congress = core.congress_by_slug(SLUG)
    if congress is None:
        return
    if services.settings_for(congress) is not None:
        report.append(f"Call for proposals of {SLUG} exists; left as it is.")
        return
    now = utcnow()
    services.update_settings(congress, opens_at=now - timedelta(days=7), closes_at=now + timedelta(days=60),
                             max_proposals_per_speaker=5, call_text_nl=CALL_NL, call_text_en=CALL_EN)
    services.set_open_tracks(congress, [t.id for t in congress.tracks])
    db.session.flush()
    services.sync_formats(congress, FORMATS)
    services.sync_criteria(congress, CRITERIA)
    services.sync_questions(congress, QUESTIONS)
    question_services.update_question(services.questions(congress)[0], options=[
        {"value": "ja", "nl": "ja", "en": "yes"}, {"value": "nee", "nl": "nee", "en": "no"},
        {"value": "loopt nog", "nl": "loopt nog", "en": "under way"}])
    password = os.environ.get("DEMO_PASSWORD") or accounts.generate_password()
    speaker = accounts.create_user(SPEAKER_EMAIL, name="Fatima Demo", password=password, roles=(Role.SPEAKER.value,))
    reviewer = accounts.create_user(REVIEWER_EMAIL, name="Bert Beoordelaar", password=password,
                                    roles=(Role.REVIEWER.value,))
    person = services.person_for(speaker)
    person.organisation, person.function = "Stichting Samen Wijs", "projectleider"
    person.bio = "Werkt met ouders en jongeren aan weerbaarheid in de wijk."
    db.session.flush()
    workshop, lecture = services.formats(congress)[:2]
    question = services.questions(congress)[0]
    for title, fmt, duration, track, factor in (
        ("Ouders als bondgenoot: gesprekken aan de keukentafel", workshop, 90, congress.tracks[2],
         "ondersteunende gezinsstructuren"),
        ("Nepnieuws ontmaskeren met de klas", lecture, 30, congress.tracks[0], "digitale weerbaarheid"),
    ):
        services.create_proposal(congress, speaker, services.ProposalData(
            title=title, abstract="Een beproefde werkvorm uit de praktijk, met materiaal om zelf mee te werken.",
            description="We laten zien hoe de methode werkt, oefenen samen en bespreken wat nodig is om haar in "
                        "uw eigen gemeente of school toe te passen.",
            format_id=fmt.id, duration=duration, track_id=track.id, language="nl",
            target_audience="professionals in gemeenten en onderwijs", protective_factor=factor,
            answers={str(question.id): "ja"},
        ), submit=True)
    assignment = ReviewAssignment(congress_id=congress.id, reviewer_id=reviewer.id, track_id=congress.tracks[0].id)
    db.session.add(assignment)
    db.session.flush()
    record("cfp.reviewer_assigned", assignment, congress_id=congress.id, reviewer_id=reviewer.id, demo=True)
    db.session.flush()
    report.append(f"Call for proposals of {SLUG} open; speaker {SPEAKER_EMAIL} and reviewer {REVIEWER_EMAIL} "
                  f"(password: {password}).")
