from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from congress.core.models import Congress
from congress.demo import edition_days
from congress.extensions import db
from congress.programme import services
from congress.programme.models import ProgrammeSession
from congress.registration import queries as registrations


def test_demo_loads_idempotently(runner):
    first = runner.invoke(args=["congress", "demo"])
    assert first.exit_code == 0, first.output
    assert "Organiser login: organisator@congres.example / " in first.output
    second = runner.invoke(args=["congress", "demo"])
    assert second.exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Congress)) == 2
    empty_only = runner.invoke(args=["congress", "demo", "--if-empty"])
    assert "not loaded" in empty_only.output


def test_demo_content(runner, client):
    runner.invoke(args=["congress", "demo"])
    current = db.session.scalar(sa.select(Congress).where(Congress.slug == "congres-2025"))
    assert [t.name_nl for t in current.tracks] == [
        "Digitale weerbaarheid", "Zelfbeschikking en emancipatie", "Preventie van jeugdcriminaliteit",
        "Netwerken en participatie",
    ]
    workshops = [s for s in current.sessions if s.format == "workshop" or s.format == "dialoogsessie"]
    # Two rounds with a workshop per track in each.
    rounds = {}
    for s in workshops:
        rounds.setdefault(s.starts_at, set()).add(s.track_id)
    assert len(rounds) >= 2 and all(len(tracks) == 4 for tracks in rounds.values())
    plenary = [s for s in current.sessions if s.track_id is None]
    assert len(plenary) >= 2
    assert all(s.speakers for s in current.sessions)
    past = db.session.scalar(sa.select(Congress).where(Congress.slug == "congres-2024"))
    assert past.starts_on < date.today() and past.status == "archived"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgrammeSession)) >= 14
    html = client.get("/").get_data(as_text=True)
    assert "Congres Veerkrachtige &amp; Weerbare Samenleving" in html


def test_demo_programme_is_published_without_hard_conflicts(runner):
    result = runner.invoke(args=["congress", "demo"])
    assert "conflicts" not in result.output
    for slug in ("congres-2025", "congres-2024"):
        congress = db.session.scalar(sa.select(Congress).where(Congress.slug == slug))
        assert [c for c in services.find_conflicts(congress) if c.is_hard] == []
        assert services.latest_version(congress) is not None


def test_demo_is_dated_relative_to_the_day_it_is_loaded(runner, client):
    runner.invoke(args=["congress", "demo"])
    upcoming = db.session.scalar(sa.select(Congress).where(Congress.slug == "congres-2025"))
    past = db.session.scalar(sa.select(Congress).where(Congress.slug == "congres-2024"))
    today = date.today()
    assert today + timedelta(days=90) <= upcoming.starts_on <= today + timedelta(days=120)
    assert today - timedelta(days=400) <= past.ends_on < today - timedelta(days=200)
    assert str(upcoming.starts_on.year) in upcoming.title_nl and str(past.starts_on.year) in past.title_nl
    assert upcoming.status == "published" and registrations.window_state(upcoming) == "open"
    assert upcoming.registration_closes_at == upcoming.starts_at  # closes when the edition starts
    assert all(s.starts_at.date() == upcoming.starts_on for s in upcoming.sessions)
    landing = client.get("/").get_data(as_text=True)
    assert 'href="/congres-2025/register"' in landing
    assert client.get("/congres-2025/register").status_code == 200


@pytest.mark.parametrize("today", [date(2026, 12, 2), date(2027, 8, 1), date(2028, 2, 29), date(2030, 9, 16)])
def test_edition_days_fall_on_thursdays_in_different_years(today):
    upcoming, past = edition_days(today)
    assert upcoming.weekday() == past.weekday() == 3
    assert past < today < upcoming and past.year != upcoming.year
