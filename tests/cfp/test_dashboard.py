from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from congress.cfp import services
from congress.cfp.models import Proposal
from congress.extensions import db
from congress.tokens import hash_secret
from tests.cfp.factories import make_proposal, make_speaker, open_call
from tests.cfp.test_exchange import _validators


def test_accepted_submissions_for_partners_without_private_data(app, congress, request_ctx):
    """What an API for partners (recording, apps) would serve: accepted proposals, nothing private."""
    open_call(congress)
    speaker = make_speaker(email="geheim@example.org")
    accepted = make_proposal(congress, speaker, title="Geaccepteerd")
    make_proposal(congress, speaker, title="Nog in beoordeling")
    services.decide([accepted], "accept")
    items = services.accepted_submissions(congress)
    assert [i["title"] for i in items] == ["Geaccepteerd"]
    assert "geheim@example.org" not in str(items)
    assert "internal_notes" not in items[0] and items[0]["speakers"][0]["name"] == "Sanne Spreker"
    for validator in _validators():
        assert list(validator.iter_errors(items[0])) == []


def test_dashboard_shows_state_time_and_room_once_scheduled(app, congress):
    open_call(congress)
    user = make_speaker()
    proposal = make_proposal(congress, user, title="Ingeroosterd")
    services.decide([proposal], "accept")
    proposal.confirm_token_hash = hash_secret("t")
    db.session.commit()
    services.confirm_proposal("t")
    speaker = app.test_client(user=user)
    html = speaker.get("/speaker/").get_data(as_text=True)
    assert "Bevestigd" in html and "Nog niet ingepland" in html
    session = proposal.session
    session.room = congress.rooms[1]
    session.starts_at = datetime(2030, 6, 3, 12, 0, tzinfo=UTC)
    session.ends_at = datetime(2030, 6, 3, 13, 30, tzinfo=UTC)
    db.session.commit()
    html = speaker.get("/speaker/").get_data(as_text=True)
    assert "14:00–15:30" in html and "Zaal 2" in html  # Amsterdam summer time
    assert "Presentatie uploaden" in speaker.get(f"/speaker/proposals/{proposal.id}").get_data(as_text=True)


def test_custom_questions_are_asked_required_and_kept(app, congress):
    open_call(congress)
    services.sync_questions(congress, "choice | Is de methode geëvalueerd? | Evaluated? | ja | ja; nee\n"
                                      "checkbox | Mag de sessie worden opgenomen? | May we record? | nee |")
    db.session.commit()
    choice, checkbox = services.questions(congress)
    speaker = app.test_client(user=make_speaker())
    form = speaker.get(f"/{congress.slug}/cfp/new").get_data(as_text=True)
    assert "Is de methode geëvalueerd?" in form and f'name="q_{checkbox.id}"' in form
    workshop = services.formats(congress)[0]
    data = {"title": "Met vragen", "abstract": "Kort.", "description": "", "format_duration": f"{workshop.id}:60",
            "track_id": congress.tracks[0].id, "language": "nl", "target_audience": "",
            "protective_factor": "sociale cohesie", "notes": "", "action": "submit"}
    response = speaker.post(f"/{congress.slug}/cfp/new", data=data)
    assert response.status_code == 422 and "Beantwoord de vraag" in response.get_data(as_text=True)
    response = speaker.post(f"/{congress.slug}/cfp/new", data={**data, f"q_{choice.id}": "misschien"})
    assert response.status_code == 422 and "Kies een van de mogelijkheden" in response.get_data(as_text=True)
    response = speaker.post(f"/{congress.slug}/cfp/new", data={**data, f"q_{choice.id}": "ja",
                                                              f"q_{checkbox.id}": "y"})
    assert response.status_code == 302
    proposal = db.session.scalar(sa.select(Proposal))
    assert proposal.answers == {str(choice.id): "ja", str(checkbox.id): True}
