"""The network's rules without HTTP: who is listed, messages relayed once through the outbox, the rate
limit, address sharing on both sides, reports and blocks, consent withdrawn at once, erasure."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from congress.audit.models import AuditEvent
from congress.extensions import db
from congress.mail.models import OutboxMessage
from congress.network import queries, services
from congress.network.models import NetworkMessage, NetworkReport
from congress.registration import services as registration
from tests.network.factories import network_edition
from tests.registration.factories import registered


@pytest.fixture
def edition(app):
    return network_edition("netwerk-diensten")


def _listed(viewer, **filters):
    return [p.registration.name for p in queries.participants(viewer, queries.Filters(**filters)).participants]


def test_the_list_shows_consenting_confirmed_others_with_their_workshops(app, edition):
    congress, sessions, people = edition
    pending = registered(congress, name="Onbevestigd", email="onbevestigd@example.org", consent_network=True)
    no_consent = registered(congress, name="Zonder toestemming", email="zonder@example.org", confirmed=True)
    cancelled = registered(congress, name="Geannuleerd", email="geannuleerd@example.org", confirmed=True,
                           consent_network=True).registration
    registration.cancel(cancelled, reason="attendee")
    db.session.commit()
    found = queries.participants(people[0], queries.Filters())
    assert [p.registration.name for p in found.participants] == ["Deelnemer 1", "Deelnemer 2", "Deelnemer 3"]
    assert [w.title for w in found.participants[0].workshops] == [sessions[0].title]
    assert not queries.may_look(pending.registration) and not queries.may_look(cancelled)
    assert queries.may_look(no_consent.registration) and not queries.is_listed(no_consent.registration)


def test_filters_by_workshop_search_and_sector(app, edition):
    congress, sessions, people = edition
    assert _listed(people[0], session_id=sessions[1].id) == ["Deelnemer 2", "Deelnemer 3"]
    assert _listed(people[0], text="deventer") == ["Deelnemer 1", "Deelnemer 3"]
    assert _listed(people[0], text="100%_") == []
    assert _listed(people[0], sector_id=people[1].sector_id) == ["Deelnemer 1", "Deelnemer 2", "Deelnemer 3"]
    assert _listed(people[0], sector_id=999_999) == []


def test_a_message_is_relayed_once_without_addresses_and_logged(app, edition):
    _, _, (anna, bram, *_rest) = edition
    before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    message = services.send_message(anna, bram.id, "Zullen we samen de jeugdpilot in Zwolle bespreken?")
    mails = list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id > 0)))[before:]
    assert len(mails) == 1 and mails[0].to_address == bram.email
    for body in (mails[0].body_text, mails[0].body_html, mails[0].subject):
        assert anna.email not in body
    assert "jeugdpilot" in mails[0].body_text and anna.name in mails[0].subject
    assert queries.inbox(bram)[0].id == message.id
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "network.message_sent"))
    assert event.data["recipient"] == bram.id and "jeugdpilot" not in str(event.data)


def test_refusals(app, edition):
    congress, _, (anna, bram, carla, _) = edition
    outsider = registered(congress, name="Niet in het netwerk", email="niet@example.org", confirmed=True).registration
    with pytest.raises(services.InvalidInput):
        services.send_message(anna, bram.id, "   ")
    with pytest.raises(services.InvalidInput):
        services.send_message(anna, bram.id, "x" * 2001)
    with pytest.raises(services.NotListed):
        services.send_message(anna, outsider.id, "Hallo")
    with pytest.raises(services.NotListed):
        services.send_message(outsider, anna.id, "Hallo")
    with pytest.raises(services.NotListed):
        services.send_message(anna, anna.id, "Hallo")
    other_edition = network_edition("netwerk-ander", people=1)[2][0]
    with pytest.raises(services.NotListed):
        services.send_message(anna, other_edition.id, "Hallo")
    with pytest.raises(services.NotListed):
        services.send_message(anna, 2**31 - 1, "Hallo")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NetworkMessage)) == 0


def test_the_rate_limit_per_hour_and_per_day(app, edition):
    _, _, (anna, bram, carla, dirk) = edition
    app.config.update(NETWORK_MESSAGES_PER_HOUR=2, NETWORK_MESSAGES_PER_DAY=3)
    try:
        services.send_message(anna, bram.id, "Een")
        services.send_message(anna, carla.id, "Twee")
        with pytest.raises(services.RateLimited) as refused:
            services.send_message(anna, dirk.id, "Drie")
        assert "2" in str(refused.value.message)
        _age_messages(hours=2)  # an hour later: two more for the day
        services.send_message(anna, dirk.id, "Drie")
        with pytest.raises(services.RateLimited):
            services.send_message(anna, bram.id, "Vier")  # 3 in the last day
        services.send_message(bram, anna.id, "Een van Bram")  # per sender
    finally:
        app.config.pop("NETWORK_MESSAGES_PER_HOUR")
        app.config.pop("NETWORK_MESSAGES_PER_DAY")


def _age_messages(hours: int) -> None:
    for m in db.session.scalars(sa.select(NetworkMessage)):
        m.created_at = m.created_at - timedelta(hours=hours)
    db.session.commit()


def test_addresses_are_shown_only_when_both_share(app, edition):
    _, _, (anna, bram, carla, _) = edition
    with pytest.raises(services.NotPermitted):
        services.share_address(anna, bram.id)  # no messages exchanged yet
    services.send_message(anna, bram.id, "Hallo Bram")
    assert services.share_address(bram, anna.id) is False
    assert not queries.addresses_shared(anna, bram)
    assert services.share_address(anna, bram.id) is True
    assert queries.addresses_shared(bram, anna) and not queries.addresses_shared(anna, carla)


def test_report_and_block(app, edition):
    congress, _, (anna, bram, carla, _) = edition
    message = services.send_message(anna, bram.id, "Koop mijn cursus!")
    with pytest.raises(services.NotPermitted):
        services.report(carla, message.id, "niet van mij")
    services.report(bram, message.id, "reclame")
    with pytest.raises(services.Conflict):
        services.report(bram, message.id, "nogmaals")
    assert [r.reason for r in queries.reports(congress.id)] == ["reclame"]
    services.block(congress.id, anna.id, "reclame in het netwerk")
    assert "Deelnemer 0" not in _listed(bram)
    assert not queries.may_look(anna)
    with pytest.raises(services.NotListed):
        services.send_message(anna, carla.id, "Nog eens")
    assert db.session.scalar(sa.select(NetworkReport.handled_at)) is not None
    services.unblock(congress.id, anna.id)
    assert "Deelnemer 0" in _listed(bram)


def test_withdrawing_consent_removes_at_once_and_erasure_forgets(app, edition):
    _, _, (anna, bram, carla, _) = edition
    services.send_message(anna, bram.id, "Hallo")
    assert services.set_consent(bram, False) is True
    assert "Deelnemer 1" not in _listed(anna)
    with pytest.raises(services.NotListed):
        services.send_message(anna, bram.id, "Nog eens")
    data = registration.personal_data(bram)
    assert data["consents"]["participants_network"] is False
    registration.erase(anna)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NetworkMessage)) == 0
    assert "Deelnemer 0" not in _listed(carla)


def test_retention_removes_the_editions_network(app, edition):
    from congress.manage import retention  # noqa: PLC0415 - the back office's retention run, above the network

    congress, _, (anna, bram, carla, _) = edition
    message = services.send_message(anna, bram.id, "Hallo")
    services.share_address(bram, anna.id)
    services.report(bram, message.id, "")
    services.block(congress.id, carla.id, "")
    other = network_edition("netwerk-blijft", people=2)[2]
    services.send_message(other[0], other[1].id, "Blijft staan")
    later = congress.ends_on + timedelta(days=3 * 366)
    due = {r.slug: r for r in retention.run(dry_run=True, today=later)}
    assert due[congress.slug].counts["network_messages"] == 1
    retention.run(today=later)
    left = list(db.session.scalars(sa.select(NetworkMessage)))
    assert [m.body for m in left] == ["Blijft staan"] or all(m.congress_id != congress.id for m in left)
    assert not queries.is_blocked(carla) and not queries.shared(bram.id, anna.id)


def test_an_archived_editions_network_sends_nothing(app, edition):
    from congress.errors import ServiceError  # noqa: PLC0415

    congress, _, (anna, bram, *_rest) = edition
    congress.status = "archived"
    db.session.commit()
    with pytest.raises(ServiceError):
        services.send_message(anna, bram.id, "Hallo")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NetworkMessage)) == 0
