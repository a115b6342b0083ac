"""Editorial workflow, versions with diff and restore, audit, sanitised Markdown."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from congress.archive import search, services
from congress.archive.models import ItemStatus, KnowledgeVersion
from congress.archive.text import render_markdown
from congress.audit.models import AuditEvent
from congress.extensions import db
from tests.archive.factories import make_item


def test_workflow_draft_review_published_withdrawn(app):
    item = services.create_item("interventie", "Community builders", summary="Ontmoeting in de wijk")
    assert item.status == ItemStatus.DRAFT.value
    with pytest.raises(services.ArchiveError):
        services.set_status(item, ItemStatus.PUBLISHED.value)  # a draft is reviewed first
    services.set_status(item, ItemStatus.IN_REVIEW.value)
    services.set_status(item, ItemStatus.PUBLISHED.value)
    assert item.published_at is not None and item.publication_date is not None
    assert item.year == item.publication_date.year
    with pytest.raises(services.ArchiveError):
        services.set_status(item, ItemStatus.DRAFT.value)
    services.set_status(item, ItemStatus.WITHDRAWN.value, reason="Vervangen door de evaluatie van 2025")
    assert item.withdrawal_reason.startswith("Vervangen")
    db.session.commit()
    actions = list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["archive.item.create", "archive.item.in_review", "archive.item.published",
                       "archive.item.withdrawn"]


def test_every_edit_is_a_version_with_diff_and_restore(app):
    item = services.create_item("rapport", "Homebase", summary="Succesfactoren van jongerenwerkplaatsen",
                                body="Eerste regel\nTweede regel")
    v2 = services.update_item(item, title="Homebase: een basis voor interventies", body="Eerste regel\nDerde regel",
                              factors=["ondersteunende gezinsstructuren"], note="titel aangevuld")
    assert v2.number == 2 and v2.note == "titel aangevuld"
    assert services.update_item(item, title="Homebase: een basis voor interventies") is None  # nothing changed
    diff = services.diff_version(item, 2)
    assert ("-", "title: Homebase") in diff
    assert ("+", "title: Homebase: een basis voor interventies") in diff
    assert ("-", "  Tweede regel") in diff and ("+", "  Derde regel") in diff
    assert ("+", 'factors: ["ondersteunende gezinsstructuren"]') in diff

    v3 = services.restore_version(item, 1)
    assert v3.number == 3 and item.title == "Homebase" and item.factors == [] and "Tweede regel" in item.body
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeVersion)) == 3
    # The index follows the restore.
    services.set_status(item, "in_review")
    services.set_status(item, "published")
    db.session.commit()
    assert search.search("tweede").total == 1 and search.search("derde").total == 0
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"archive.item.edit", "archive.item.restore"} <= actions


def test_markdown_is_rendered_and_sanitised():
    html = str(render_markdown(
        "## Kop\n\n**vet** [link](https://example.org) <script>alert(1)</script>\n\n"
        "[klik](javascript:alert(1)) <img src=x onerror=alert(1)>"
    ))
    assert "<h2>Kop</h2>" in html and "<strong>vet</strong>" in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "<script" not in html and "<img" not in html  # raw HTML is shown as text, not run
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html


def test_script_in_summary_is_neutralised_on_the_page(app, client):
    item = make_item("Gevaarlijk", summary='<script>alert("x")</script>', body="<b onclick=x>vet</b>")
    html = client.get(f"/kennisbank/item/{item.key}").get_data(as_text=True)
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html
    assert "onclick" not in html.replace("&lt;b onclick", "")


def test_links_must_be_http(app):
    item = services.create_item("opname", "Opname slotdebat", links=[
        {"title": "Video", "url": "https://video.example/slotdebat"}, {"title": "Kwaad", "url": "javascript:alert(1)"},
    ])
    assert item.links == [{"title": "Video", "url": "https://video.example/slotdebat"}]


def test_interventions_carry_evidence_and_evaluations(app):
    intervention = make_item("Social Labs", item_type="interventie", evidence_status="getest",
                             setting="Jongerenwerk in de wijk", target_groups=["jongeren 12-18"])
    evaluation = make_item("Evaluatie Social Labs", item_type="evaluatie")
    services.set_related(intervention, [evaluation.id])
    db.session.commit()
    assert intervention.evidence_status == "getest" and intervention.related == [evaluation]
    assert search.related_items(evaluation)[0] == intervention  # the link works both ways
    with pytest.raises(ValueError):
        services.create_item("interventie", "Onbekend", evidence_status="wondermiddel")
