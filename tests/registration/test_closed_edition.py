"""A closed or archived edition: the attendee's personal page is read-only (edition lifecycle, issue 14)."""

from __future__ import annotations

import pytest

from congress.extensions import db
from congress.registration import services
from tests.registration.factories import open_congress, registered


@pytest.mark.parametrize("status", ["closed", "archived"])
def test_the_personal_page_of_a_closed_edition_changes_nothing(app, client, status):
    congress = open_congress()
    person = registered(congress, confirmed=True).registration
    secret = services.manage_secret(person)
    db.session.commit()
    assert f"/my/{secret}/cancel" in client.get(f"/my/{secret}").get_data(as_text=True)
    congress.status = status
    db.session.commit()
    page = client.get(f"/my/{secret}?lang=nl").get_data(as_text=True)
    assert f"/my/{secret}/cancel" not in page and f"/my/{secret}/edit" not in page
    assert "Deze editie is gesloten" in page
    for path in ("edit", "cancel"):
        answer = client.get(f"/my/{secret}/{path}")
        assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/my/{secret}")
        # A forged form post (CSRF is off in this client, on purpose) changes nothing either.
        assert client.post(f"/my/{secret}/{path}", data={"name": "Iemand Anders"}).status_code == 302
    db.session.refresh(person)
    assert person.status == "confirmed" and person.name != "Iemand Anders"
