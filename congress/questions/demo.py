"""Demo questions: every edition's registration form asks a few questions with options (one option
hidden, as organisers do when an option is no longer offered), and a call that has questions gets two
more. Idempotent: a question is recognised by its Dutch text."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from congress.core.models import Congress
from congress.extensions import db
from congress.questions.kinds import Target
from congress.questions.models import Question
from congress.questions.queries import forget, questions

HEARD = {"label_nl": "Hoe heeft u van het congres gehoord?", "label_en": "How did you hear about the congress?",
         "kind": "single_choice", "options": [
             {"value": "1", "nl": "Uitnodiging per e-mail", "en": "Invitation by e-mail"},
             {"value": "2", "nl": "Via een collega", "en": "Through a colleague"},
             {"value": "3", "nl": "Website of sociale media", "en": "Website or social media"},
             {"value": "4", "nl": "Nieuwsbrief van de Agenda (tot 2024)", "en": "The Agenda's newsletter (until 2024)",
              "hidden": True}]}
REGISTRATION = [
    HEARD,
    {"label_nl": "Welke lunch wilt u?", "label_en": "Which lunch would you like?", "kind": "single_choice",
     "help_nl": "De lunch is biologisch en komt van een leerwerkbedrijf uit de wijk.",
     "help_en": "The lunch is organic and made by a local work-experience company.", "options": [
         {"value": "1", "nl": "Vegetarisch", "en": "Vegetarian"}, {"value": "2", "nl": "Veganistisch", "en": "Vegan"},
         {"value": "3", "nl": "Vis", "en": "Fish"}, {"value": "4", "nl": "Geen lunch", "en": "No lunch"}]},
    {"label_nl": "Dieetwensen of allergieën", "label_en": "Dietary requirements or allergies", "kind": "short_text"},
    {"label_nl": "Wat heeft u nodig om volwaardig mee te doen?", "label_en": "What do you need to take part fully?",
     "kind": "multiple_choice", "options": [
         {"value": "1", "nl": "Rolstoeltoegankelijke plek", "en": "Wheelchair-accessible seat"},
         {"value": "2", "nl": "Ringleiding", "en": "Hearing loop"},
         {"value": "3", "nl": "Tolk Nederlandse Gebarentaal", "en": "Sign Language of the Netherlands interpreter"},
         {"value": "4", "nl": "Prikkelarme ruimte", "en": "Low-stimulus room"}]},
    {"label_nl": "U mag mij na afloop benaderen voor de evaluatie van het congres",
     "label_en": "You may contact me afterwards for the congress's evaluation", "kind": "checkbox"},
]
PROPOSAL = [
    {"label_nl": "Voor wie is uw bijdrage vooral bedoeld?", "label_en": "Who is your contribution mainly for?",
     "kind": "multiple_choice", "options": [
         {"value": "1", "nl": "Professionals in zorg, onderwijs en veiligheid",
          "en": "Professionals in care, education and safety"},
         {"value": "2", "nl": "Jongeren", "en": "Young people"},
         {"value": "3", "nl": "Ouders en opvoeders", "en": "Parents and carers"},
         {"value": "4", "nl": "Bestuurders en beleidsmakers", "en": "Administrators and policy makers"}]},
    {"label_nl": "Wensen voor de zaal en de techniek", "label_en": "Wishes for the room and equipment",
     "kind": "long_text", "max_length": 2000,
     "help_nl": "Bijvoorbeeld een kring van stoelen, flip-overs of een geluidsinstallatie.",
     "help_en": "For example a circle of chairs, flip charts or a sound system."},
]


def _ensure(congress: Congress, target: str, wanted: list[dict[str, Any]]) -> int:
    have = {q.label_nl for q in questions(congress, target)}
    position = len(have)
    added = 0
    for spec in wanted:
        if spec["label_nl"] in have:
            continue
        db.session.add(Question(congress_id=congress.id, target=target, position=position,
                                **{"required": False, "options": [], **spec}))
        position += 1
        added += 1
    db.session.flush()
    forget(congress.id, target)
    return added


def load(report: list[str]) -> None:
    for congress in db.session.scalars(sa.select(Congress).order_by(Congress.starts_on)):
        added = _ensure(congress, Target.REGISTRATION.value, REGISTRATION)
        if questions(congress, Target.PROPOSAL.value):  # an edition with a call
            added += _ensure(congress, Target.PROPOSAL.value, PROPOSAL)
        if added:
            report.append(f"{added} demo questions added to {congress.slug}.")
