"""The one seam: registration answers the programme's and the mail worker's signals (connected by
``receivers.connect()``, which ``create_app`` calls), and announces confirmations and cancellations
inside their transactions."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from congress.database import utcnow
from congress.extensions import db
from congress.mail.signals import context_wanted
from congress.programme.signals import seats_left_wanted, sessions_changed
from congress.registration import receivers, services
from congress.registration.models import Registration
from congress.registration.signals import registration_cancelled, registration_confirmed
from congress.signals import NoReceiver, first_answer, one_answer
from tests.factories import make_session
from tests.registration.factories import add_round, open_congress, registered


@contextmanager
def listening(signal, receiver):
    signal.connect(receiver)
    try:
        yield
    finally:
        signal.disconnect(receiver)


def test_connect_is_idempotent_and_the_mail_kind_has_exactly_one_answer(app):
    receivers.connect()
    receivers.connect()
    assert len(list(context_wanted.receivers_for("registration"))) == 1
    with pytest.raises(NoReceiver):
        one_answer(context_wanted, "no-such-kind", argument="1")


def test_seats_left_are_answered_for_the_programme(app):
    congress = open_congress()
    _, (small, big) = add_round(congress)
    registered(congress, [small.id], n=1, confirmed=True)
    registered(congress, [small.id], n=2, confirmed=True)
    assert first_answer(seats_left_wanted, small) == 0
    assert first_answer(seats_left_wanted, big) == 30
    plenary = make_session(congress, start="09:00", end="09:30")
    assert first_answer(seats_left_wanted, plenary) is None


def test_changed_sessions_mail_the_people_enrolled(app, mailbox):
    congress = open_congress()
    _, (small, big) = add_round(congress)
    a = registered(congress, [small.id], n=1, confirmed=True).registration
    waiting = [registered(congress, [small.id], n=i, confirmed=True).registration for i in (2, 3)][-1]
    registered(congress, [big.id], n=4, confirmed=True)
    mailbox.clear()
    answers = sessions_changed.send(congress, session_ids=[small.id], version=None)
    db.session.commit()
    assert [value for receiver, value in answers if receiver is receivers.on_sessions_changed] == [3]
    assert sorted(m["To"] for m in mailbox) == sorted([a.email, "deelnemer2@example.org", waiting.email])


def test_the_mail_worker_gets_the_registration_mail_context(app):
    congress = open_congress()
    result = registered(congress, n=1)
    context = one_answer(context_wanted, "registration", argument=str(result.id))
    assert context["registration"].id == result.id and context["congress"].id == congress.id
    assert result.link in context["link"] and context["confirm_link"].endswith("/confirm")
    assert context["hours"] == services.hold_hours()
    assert one_answer(context_wanted, "registration", argument="999999") is None
    assert one_answer(context_wanted, "registration", argument="not-a-number") is None


def test_confirmation_is_announced_inside_its_transaction(app):
    congress = open_congress()
    pending = registered(congress, n=1).registration
    heard = []

    def receiver(registration):
        heard.append((registration.id, registration.status, db.session().in_transaction()))

    with listening(registration_confirmed, receiver):
        assert services.confirm(pending)
        assert not services.confirm(pending)  # confirmed once, announced once
        added = registered(congress, n=2, confirmed=True)
        speaker = services.register_speaker(congress, name="Spreker", email="spreker@example.org")
    assert heard == [(pending.id, "confirmed", True), (added.id, "confirmed", True),
                     (speaker.id, "confirmed", True)]


def test_a_failing_listener_undoes_the_confirmation(app):
    congress = open_congress()
    pending = registered(congress, n=1).registration

    def receiver(registration, **_):
        raise RuntimeError("listener failed")

    with listening(registration_confirmed, receiver), pytest.raises(RuntimeError):
        services.confirm(pending)
    db.session.rollback()
    assert db.session.get(Registration, pending.id).status == "pending"


def test_cancellation_is_announced_for_every_way_of_cancelling(app):
    congress = open_congress()
    _, (small, _big) = add_round(congress)
    people = [registered(congress, [small.id], n=i, confirmed=i != 3).registration for i in range(4)]
    heard = []

    def receiver(registration, *, reason):
        heard.append((registration.id, registration.status, registration.enrolments == [],
                      db.session().in_transaction(), reason))

    with listening(registration_cancelled, receiver):
        assert services.cancel(people[0], reason="organiser")
        assert not services.cancel(people[0])  # once
        services.erase(people[1])
        people[3].expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        assert services.expire_unconfirmed() == 1
    assert heard == [(people[0].id, "cancelled", True, True, "organiser"),
                     (people[1].id, "cancelled", True, True, "erased"),
                     (people[3].id, "cancelled", True, True, "expired")]
    # Cancelling freed a seat of the small workshop: the person waiting moved up in the same transaction.
    db.session.expire_all()
    assert {e.status for e in db.session.get(Registration, people[2].id).enrolments} == {"enrolled"}


def test_a_failing_listener_undoes_the_cancellation(app):
    congress = open_congress()
    person = registered(congress, n=1, confirmed=True).registration

    def receiver(registration, **_):
        raise RuntimeError("listener failed")

    with listening(registration_cancelled, receiver), pytest.raises(RuntimeError):
        services.cancel(person)
    db.session.rollback()
    assert db.session.scalar(sa.select(Registration.status).where(Registration.id == person.id)) == "confirmed"
