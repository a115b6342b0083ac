"""Demo evaluations of the past edition (idempotent): most people who were there evaluated two of the
sessions they may evaluate, and more than half the whole congress — realistic
ratings and Dutch free texts, so that the results page shows charts, tables and texts.

A ``demo_late`` module: it needs the check-ins that ``congress/manage/demo_after.py`` writes. The rows
are written directly (the edition's evaluation closed long ago, so the service would refuse them):
demo data only, with the same marks the service computes.

Then the evaluation into evidence: each evaluated session's item presents one of the demo interventions
(of its track where there is one), the sessions with enough answers get their draft evaluation items,
and every other one of those is published, so that the interventions' pages list their evaluations
and the editors find drafts to review."""

from __future__ import annotations

import random

import sqlalchemy as sa

from congress.archive import services as archive
from congress.archive.models import ItemStatus, ItemType, KnowledgeItem
from congress.checkin.models import CheckIn
from congress.core.models import Congress
from congress.evaluations.models import EvaluationResponse
from congress.evaluations.rules import attended_sessions, mark
from congress.evaluations.services import TARGET, add_default_form, to_archive
from congress.extensions import db
from congress.questions import queries as question_queries
from congress.questions.queries import Question, QuestionKind
from congress.registration.models import Registration

PAST_SLUG = "congres-2024"

TEXTS = [
    "Heel praktisch: de voorbeelden uit de wijk kan ik maandag al gebruiken.",
    "Goede balans tussen theorie en oefenen. Graag meer tijd voor de casussen.",
    "De spreker wist veel, maar het ging wat snel. Een hand-out vooraf zou helpen.",
    "Mooi om collega's uit andere gemeenten te spreken over dezelfde vragen.",
    "Inspirerend verhaal van de wijkagent en de jongerenwerker samen.",
    "Te weinig ruimte voor vragen uit de zaal; het laatste kwartier liep uit.",
    "Eindelijk concrete handvatten voor het gesprek met ouders.",
    "De zaal was te vol en te warm, inhoudelijk wel sterk.",
    "Ik mis de vertaling naar kleinere gemeenten zonder eigen team.",
    "Fijne werkvorm, we gingen echt met elkaar aan de slag.",
    "Sterke onderbouwing, ik wil graag de literatuurlijst ontvangen.",
    "Herkenbare dilemma's uit de praktijk, goed begeleid.",
]


def _answer(question: Question, rng: random.Random, base: int) -> object:
    if question.kind == QuestionKind.SCALE_5.value:
        return max(1, min(5, base + rng.choice((-1, 0, 0, 0, 1))))
    if question.kind == QuestionKind.SCALE_10.value:
        return max(0, min(10, base * 2 + rng.choice((-2, -1, 0, 0, 1))))
    if question.kind == QuestionKind.SINGLE_CHOICE.value:
        values = [v for v, _ in question.choices("nl")]
        return rng.choices(values, weights=[1, 6, 2][:len(values)] or None)[0] if values else None
    if question.kind in (QuestionKind.LONG_TEXT.value, QuestionKind.SHORT_TEXT.value):
        return rng.choice(TEXTS) if rng.random() < 0.6 else ""
    return None


def load(report: list[str]) -> None:
    congress = db.session.scalar(sa.select(Congress).where(Congress.slug == PAST_SLUG))
    if congress is None:
        return
    if not db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationResponse).where(
            EvaluationResponse.congress_id == congress.id)):
        _answers(congress, report)
    _evidence(congress, report)


def _evidence(congress: Congress, report: list[str]) -> None:
    interventions = list(db.session.scalars(sa.select(KnowledgeItem).where(
        KnowledgeItem.type == ItemType.INTERVENTION.value, KnowledgeItem.status == ItemStatus.PUBLISHED.value)
        .order_by(KnowledgeItem.id)))
    if not interventions:
        return
    evaluated = db.session.execute(
        sa.select(EvaluationResponse.session_id, sa.func.count()).where(
            EvaluationResponse.congress_id == congress.id, EvaluationResponse.session_id.is_not(None))
        .group_by(EvaluationResponse.session_id).order_by(EvaluationResponse.session_id)).all()
    for n, (session_id, _count) in enumerate(evaluated):
        item = archive.session_item(session_id)
        if item is None or archive.presented(item):
            continue
        same_track = [i for i in interventions if item.track_id is not None and i.track_id == item.track_id]
        choice = (same_track or interventions)[n % len(same_track or interventions)]
        archive.set_presented(item, choice.key)
    outcome = to_archive(congress)
    for n, session in enumerate(outcome.made):
        figures = archive.session_evaluation(session.id)
        if n % 2 == 0 and figures is not None and figures.item is not None:
            archive.set_status(figures.item, ItemStatus.IN_REVIEW.value)
            archive.set_status(figures.item, ItemStatus.PUBLISHED.value)
    report.append(f"Evaluation into evidence for {congress.slug}: {len(outcome.made)} evaluation items made "
                  f"({(len(outcome.made) + 1) // 2} published), {len(outcome.existing)} there already, "
                  f"{len(outcome.below_threshold)} sessions below the threshold.")


def _answers(congress: Congress, report: list[str]) -> None:
    add_default_form(congress)
    asked = question_queries.questions(congress, TARGET)
    rng = random.Random(f"evaluations-{congress.slug}")
    people = db.session.scalars(sa.select(Registration).where(Registration.id.in_(
        sa.select(CheckIn.registration_id).where(CheckIn.congress_id == congress.id, CheckIn.undone_at.is_(None))))
        .order_by(Registration.id)).all()
    sessions: dict[int, int] = {}
    count = 0
    for person in people:
        # What the rule lets this person evaluate (the past edition's rooms had no stations: the door
        # check-in counts); most evaluated two of the first plenary and workshop sessions, some the congress.
        eligible = [s.id for s in attended_sessions(person)][:6]
        chosen: list[int | None] = rng.sample(eligible, min(2, len(eligible))) if rng.random() < 0.85 else []
        if rng.random() < 0.6:
            chosen.append(None)
        for subject in chosen:
            # Each session has its own level, so that the results differ between sessions.
            base = 3 + (subject or 0) % 3 if rng.random() < 0.8 else rng.randint(2, 5)
            answers = {str(q.id): value for q in asked
                       if (value := _answer(q, rng, min(base, 5))) not in (None, "")}
            db.session.add(EvaluationResponse(congress_id=congress.id, session_id=subject,
                                              mark=mark(person.id, subject), answers=answers))
            count += 1
            if subject is not None:
                sessions[subject] = sessions.get(subject, 0) + 1
    db.session.flush()
    report.append(f"Evaluations of {congress.slug}: {count} answers, {sum(n >= 5 for n in sessions.values())} "
                  f"sessions with at least 5.")
