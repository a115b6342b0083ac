"""Editorial workflow, versions with diff and restore, audit, sanitised Markdown."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from congress.archive import search, services
from congress.archive.models import ItemStatus, KnowledgeVersion
from congress.archive.text import render_markdown
from congress.audit.models import AuditEvent
from congress.errors import ServiceError
from congress.extensions import db
from tests.archive.factories import make_item, minimal_pdf
from tests.factories import make_congress


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
    assert ("-", "Titel: Homebase") in diff
    assert ("+", "Titel: Homebase: een basis voor interventies") in diff
    assert ("-", "  Tweede regel") in diff and ("+", "  Derde regel") in diff
    assert ("+", "Beschermende factoren: ondersteunende gezinsstructuren") in diff
    # Read as words, not codes (issue 14: "evidence_status: None" in the history).
    first = services.diff_version(item, 1)
    assert ("+", "Erkenningsniveau: —") in first and ("+", "Soort: Rapport") in first
    assert not any("None" in line or "_" in line.split(":")[0] for _kind, line in first)

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
    intervention = make_item("Social Labs", item_type="interventie", evidence_status="goed_beschreven",
                             setting="Jongerenwerk in de wijk", target_groups=["jongeren 12-18"])
    evaluation = make_item("Evaluatie Social Labs", item_type="evaluatie")
    services.set_related(intervention, [evaluation.id])
    db.session.commit()
    assert intervention.evidence_status == "goed_beschreven" and intervention.related == [evaluation]
    assert search.related_items(evaluation)[0] == intervention  # the link works both ways
    with pytest.raises(ValueError):
        services.create_item("interventie", "Onbekend", evidence_status="wondermiddel")


def test_archive_errors_are_service_errors_with_their_status(app):
    item = services.create_item("interventie", "Buurtgesprekken")
    with pytest.raises(services.ArchiveError) as refused:
        services.set_status(item, ItemStatus.PUBLISHED.value)
    assert isinstance(refused.value, ServiceError) and refused.value.status == 409
    assert refused.value.code == "transition"
    with pytest.raises(services.ArchiveError) as invalid:
        services.update_item(item, title="   ")
    assert isinstance(invalid.value, ServiceError) and invalid.value.status == 422
    assert str(invalid.value) == "A title is required."
    congress = make_congress(day=date.today() + timedelta(days=30))
    with pytest.raises(services.ArchiveError) as not_ended:
        services.archive_sessions(congress, invite=False)
    assert not_ended.value.status == 409 and not_ended.value.code == "not_ended"


def test_related_items_set_by_their_keys(app):
    item, first, second = make_item("Hoofd"), make_item("Eerste"), make_item("Tweede")
    services.set_related_keys(item, f"{first.key}, onbekend\n{second.key}")
    assert sorted(r.id for r in item.related) == sorted([first.id, second.id])
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    services.set_related_keys(item, f"{second.key},{first.key}")  # the same relations: nothing written
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == before
    services.set_related_keys(item, "")
    assert item.related == []


def test_editorial_reads(app):
    draft = make_item("Concept", status=ItemStatus.DRAFT.value)
    published = make_item("Gepubliceerd")
    assert [i.id for i in db.session.scalars(services.items_for_editors(ItemStatus.DRAFT.value))] == [draft.id]
    assert {i.id for i in db.session.scalars(services.items_for_editors())} == {draft.id, published.id}
    stored = services.add_file(published, io.BytesIO(minimal_pdf()), "verslag.pdf")
    assert services.file_of(published, stored.id) is stored
    assert services.file_of(draft, stored.id) is None
    older = make_congress("ouder", day=date.today() - timedelta(days=400))
    newer = make_congress("nieuwer", day=date.today() - timedelta(days=10))
    assert [c.id for c in services.editions()][:2] == [newer.id, older.id]
    assert services.tracks_of_editions()[0].congress_id == newer.id
