"""The public feedback page conference apps link (schedule.json's ``feedback_url``): when the evaluation of
a session opens and closes, and the way to it through the personal link — never anyone's answers."""

from __future__ import annotations

from datetime import date, timedelta

from congress.database import utcnow
from congress.extensions import db
from tests.evaluations.factories import evaluation_edition
from tests.factories import make_congress, make_session
from tests.programme.factories import publish


def test_before_during_and_after_the_evaluation_of_a_session(app, client):
    congress, sessions, _people, _codes, _after = evaluation_edition("feedback-pagina", people=1)
    publish(congress)
    session = sessions[0]
    url = f"/{congress.slug}/feedback/{session.id}"

    session.starts_at, session.ends_at = utcnow() + timedelta(hours=1), utcnow() + timedelta(hours=2)
    db.session.commit()
    page = client.get(url, headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "opent na afloop van de sessie" in page
    assert f"/{congress.slug}/register/link" in page  # the way to one's personal link

    session.starts_at, session.ends_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1)
    congress.starts_on = congress.ends_on = date.today()
    db.session.commit()
    page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Were you there?" in page and "can evaluate it until" in page
    assert session.title in page

    congress.starts_on = congress.ends_on = date.today() - timedelta(days=60)  # long closed
    db.session.commit()
    page = client.get(url, headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "is gesloten" in page
    assert "/register/link" not in page


def test_unknown_unpublished_cancelled_and_other_editions_sessions_are_404(app, client):
    congress, sessions, _people, _codes, _after = evaluation_edition("feedback-404", people=1)
    other = make_congress("feedback-ander")
    foreign = make_session(other, title="Elders")
    sessions[1].is_cancelled = True
    db.session.commit()
    publish(congress)
    publish(other)
    for path in (f"/{congress.slug}/feedback/{foreign.id}", f"/{congress.slug}/feedback/999999",
                 f"/{congress.slug}/feedback/{sessions[1].id}", f"/{congress.slug}/feedback/99999999999999999999",
                 f"/niet-bestaand/feedback/{sessions[0].id}"):
        assert client.get(path).status_code == 404, path
