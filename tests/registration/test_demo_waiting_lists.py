"""The demo's waiting lists: the upcoming edition offers one; the past one had one with people promoted."""

from __future__ import annotations

import sqlalchemy as sa

from congress.audit.models import AuditEvent
from congress.core import services as core
from congress.extensions import db
from congress.registration import services
from congress.registration.models import Registration


def test_the_demo_offers_a_waiting_list_and_shows_a_past_one(runner):
    assert runner.invoke(args=["congress", "demo"]).exit_code == 0
    upcoming, past = core.congress_by_slug("congres-2025"), core.congress_by_slug("congres-2024")
    assert services.offers_waiting_list(upcoming.id)
    counts = dict(db.session.execute(sa.select(Registration.status, sa.func.count()).where(
        Registration.congress_id == past.id).group_by(Registration.status)).all())
    assert counts == {"confirmed": 30, "cancelled": 3, "waitlisted": 3}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "registration.edition_waitlist_promoted")) == 3
    assert runner.invoke(args=["congress", "demo"]).exit_code == 0  # idempotent
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.congress_id == past.id)) == 36
