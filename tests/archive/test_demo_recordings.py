"""The demo's recordings: two 2024 sessions link to their recordings on the organisation's video
platform, with captions in Dutch and English, published and shown with a transcript; running the
demo again adds none."""

from __future__ import annotations

import sqlalchemy as sa
from lxml import html as lxml_html

from congress.archive import recordings
from congress.archive.demo_recordings import PLATFORM
from congress.archive.models import KnowledgeRecording
from congress.extensions import db


def test_demo_recordings(runner, client):
    result = runner.invoke(args=["congress", "demo"])
    assert result.exit_code == 0, result.output
    assert "recordings of congres-2024 sessions" in result.output
    found = db.session.scalars(sa.select(KnowledgeRecording).order_by(KnowledgeRecording.id)).all()
    assert len(found) == 3 and len({r.item_id for r in found}) == 2
    assert all(r.url.startswith(PLATFORM + "/") and recordings.is_public(r) for r in found)
    assert all(sorted(c.language for c in r.captions) == ["en", "nl"] for r in found)
    assert all(r.item.congress.slug == "congres-2024" for r in found)
    page = lxml_html.fromstring(client.get(f"/kennisbank/item/{found[0].item.key}").data)
    assert [a.get("href") for a in page.xpath("//a[starts-with(@href, 'https://video.congres.example')]")] == [
        found[0].url, found[1].url]
    transcript = page.xpath("//details[contains(@class, 'archive-transcript')]")[0].text_content()
    assert "Goedemorgen en welkom" in transcript
    english = lxml_html.fromstring(client.get(f"/kennisbank/item/{found[0].item.key}?lang=en").data)
    transcript = english.xpath("//details[contains(@class, 'archive-transcript')]")[0].text_content()
    assert "Good morning and welcome" in transcript
    again = runner.invoke(args=["congress", "demo"])
    assert again.exit_code == 0 and db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeRecording)) == 3
