"""The demo's online participation: the upcoming edition offers online places, streams its plenary
sessions and has people taking part online, who see the stream links on their personal page."""

from __future__ import annotations

import sqlalchemy as sa

from congress.core import services as core
from congress.extensions import db
from congress.registration import services
from congress.registration.models import Registration


def test_the_demo_has_online_places_streams_and_online_registrants(runner, client):
    assert runner.invoke(args=["congress", "demo"]).exit_code == 0
    upcoming = core.congress_by_slug("congres-2025")
    assert services.online_places(upcoming.id) == (True, 150)
    online = list(db.session.scalars(sa.select(Registration).where(
        Registration.congress_id == upcoming.id, Registration.attendance_mode == "online")))
    assert len(online) == 8 and {r.status for r in online} == {"confirmed"}
    streamed = [s for s in upcoming.sessions if s.stream_url]
    assert streamed and all(s.stream_url.startswith("https://") for s in streamed)
    secret = services.new_link(online[0])
    db.session.commit()
    page = client.get(f"/my/{secret}").get_data(as_text=True)
    assert f"/my/{secret}/join/{streamed[0].id}" in page
