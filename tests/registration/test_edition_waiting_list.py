"""The edition-wide waiting list: joining it when the edition is full, its order, and the promotion of the
first person waiting in the transaction that frees a place (cancel, expiry, a raised capacity)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from congress.audit.models import AuditEvent
from congress.core import services as core
from congress.database import utcnow
from congress.extensions import db
from congress.registration import services
from congress.registration.models import Registration
from tests.registration.factories import add_round, open_congress, registered


def full_edition(capacity: int = 2, *, waiting_list: bool = True, slug: str = "vol"):
    congress = open_congress(slug, capacity=capacity)
    if waiting_list:
        services.set_waiting_list(congress, True)
    holders = [registered(congress, n=i).registration for i in range(capacity)]
    return congress, holders


def reload(registration: Registration) -> Registration:
    db.session.expire_all()
    return db.session.get(Registration, registration.id)


def test_the_waiting_list_is_off_by_default_and_a_full_edition_refuses(app):
    congress, _ = full_edition(waiting_list=False)
    assert not services.offers_waiting_list(congress.id)
    with pytest.raises(services.RegistrationError) as refused:
        registered(congress, n=99)
    assert refused.value.code == "full"


def test_a_full_edition_with_a_waiting_list_puts_people_on_it_in_order(app, mailbox):
    congress, _ = full_edition()
    mailbox.clear()
    first, second = (registered(congress, n=10 + i) for i in range(2))
    assert (first.status, first.waiting_rank) == ("waitlisted", 1)
    assert (second.status, second.waiting_rank) == ("waitlisted", 2)
    assert first.registration.waitlist_position < second.registration.waitlist_position
    assert first.registration.expires_at is None  # waiting holds nothing that could expire
    assert services.edition_waiting_rank(second.registration) == 2
    assert services.active_count(congress.id) == 2  # no place taken
    [mail, _second_mail] = mailbox
    assert "wachtlijst" in mail["Subject"]
    assert "plaats 1" in mail.get_body(("plain",)).get_content()


def test_someone_waiting_holds_no_workshop_seat_and_chooses_once_promoted(app):
    congress, _ = full_edition()
    _, (small, _big) = add_round(congress)
    waiting = registered(congress, [small.id], n=50)
    assert waiting.status == "waitlisted" and waiting.enrolments == []
    assert services.enrolled_counts([small.id])[small.id] == {"enrolled": 0, "waitlisted": 0}
    with pytest.raises(services.RegistrationError) as refused:
        services.change_sessions(waiting.registration, [small.id])
    assert refused.value.code == "waitlisted"
    services.change_sessions(waiting.registration, [])  # saving details without choices is fine


def test_a_cancellation_promotes_the_first_waiting_in_the_same_transaction(app, mailbox):
    congress, (holder, _other) = full_edition()
    first, second = (registered(congress, n=20 + i).registration for i in range(2))
    mailbox.clear()
    assert services.cancel(holder)
    first, second = reload(first), reload(second)
    assert first.status == "pending" and first.waitlist_position is None
    assert first.expires_at is not None and first.expires_at > utcnow() + timedelta(hours=47)
    assert second.status == "waitlisted" and services.edition_waiting_rank(second) == 1
    assert services.active_count(congress.id) == 2
    promoted = [m for m in mailbox if m["To"] == first.email]
    assert len(promoted) == 1 and "plaats" in promoted[0]["Subject"]
    body = promoted[0].get_body(("plain",)).get_content()
    assert "/confirm" in body  # an unconfirmed place: confirm it within the hold
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "registration.edition_waitlist_promoted")) == 1


def test_someone_registered_as_confirmed_is_promoted_confirmed_with_the_ticket(app, mailbox):
    congress, (holder, _other) = full_edition()
    waiting = registered(congress, n=30, confirmed=True).registration
    assert waiting.status == "waitlisted"
    mailbox.clear()
    services.cancel(holder)
    waiting = reload(waiting)
    assert waiting.status == "confirmed" and waiting.expires_at is None
    [mail] = [m for m in mailbox if m["To"] == waiting.email]
    assert any(part.get_content_type() == "application/pdf" for part in mail.iter_attachments())


def test_leaving_the_waiting_list_promotes_nobody_and_keeps_the_order(app):
    congress, _ = full_edition()
    first, second, third = (registered(congress, n=40 + i).registration for i in range(3))
    assert services.cancel(second)
    assert reload(first).status == "waitlisted" and reload(third).status == "waitlisted"
    assert services.edition_waiting_rank(reload(third)) == 2
    assert reload(second).waitlist_position is None


def test_a_raised_capacity_promotes_as_many_as_there_are_new_places(app):
    congress, _ = full_edition()
    waiting = [registered(congress, n=60 + i).registration for i in range(3)]
    services.save_window(congress, opens_at=congress.registration_opens_at,
                         closes_at=congress.registration_closes_at, capacity=4)
    assert [reload(r).status for r in waiting] == ["pending", "pending", "waitlisted"]
    services.save_window(congress, opens_at=congress.registration_opens_at,
                         closes_at=congress.registration_closes_at, capacity=None)  # no limit: everyone
    assert reload(waiting[2]).status == "pending"


def test_an_expired_hold_passes_the_place_on(app):
    congress, (holder, _other) = full_edition()
    waiting = registered(congress, n=70).registration
    holder = reload(holder)
    holder.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert services.expire_unconfirmed() == 1
    assert reload(waiting).status == "pending"


def test_turning_the_list_off_keeps_those_waiting_but_refuses_newcomers(app):
    congress, (holder, _other) = full_edition()
    waiting = registered(congress, n=80).registration
    services.save_window(congress, opens_at=congress.registration_opens_at,
                         closes_at=congress.registration_closes_at, capacity=2, waiting_list=False)
    assert not services.offers_waiting_list(congress.id)
    with pytest.raises(services.RegistrationError):
        registered(congress, n=81)
    services.cancel(holder)
    assert reload(waiting).status == "pending"


def test_an_organiser_override_takes_a_place_beyond_capacity_not_the_list(app):
    congress, _ = full_edition()
    result = services.register(congress, services.RegistrationData(
        name="Extra", email="extra@example.org", sector_id=services.sectors(congress)[0].id,
        consent_privacy=True), override=True, confirmed=True, source="organiser")
    assert result.status == "confirmed" and result.waiting_rank is None


def test_the_same_address_twice_gets_the_first_registration(app):
    congress, _ = full_edition()
    first = registered(congress, n=90)
    again = registered(congress, n=90)
    assert not again.created and again.registration.id == first.id
    assert services.edition_waiting_count(congress.id) == 1


def test_someone_waiting_gets_no_ticket_and_sees_the_place(app, client):
    congress, _ = full_edition()
    registered(congress, n=100)
    second = registered(congress, n=101)
    page = client.get(f"/my/{second.link}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "wachtlijst, op plaats 2" in html
    assert "/ticket" not in html


def test_someone_waiting_cannot_download_a_ticket_until_promoted(app, client):
    congress, (holder, _other) = full_edition()
    waiting = registered(congress, n=110)
    assert client.get(f"/my/{waiting.link}/ticket.pdf").status_code == 404
    services.cancel(holder)
    assert client.get(f"/my/{waiting.link}/ticket.pdf").status_code == 200


def test_a_speaker_waiting_for_a_place_gets_one(app):
    congress, _ = full_edition()
    waiting = registered(congress, n=120).registration
    services.register_speaker(congress, name=waiting.name, email=waiting.email)
    speaker = reload(waiting)
    assert (speaker.status, speaker.role, speaker.waitlist_position) == ("confirmed", "spreker", None)


def test_a_capacity_raised_on_the_edition_settings_promotes_the_first_waiting(app, mailbox):
    """core.update_congress (the edition settings screen) announces the change; registration promotes
    in the same transaction (it promoted nobody when only the registration settings page did it)."""
    congress, _holders = full_edition(capacity=2)
    waiting = [registered(congress, n=10 + i).registration for i in range(2)]
    assert [reload(r).status for r in waiting] == ["waitlisted", "waitlisted"]
    core.update_congress(congress, capacity=3)
    assert [reload(r).status for r in waiting] == ["pending", "waitlisted"] or \
        [reload(r).status for r in waiting] == ["confirmed", "waitlisted"]
    core.update_congress(congress, title_nl=congress.title_nl + " (gewijzigd)")  # no capacity change
    assert reload(waiting[1]).status == "waitlisted"


def test_a_clone_offers_the_waiting_list_too(app):
    from congress.core.cloning import clone_congress  # noqa: PLC0415 - core's cloning face, this test only

    congress, _holders = full_edition(capacity=1)
    copy = clone_congress(congress, "vol-kopie", congress.starts_on + timedelta(days=364))
    assert services.offers_waiting_list(copy.id)
    assert services.offers_waiting_list(congress.id)
