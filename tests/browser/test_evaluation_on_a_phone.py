"""An attendee checked in at a workshop evaluates it on a phone (375 px): the list behind the personal
link, the form with its labelled scale, a Dutch error next to the forgotten question, the thanks. axe
finds no serious or critical violation; nothing scrolls sideways; the organiser's results page too."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from congress.database import utcnow
from congress.evaluations.models import EvaluationResponse
from congress.extensions import db
from congress.questions import queries as question_queries
from congress.registration.services import manage_secret
from tests.browser.conftest import _fail_on_csp_violations, _watched_context, axe_violations, sign_in_staff
from tests.evaluations.factories import evaluation_edition, scan_in
from tests.factories import make_user

WIDTH = 375


def _look(page, name: str) -> None:
    assert axe_violations(page) == [], name
    assert page.evaluate("() => document.documentElement.scrollWidth") <= WIDTH, name


def test_an_attendee_checked_in_at_a_workshop_evaluates_it_on_a_phone(app, browser, live_server):
    congress, sessions, people, codes, _ = evaluation_edition("evaluatie-telefoon", people=2)
    workshop = sessions[0]
    for session in sessions:
        session.starts_at, session.ends_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1)
    congress.starts_on = congress.ends_on = date.today()
    db.session.commit()
    scan_in(congress, codes[0], workshop.id)
    first = question_queries.questions(congress, "evaluation")[0]
    secret = manage_secret(people[0])

    context = _watched_context(browser, viewport={"width": WIDTH, "height": 800}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server}/my/{secret}/evaluations")
    _look(page, "list")
    page.get_by_role("link", name=workshop.title).click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Evalueren: {workshop.title}"
    assert "1 = slecht, 5 = uitstekend" in page.content()
    _look(page, "form")

    page.get_by_role("button", name="Mijn evaluatie versturen").click()  # the required rating forgotten
    assert page.locator(f"#{'q_' + str(first.id)}-error").inner_text().strip() == "Dit veld is verplicht."
    _look(page, "form-with-error")

    page.get_by_role("group", name=first.label_nl).get_by_label("4", exact=True).check()
    page.get_by_label("Wat neemt u mee, en wat kan beter?").fill("Direct toepasbaar in ons wijkteam.")
    page.get_by_role("button", name="Mijn evaluatie versturen").click()
    assert "uw evaluatie is opgeslagen" in page.content()
    assert page.get_by_text("Geëvalueerd").count() == 1
    _look(page, "list-after")
    db.session.rollback()  # see what the server committed
    answers = db.session.scalars(sa.select(EvaluationResponse.answers)).all()
    assert [a[str(first.id)] for a in answers] == [4]

    organiser = make_user("organiser", email="evaluatie-telefoon@example.org")
    sign_in_staff(page, live_server, organiser.email)
    page.goto(f"{live_server}/manage/{congress.slug}/evaluations")
    assert "Minder dan 5 antwoorden" in page.content()
    assert "Direct toepasbaar" not in page.content()
    _look(page, "results")
    context.close()
    _fail_on_csp_violations(context)
