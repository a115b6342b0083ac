"""The demo's staff hold their roles for the upcoming edition only."""

from __future__ import annotations

from congress.accounts import services
from congress.core import services as core
from congress.demo import STAFF, load_demo


def test_demo_staff_hold_roles_per_edition(app):
    load_demo()
    report = load_demo()  # idempotent
    assert not any("only:" in line for line in report)
    upcoming, past = core.congress_by_slug("congres-2025"), core.congress_by_slug("congres-2024")
    users = {role: services.find_user(email) for email, _name, role, _track in STAFF}
    for role, user in users.items():
        assert {g.congress_id for g in user.grants if g.role == role} == {upcoming.id}, role
    (track_grant,) = users["track_manager"].grants
    assert track_grant.track_id in {t.id for t in upcoming.tracks}
    checks = [("checkin", "/manage/checkin/{}/scan"), ("track_manager", "/manage/programme/{}/"),
              ("reviewer", "/manage/cfp/{}/proposals")]
    for role, url in checks:
        client = app.test_client(user=users[role])
        assert client.get(url.format(upcoming.slug)).status_code == 200, role
        assert client.get(url.format(past.slug)).status_code == 403, role
