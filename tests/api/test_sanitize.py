"""NUL characters and unpaired surrogates stop at the edge (issue 12 §2): stripped from every form post
and query string by one request hook, refused in JSON bodies; the same on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

from congress.accounts.services import create_api_token
from congress.extensions import db
from congress.programme.models import SignupRound
from congress.registration.models import Registration
from congress.sanitize import clean, has_forbidden_characters
from tests.registration.factories import add_round, form_data, open_congress


def test_forbidden_characters():
    assert has_forbidden_characters("a\x00b") and has_forbidden_characters("\ud800") \
        and has_forbidden_characters("x\udfff")
    assert not has_forbidden_characters("Zoë 🎉 \u202e <script> ' OR 1=1--")
    assert clean("A\x00n\ud800na") == "Anna"


def test_a_nul_in_a_form_post_is_stripped_before_it_is_stored(client, mailbox):
    congress = open_congress("nul-formulier")
    response = client.post(f"/{congress.slug}/register", data=form_data(
        congress, name="Anna\x00 de Vries", organisation="Gemeente\x00 Utrecht", dietary="\x00vegan"))
    assert response.status_code in (200, 302, 303)
    db.session.rollback()
    registration = db.session.scalar(sa.select(Registration).where(Registration.congress_id == congress.id))
    assert registration is not None
    assert (registration.name, registration.organisation, registration.dietary) == \
        ("Anna de Vries", "Gemeente Utrecht", "vegan")


def test_a_nul_in_a_query_string_is_stripped(client, app):
    response = client.get("/api/v1/knowledge?q=veer%00kracht")
    assert response.status_code == 200 and response.get_json()["query"] == "veerkracht"


def test_a_nul_in_the_api_is_refused_not_stored(client):
    congress = open_congress("nul-api")
    secret = create_api_token("partner", "registrations").secret
    db.session.commit()
    response = client.post(f"/api/v1/congresses/{congress.slug}/registrations?lang=en", headers={
        "Authorization": f"Bearer {secret}"}, json={"name": "Anna\x00", "email": "anna@example.org",
                                                     "sector": "gemeente", "consent_privacy": True})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["name"] == [
        "Contains characters that are not allowed (NUL or an unpaired surrogate)."]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_an_id_beyond_the_database_range_in_the_registration_form_is_an_error_not_500(client):
    congress = open_congress("grote-getallen")
    add_round(congress)
    round_id = db.session.scalar(sa.select(SignupRound.id).where(SignupRound.congress_id == congress.id))
    for values in ({"sector": str(2**63)}, {"sector": "9" * 40}, {f"round_{round_id}": str(2**63)}):
        response = client.post(f"/{congress.slug}/register", data=form_data(congress, **values))
        assert response.status_code == 422  # the form again, with the message next to the field
        assert b"is-invalid" in response.data or b"error" in response.data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
