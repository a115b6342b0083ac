"""Who acted: a login is the user's own act, not the system's (issue 14 §6)."""

from __future__ import annotations

import sqlalchemy as sa

from congress.audit.models import AuditEvent
from congress.audit.services import record
from congress.database import write_transaction
from congress.extensions import db
from tests.factories import PASSWORD


def test_a_login_is_attributed_to_the_user_who_logged_in(client, organiser):
    response = client.post("/login", data={"email": organiser.email, "password": PASSWORD})
    assert response.status_code == 302
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.login"))
    assert event is not None
    assert (event.actor_user_id, event.actor_label) == (organiser.id, organiser.email)


def test_a_failed_login_is_recorded_as_refused_not_as_a_login(client, organiser):
    client.post("/login", data={"email": organiser.email, "password": "wrong" * 3})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "user.login")) == 0
    refused = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.login_failed"))
    assert (refused.actor_user_id, refused.actor_label) == (None, organiser.email)
    assert refused.data == {"method": "password", "reason": "wrong-password"}


def test_a_login_records_how_it_was_proved(client, organiser):
    client.post("/login", data={"email": organiser.email, "password": PASSWORD})
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.login"))
    assert event.data == {"method": "password"}


def test_without_a_request_the_actor_is_the_system(app, organiser):
    with write_transaction():
        record("user.create", organiser)
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.actor_user_id, event.actor_label) == (None, "system")


def test_an_explicit_actor_wins(app, organiser, admin):
    with write_transaction():
        record("user.invited", organiser, actor=admin)
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.actor_user_id, event.actor_label) == (admin.id, admin.email)
