"""Evaluation into evidence: each session's aggregates (from the threshold on) become one draft
``evaluatie`` item, linked to the session's item and to the intervention it presents; never twice,
never an answer below the threshold, never a free text."""

from __future__ import annotations

import random
import statistics
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from congress.archive import queries as archive_queries
from congress.archive import services as archive
from congress.archive.models import ItemStatus, KnowledgeItem, RelationKind, SessionEvaluation
from congress.database import utcnow, write_transaction
from congress.evaluations import services
from congress.evaluations.models import EvaluationResponse
from congress.extensions import db
from congress.questions import queries as question_queries
from tests.archive.factories import make_item
from tests.evaluations.factories import evaluation_edition

SECRET_TEXT = "Mijn buurvrouw Fatima uit de Achterhoek"
BELOW_TEXT = "Alleen-onder-de-drempel"


def _fill(congress, session, count: int, rng: random.Random, text: str) -> list[dict]:
    """``count`` stored answers about ``session`` (random ratings, a choice, a free text), as stored."""
    questions = question_queries.questions(congress, "evaluation")
    stored = []
    with write_transaction():
        stored += _add(congress, session, questions, count, rng, text)
    return stored


def _add(congress, session, questions, count, rng, text) -> list[dict]:
    stored = []
    for n in range(count):
        answers = {}
        for q in questions:
            if q.scale is not None:
                answers[str(q.id)] = rng.randint(*q.scale)
            elif q.kind == "single_choice":
                answers[str(q.id)] = rng.choice([v for v, _ in q.choices("nl")])
            else:
                answers[str(q.id)] = f"{text} {n}"
        db.session.add(EvaluationResponse(congress_id=congress.id, session_id=session.id,
                                          mark=f"{session.id}-{n}-{rng.random()}", answers=answers))
        stored.append(answers)
    return stored


@pytest.fixture
def world(app):
    congress, sessions, _people, _codes, _after = evaluation_edition("bewijs-congres")
    with write_transaction():
        congress.starts_on = congress.ends_on = date.today() - timedelta(days=40)
        services.set_close_days(congress, 14)
    rng = random.Random(17)
    above = _fill(congress, sessions[0], 7, rng, SECRET_TEXT)
    _fill(congress, sessions[1], 4, rng, BELOW_TEXT)  # one below the threshold of 5
    archive.archive_sessions(congress, invite=False)
    intervention = make_item("Buurtgezinscoach", item_type="interventie")
    archive.set_presented(archive.session_item(sessions[0].id), intervention.key)
    db.session.commit()
    return congress, sessions, above, intervention


def _evaluation_items():
    return list(db.session.scalars(sa.select(KnowledgeItem).where(KnowledgeItem.type == "evaluatie")))


def test_one_draft_per_session_above_the_threshold_with_the_aggregates_only(world):
    congress, sessions, above, intervention = world
    outcome = services.to_archive(congress)
    db.session.commit()
    assert [s.id for s in outcome.made] == [sessions[0].id]
    assert [s.id for s in outcome.below_threshold] == [sessions[1].id]
    items = _evaluation_items()
    assert len(items) == 1
    item = items[0]
    assert item.status == ItemStatus.DRAFT.value and item.session_id is None
    assert item.title == f"Evaluatie · Evaluation: {sessions[0].title}"
    # Aggregates equal a brute-force computation over the stored answers, in both languages' texts.
    for q in question_queries.questions(congress, "evaluation"):
        values = [a[str(q.id)] for a in above]
        if q.scale is not None:
            mean, sd = statistics.fmean(values), statistics.pstdev(values)
            dutch = f"{mean:.1f}".replace(".", ","), f"{sd:.1f}".replace(".", ",")
            assert f"Gemiddelde {dutch[0]}, spreiding (sd) {dutch[1]}, {len(values)} keer beantwoord" in item.body
            for point in range(q.scale[0], q.scale[1] + 1):
                assert f"| {point} | {values.count(point)} |" in item.body
        elif q.kind == "single_choice":
            for value, label in q.choices("nl"):
                assert f"| {label} | {values.count(value)} |" in item.body
    overall = [a[str(question_queries.questions(congress, "evaluation")[0].id)] for a in above]
    figures = db.session.scalar(sa.select(SessionEvaluation))
    assert figures.responses == 7 and figures.mean == pytest.approx(statistics.fmean(overall))
    assert figures.scale_high == 5 and figures.session_id == sessions[0].id and figures.item_id == item.id
    # No free text is copied, and nothing of the session below the threshold appears anywhere.
    every_text = " ".join(f"{i.title} {i.summary} {i.body}" for i in db.session.scalars(sa.select(KnowledgeItem)))
    assert SECRET_TEXT not in every_text and BELOW_TEXT not in every_text
    assert sessions[1].title not in f"{item.title} {item.summary} {item.body}"
    # Linked: to the session's item, and as a process evaluation of the intervention it presents.
    session_item = archive.session_item(sessions[0].id)
    assert session_item in archive.relations_of(item)[RelationKind.RELATED.value]
    assert item in archive.relations_of(intervention)[RelationKind.PROCESS_EVALUATION.value]


def test_running_again_makes_nothing_and_keeps_the_editors_text(world):
    congress, sessions, _above, _intervention = world
    services.to_archive(congress)
    item = _evaluation_items()[0]
    archive.update_item(item, body="Ingekort door de redactie.", note="redactie")
    db.session.commit()
    again = services.to_archive(congress)
    db.session.commit()
    assert again.made == [] and [s.id for s in again.existing] == [sessions[0].id]
    assert len(_evaluation_items()) == 1
    db.session.refresh(item)
    assert item.body == "Ingekort door de redactie." and len(item.versions) == 2


def test_an_intervention_linked_later_is_linked_on_the_next_run(world):
    congress, sessions, _above, intervention = world
    session_item = archive.session_item(sessions[0].id)
    archive.set_presented(session_item, "")
    db.session.commit()
    services.to_archive(congress)
    item = _evaluation_items()[0]
    assert archive.relations_of(intervention)[RelationKind.PROCESS_EVALUATION.value] == []
    later = make_item("Weerbaar online", item_type="interventie")
    archive.set_presented(session_item, f"{intervention.key}, {later.key}")
    services.to_archive(congress)
    db.session.commit()
    for other in (intervention, later):
        assert archive.relations_of(other)[RelationKind.PROCESS_EVALUATION.value] == [item]


def test_nothing_while_the_evaluation_is_open(world):
    congress = world[0]
    services.set_close_days(congress, 365)
    db.session.commit()
    with pytest.raises(services.NotClosed):
        services.to_archive(congress)
    assert _evaluation_items() == []


def test_a_lower_threshold_is_read_at_run_time_and_a_higher_one_leaks_nothing(world, app, monkeypatch):
    congress, sessions, _above, _intervention = world
    monkeypatch.setitem(app.config, "EVALUATION_MIN_RESPONSES", 8)
    outcome = services.to_archive(congress)
    assert outcome.made == [] and len(outcome.below_threshold) == 2
    assert _evaluation_items() == [] and db.session.scalar(sa.select(sa.func.count(SessionEvaluation.id))) == 0


def test_two_concurrent_runs_make_one_item(world, app):
    congress_id = world[0].id
    db.session.commit()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    made: list[int] = []

    def run() -> None:
        try:
            with app.app_context():
                from congress.core.models import Congress  # noqa: PLC0415 - loaded in this thread's session

                congress = db.session.get(Congress, congress_id)
                barrier.wait(timeout=10)
                made.append(len(services.to_archive(congress).made))
                db.session.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(made) == [0, 1]
    with write_transaction():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SessionEvaluation)) == 1
        assert db.session.scalar(sa.select(sa.func.count(KnowledgeItem.id)).where(
            KnowledgeItem.type == "evaluatie")) == 1


def test_the_periodic_job_runs_once_per_edition(world):
    congress = world[0]
    closed = services.closes_at(congress)
    assert congress in services.editions_to_archive(closed + timedelta(days=1))
    assert congress not in services.editions_to_archive(closed - timedelta(days=1))
    assert congress not in services.editions_to_archive(closed + timedelta(days=services.EVIDENCE_WINDOW_DAYS + 1))
    first = services.run_to_archive_once(congress)
    assert first is not None and len(first.made) == 1
    # A second consumer, or the next day's run: the edition's row is taken, nothing runs.
    assert services.run_to_archive_once(congress) is None
    assert len(_evaluation_items()) == 1


def test_the_editor_publishes_and_the_intervention_page_lists_it(world, app):
    congress, sessions, above, intervention = world
    services.to_archive(congress)
    item = _evaluation_items()[0]
    db.session.commit()
    client = app.test_client()
    assert item.title not in client.get(f"/kennisbank/item/{intervention.key}").get_data(as_text=True)
    assert archive_queries.evaluations_of_intervention(intervention) == []
    archive.set_status(item, "in_review")
    archive.set_status(item, "published")
    db.session.commit()
    rows = archive_queries.evaluations_of_intervention(intervention)
    assert [(r.item.id, r.responses, r.session_title) for r in rows] == [(item.id, 7, sessions[0].title)]
    html = client.get(f"/kennisbank/item/{intervention.key}").get_data(as_text=True)
    mean = statistics.fmean(a[str(question_queries.questions(congress, "evaluation")[0].id)] for a in above)
    assert sessions[0].title in html and f"{mean:.1f}".replace(".", ",") + " van de 5" in html
    assert congress.title("nl") in html
    published = client.get(f"/kennisbank/item/{item.key}").get_data(as_text=True)
    assert SECRET_TEXT not in published and "<table" in published


def test_the_command_line(world, runner):
    congress = world[0]
    result = runner.invoke(args=["congress", "evaluations", "to-archive", congress.slug])
    assert result.exit_code == 0, result.output
    assert "1 draft evaluation items made" in result.output and "1 sessions below the threshold" in result.output
    again = runner.invoke(args=["congress", "evaluations", "to-archive", congress.slug])
    assert "0 draft evaluation items made, 1 there already" in again.output
    missing = runner.invoke(args=["congress", "evaluations", "to-archive", "bestaat-niet"])
    assert missing.exit_code != 0 and "no edition" in missing.output


def test_the_organisers_button(world, app, organiser):
    congress, sessions, _above, _intervention = world
    client = app.test_client(user=organiser)
    page = client.get(f"/manage/{congress.slug}/evaluations").get_data(as_text=True)
    assert "Evaluatie-items als concept maken" in page and "alleen de totalen" in page
    response = client.post(f"/manage/{congress.slug}/evaluations/to-archive", follow_redirects=True)
    assert response.status_code == 200
    assert len(_evaluation_items()) == 1
    client.post(f"/manage/{congress.slug}/evaluations/to-archive")
    assert len(_evaluation_items()) == 1


def test_the_button_refuses_while_open(world, app, organiser):
    congress = world[0]
    with write_transaction():
        congress.starts_on = congress.ends_on = date.today()
    client = app.test_client(user=organiser)
    response = client.post(f"/manage/{congress.slug}/evaluations/to-archive", follow_redirects=True)
    assert response.status_code == 200 and _evaluation_items() == []
    assert "nog open" in response.get_data(as_text=True)
    assert utcnow() < services.closes_at(congress)


def test_the_editor_names_the_intervention_a_session_presents(world, app, organiser):
    congress, sessions, _above, intervention = world
    item = archive.session_item(sessions[0].id)
    other = make_item("Een rapport", item_type="rapport")
    editor = app.test_client(user=organiser)
    form = editor.get(f"/manage/kennisbank/{item.id}").get_data(as_text=True)
    assert "Gepresenteerde interventie" in form and f'value="{intervention.key}"' in form
    data = {"type": "sessieverslag", "title": item.title, "summary": "", "body": "", "congress_id": str(congress.id),
            "track_id": str(item.track_id or 0), "language": "nl", "licence": "CC BY 4.0", "presents": other.key}
    refused = editor.post(f"/manage/kennisbank/{item.id}", data=data)
    assert refused.status_code == 200
    assert f"Er is geen interventie met de sleutel {other.key}." in refused.get_data(as_text=True)
    assert archive.presented(item) == [intervention]
    # Another intervention, and a related item beside it: saving the related items keeps what it presents.
    second = make_item("Weerbaar online", item_type="interventie")
    data.update(presents=second.key, related=other.key)
    assert editor.post(f"/manage/kennisbank/{item.id}", data=data).status_code == 302
    db.session.expire_all()
    assert archive.presented(item) == [second]
    assert archive.relations_of(item)[RelationKind.RELATED.value] == [other]
    archive.set_related_keys(item, "")
    db.session.commit()
    assert archive.presented(item) == [second]


def test_the_daily_job_takes_the_edition_up_once(world):
    from congress.evaluations.tasks import evaluations_to_archive  # noqa: PLC0415 - the worker's task module

    # In immediate mode the task runs at each call: the day's period does not hold it back, the edition's row does.
    assert evaluations_to_archive.call_local() == 1
    assert evaluations_to_archive.call_local() == 0
    assert len(_evaluation_items()) == 1
