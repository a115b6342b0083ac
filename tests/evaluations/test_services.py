"""The evaluation rules without HTTP: who may answer, once, when; the mark; the default form."""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from congress.core.cloning import clone_edition
from congress.database import write_transaction
from congress.evaluations import services
from congress.evaluations.models import EvaluationResponse
from congress.evaluations.services import NotOpen, NotThere
from congress.extensions import db
from congress.questions import queries as question_queries
from congress.questions import services as question_services
from congress.registration.models import Registration
from tests.evaluations.factories import evaluation_edition, scan_in


@pytest.fixture
def edition(app):
    return evaluation_edition()


def _form(congress):
    return question_queries.questions(congress, "evaluation")


def _answers(congress, rating=4, text=""):
    questions = _form(congress)
    return {str(questions[0].id): str(rating), str(questions[-1].id): text}


def test_a_new_edition_gets_the_default_form(edition):
    congress = edition[0]
    kinds = [q.kind for q in _form(congress)]
    assert kinds == ["scale_5", "scale_5", "scale_10", "single_choice", "long_text"]
    first = _form(congress)[0]
    assert first.scale_ends("nl") == "1 = slecht, 5 = uitstekend"
    assert first.label("en") == "How do you rate this part as a whole?"


def test_only_the_checked_in_can_evaluate(edition):
    congress, sessions, people, codes, after = edition
    scan_in(congress, codes[0], sessions[0].id)
    assert services.submit(people[0], sessions[0].id, _answers(congress), now=after) == []
    with pytest.raises(NotThere):  # enrolled, never scanned in
        services.submit(people[1], sessions[0].id, _answers(congress), now=after)
    with pytest.raises(NotThere):  # scanned in at the first workshop, not at the second
        services.submit(people[0], sessions[1].id, _answers(congress), now=after)
    assert [e.session_id for e in services.evaluables(people[0])] == [sessions[0].id, None]
    assert services.evaluables(people[1]) == []


def test_the_door_counts_for_a_session_without_a_room_station(edition):
    congress, sessions, people, codes, after = edition
    scan_in(congress, codes[2])  # at the door only
    ids = [e.session_id for e in services.evaluables(people[2])]
    assert ids == [sessions[1].id, None]  # the second workshop's room has no station; the first's has
    assert services.submit(people[2], sessions[1].id, _answers(congress), now=after) == []
    with pytest.raises(NotThere):
        services.submit(people[2], sessions[0].id, _answers(congress), now=after)


def test_opens_at_the_end_and_closes_after_the_setting(edition):
    congress, sessions, people, codes, after = edition
    scan_in(congress, codes[0], sessions[0].id)
    with pytest.raises(NotOpen):
        services.submit(people[0], sessions[0].id, _answers(congress), now=sessions[0].ends_at - timedelta(minutes=1))
    services.set_close_days(congress, 3)
    closes = services.closes_at(congress)
    assert services.submit(people[0], sessions[0].id, _answers(congress), now=closes - timedelta(minutes=1)) == []
    with pytest.raises(NotOpen):
        services.submit(people[0], sessions[0].id, _answers(congress), now=closes)
    with pytest.raises(services.EvaluationError):
        services.set_close_days(congress, 400)


def test_a_second_submit_edits_the_first(edition):
    congress, sessions, people, codes, after = edition
    scan_in(congress, codes[0], sessions[0].id)
    services.submit(people[0], sessions[0].id, _answers(congress, 2, "Te kort."), now=after)
    services.submit(people[0], sessions[0].id, _answers(congress, 5, "Toch heel goed."), now=after)
    rows = db.session.scalars(sa.select(EvaluationResponse)).all()
    assert len(rows) == 1
    assert rows[0].answers[str(_form(congress)[0].id)] == 5
    assert services.answer_of(people[0], sessions[0].id)[str(_form(congress)[-1].id)] == "Toch heel goed."


def test_invalid_answers_are_problems_and_nothing_is_stored(edition):
    congress, sessions, people, codes, after = edition
    scan_in(congress, codes[0], sessions[0].id)
    problems = services.submit(people[0], sessions[0].id, {str(_form(congress)[0].id): "9"}, now=after)
    assert [p.code for p in problems] == ["range"]
    problems = services.submit(people[0], sessions[0].id, {}, now=after)
    assert [p.code for p in problems] == ["required"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationResponse)) == 0


def test_the_mark_does_not_reveal_the_registration(edition, app, monkeypatch):
    congress, sessions, people, codes, after = edition
    scan_in(congress, codes[0], sessions[0].id)
    services.submit(people[0], sessions[0].id, _answers(congress), now=after)
    row = db.session.scalars(sa.select(EvaluationResponse)).one()
    columns = {c.name for c in EvaluationResponse.__table__.columns}
    assert columns == {"id", "congress_id", "session_id", "mark", "answers"}  # no registration, no time
    assert row.mark == services.mark(people[0].id, sessions[0].id)
    assert len(row.mark) == 64 and int(row.mark, 16) >= 0
    # Not a plain hash of the ids: without the application's secret the mark cannot be recomputed.
    for guess in (f"{people[0].id}|session:{sessions[0].id}", f"{people[0].id}:{sessions[0].id}"):
        assert hashlib.sha256(guess.encode()).hexdigest() != row.mark
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key-for-this-test")
    assert services.mark(people[0].id, sessions[0].id) != row.mark
    # Per subject: the same person's marks of two sessions have nothing in common.
    assert services.mark(people[0].id, sessions[1].id) != services.mark(people[0].id, sessions[0].id)


def test_concurrent_double_submit_stores_one_answer(edition, app):
    congress, sessions, people, codes, after = edition
    scan_in(congress, codes[0], sessions[0].id)
    registration_id, session_id = people[0].id, sessions[0].id
    answers = _answers(congress, 3, "Tegelijk verstuurd.")
    db.session.commit()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def send() -> None:
        try:
            with app.app_context():
                registration = db.session.get(Registration, registration_id)
                barrier.wait(timeout=10)
                services.submit(registration, session_id, answers, now=after)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    with write_transaction():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationResponse)) == 1


def test_a_clone_keeps_its_sources_form(edition):
    congress = edition[0]
    question_services.add_question(congress, "evaluation", kind="short_text", label_nl="Eén woord?")
    db.session.commit()
    result = clone_edition(congress, "evaluatie-kloon", starts_on=congress.starts_on + timedelta(days=365))
    target = result.congress
    db.session.commit()
    assert [q.label_nl for q in _form(target)] == [q.label_nl for q in _form(congress)]
