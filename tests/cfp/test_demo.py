import sqlalchemy as sa

from congress.accounts.services import find_user
from congress.cfp import services
from congress.cfp.models import Proposal
from congress.core.services import congress_by_slug
from congress.extensions import db


def test_demo_call_is_open_with_proposals_and_loads_once(runner, client):
    first = runner.invoke(args=["congress", "demo"])
    assert first.exit_code == 0, first.output
    assert "Call for proposals of congres-2025 open" in first.output
    congress = congress_by_slug("congres-2025")
    settings = services.settings_for(congress)
    assert settings.is_open()
    assert [(f.name_nl, f.durations) for f in services.formats(congress)] == [
        ("Workshop", [60, 90]), ("Lezing", [30]), ("Paneldiscussie", [60]), ("Dialoogsessie", [45])]
    assert [c.name_nl for c in services.criteria(congress)] == [
        "Relevantie voor de Agenda", "Kwaliteit", "Praktijkgerichtheid", "Diversiteit van perspectieven"]
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 2
    reviewer = find_user("beoordelaar@congres.example")
    assert [p.title for p in services.visible_proposals(congress, reviewer)] == ["Nepnieuws ontmaskeren met de klas"]
    second = runner.invoke(args=["congress", "demo"])
    assert "left as it is" in second.output
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 2
    assert client.get("/congres-2025/cfp").status_code == 200
