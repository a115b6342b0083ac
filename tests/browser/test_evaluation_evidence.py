"""Evaluation into evidence in a browser, at 375 and 1280 px: an editor opens a session's draft evaluation
item (made by the demo from congres-2024's answers), sends it for review and publishes it with the
archive's workflow; the intervention the session presented then lists it on its public page (edition,
session, answers, mean score). Nothing scrolls sideways and axe finds no serious or critical violation."""

from __future__ import annotations

import html
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from congress.archive.models import ItemStatus, KnowledgeItem, RelationKind, SessionEvaluation, knowledge_relations
from congress.extensions import db
from tests.browser.conftest import axe_violations, sign_in_staff
from tests.factories import make_user

SHOTS = os.environ.get("EVIDENCE_SCREENSHOTS")  # a folder: the test also saves screenshots there


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["congress", "demo"])
    assert result.exit_code == 0, result.output
    return result


def _a_draft_and_its_intervention() -> tuple[SessionEvaluation, KnowledgeItem]:
    draft = db.session.scalars(
        sa.select(SessionEvaluation).join(KnowledgeItem, KnowledgeItem.id == SessionEvaluation.item_id)
        .where(KnowledgeItem.status == ItemStatus.DRAFT.value).order_by(SessionEvaluation.id)).first()
    assert draft is not None
    intervention_id = db.session.scalar(sa.select(knowledge_relations.c.item_id).where(
        knowledge_relations.c.related_id == draft.item_id,
        knowledge_relations.c.kind == RelationKind.PROCESS_EVALUATION.value))
    intervention = db.session.get(KnowledgeItem, intervention_id)
    assert intervention is not None and intervention.type == "interventie"
    return draft, intervention


def _fits(page, width: int) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [375, 1280])
def test_the_editor_publishes_an_evaluation_and_the_intervention_shows_it(browser, live_server, demo, width):
    make_user("organiser", email="redactie@example.org", name="Rita Redactie")
    draft, intervention = _a_draft_and_its_intervention()
    item_id, title, session_title, responses = draft.item_id, draft.item.title, draft.session_title, draft.responses
    db.session.commit()
    context = browser.new_context(locale="nl-NL", viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        # Not on the intervention's page while it is a draft.
        page.goto(f"{live_server}/kennisbank/item/{intervention.key}")
        expect(page.get_by_role("heading", level=1, name=intervention.title)).to_be_visible()
        assert html.escape(title) not in page.content()

        sign_in_staff(page, live_server, "redactie@example.org")
        page.goto(f"{live_server}/manage/kennisbank/?status=draft")
        page.get_by_role("link", name=title).first.click()
        expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
        assert page.url.endswith(f"/manage/kennisbank/{item_id}")
        _fits(page, width)
        assert axe_violations(page) == []

        page.get_by_role("button", name="Status wijzigen in: Ter beoordeling").click()
        expect(page.get_by_text("Status: Ter beoordeling.")).to_be_visible()
        page.get_by_role("button", name="Status wijzigen in: Gepubliceerd").click()
        expect(page.get_by_text("Status: Gepubliceerd.")).to_be_visible()

        # The public item: the aggregates as tables, no free text.
        page.get_by_role("link", name="Bekijken").click()
        expect(page.get_by_role("heading", level=2, name="Resultaten van de evaluatie")).to_be_visible()
        assert page.locator(".archive-item__body table").count() >= 3
        _fits(page, width)
        _shot(page, f"evaluation-item-{width}")
        assert axe_violations(page) == []

        page.goto(f"{live_server}/kennisbank/item/{intervention.key}")
        table = page.locator("table.archive-evaluations")
        expect(table).to_be_visible()
        row = table.locator("tr", has_text=session_title)
        expect(row).to_contain_text("Congres Veerkrachtige")
        expect(row).to_contain_text(str(responses))
        expect(row).to_contain_text("van de 5")
        row.get_by_role("link").click()
        expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
        page.go_back()
        expect(table).to_be_visible()
        _fits(page, width)
        _shot(page, f"intervention-{width}")
        assert axe_violations(page) == []
    finally:
        context.close()
