"""The demo's reach reports show real figures: congres-2024 with attendance and municipalities reached,
congres-2025 with organisations returning from 2024; loading the demo twice changes nothing."""

from __future__ import annotations

import sqlalchemy as sa

from congress.core import queries as core
from congress.demo import load_demo
from congress.extensions import db
from congress.municipalities.demo import DEMO
from congress.registration.models import Registration
from congress.reports import reach
from tests.factories import make_user


def test_the_demo_editions_have_a_reach_report(app):
    load_demo()
    named = db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.municipality_id.is_not(None)))
    load_demo()  # idempotent
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.municipality_id.is_not(None))) == named
    past = reach.report(core.congress_by_slug("congres-2024"), "nl")
    assert past.registered > 0 and 0 < past.attended <= past.registered
    assert past.municipalities_listed == len(DEMO) and 0 < past.municipalities_reached < len(DEMO)
    assert any(line.code == "GM0344" and line.attended for line in past.by_municipality)
    assert any(line.attended for line in past.per_workshop) and any(item.scores for item in past.evaluations)
    upcoming = reach.report(core.congress_by_slug("congres-2025"), "nl")
    assert upcoming.organisations_returning.registered > 0 and upcoming.organisations_first_time.registered >= 0
    client = app.test_client(user=make_user("organiser", email="bereik@example.org"))
    page = client.get("/manage/congres-2024/report").get_data(as_text=True)
    assert "Bereiksrapportage" in page and "GM0344" in page and "Utrecht" in page
    assert f'data-figure="attended">{past.attended}<' in page
