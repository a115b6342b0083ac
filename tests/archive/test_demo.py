"""The demo gives a new user a living knowledge base."""

from __future__ import annotations

import sqlalchemy as sa

from congress.archive import search, services
from congress.archive.models import KnowledgeItem
from congress.extensions import db


def test_demo_archive(runner, client):
    result = runner.invoke(args=["congress", "demo"])
    assert result.exit_code == 0, result.output
    assert "Knowledge base:" in result.output
    items = db.session.scalars(sa.select(KnowledgeItem)).all()
    # Besides the withdrawn factsheet, only drafts made from sessions' evaluations wait for an editor.
    drafts = [i for i in items if i.status == "draft"]
    assert drafts and all(i.type == "evaluatie" and i.title.startswith("Evaluatie · Evaluation: ") for i in drafts)
    withdrawn = [i.title for i in items if i.status not in ("published", "draft")]
    assert withdrawn == ["Factsheet digitale weerbaarheid van jongeren (2023)"]
    assert next(i for i in items if i.status == "withdrawn").withdrawal_reason.startswith("Vervangen")
    sessions = [i for i in items if i.type == "sessieverslag"]
    assert len(sessions) == 5 and all(i.congress.slug == "congres-2024" for i in sessions)
    interventions = [i for i in items if i.type == "interventie"]
    assert len(interventions) >= 3 and all(i.evidence_status for i in interventions)
    assert any(i.related for i in interventions)
    # The interventions spread over the recognition levels, with the databanks' fields.
    levels = {i.title: i.evidence_status for i in interventions}
    assert len(set(levels.values())) >= 5
    assert levels["Training digitale weerbaarheid voor jongerenwerkers"] == "goed_beschreven"
    mentoring = next(i for i in interventions if i.title.startswith("Mentorprogramma"))
    assert mentoring.evidence_status == "effectief_eerste" and mentoring.aim and mentoring.active_ingredients
    assert [e.title for e in services.relations_of(mentoring)["effect"]] == [
        "Eerste effecten van het Mentorprogramma Eigen Koers"]
    assert all(i.databank_url.startswith("https://") for i in interventions if i.databank_url)
    assert not any(i.evidence_review for i in items)  # the demo's levels were chosen, not converted
    catalogue = client.get("/kennisbank/interventies").get_data(as_text=True)
    assert f"{len(interventions)} interventies" in catalogue and "Effectief – goede aanwijzingen" in catalogue
    page = client.get(f"/kennisbank/item/{mentoring.key}").get_data(as_text=True)
    assert "Effectevaluaties" in page and "Werkzame elementen" in page
    assert any(i.type == "evaluatie" for i in items)
    # Stemming, accents and a word inside the demo slides.
    assert search.search("weerbaar").total >= 5
    assert search.search("Yilmaz").total >= 1  # Ayşe Yılmaz
    assert search.search("actielijnen budget").total >= 1
    html = client.get("/kennisbank/").get_data(as_text=True)
    assert "Community builders in Woensel Zuid" in html or "Woensel" in client.get(
        "/kennisbank/?q=woensel").get_data(as_text=True)
    again = runner.invoke(args=["congress", "demo"])
    assert again.exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeItem)) == len(items)
