"""The reviewer's and organiser's pages of the call pass axe (desktop), and scoring works by keyboard-
operable radio buttons."""

from __future__ import annotations

from congress.cfp import services
from congress.extensions import db
from tests.browser.conftest import axe_violations
from tests.cfp.factories import make_proposal, make_speaker, open_call
from tests.factories import PASSWORD, make_user


def _login(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_reviewer_scores_and_organiser_pages_are_accessible(page, live_server, congress, organiser, app):
    open_call(congress, anonymised=True)
    proposal = make_proposal(congress, make_speaker(), title="Toegankelijk beoordelen")
    reviewer = make_user("reviewer", email="rev@example.org", name="Rev")
    with app.test_request_context():
        services.assign_reviewer(congress, organiser, reviewer, track_id=proposal.track_id)
    db.session.commit()

    _login(page, live_server, "rev@example.org")
    page.goto(f"{live_server}/manage/cfp/{congress.slug}/proposals")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Toegankelijk beoordelen").click()
    assert axe_violations(page) == []
    for criterion in services.criteria(congress):
        page.locator(f'input[name="score_{criterion.id}"][value="4"]').check()
    page.get_by_label("Toelichting voor de organisatie").fill("Helder voorstel")
    page.get_by_role("button", name="Beoordeling opslaan").click()
    assert "Uw beoordeling is opgeslagen." in page.content()
    db.session.commit()
    assert services.review_of(proposal, reviewer).scores

    page.context.clear_cookies()
    _login(page, live_server, organiser.email)
    for path in ("settings", "proposals", "ranking", "assignments", "mails"):
        page.goto(f"{live_server}/manage/cfp/{congress.slug}/{path}")
        assert axe_violations(page) == [], path
