"""Every error page is translated, and JSON clients get JSON."""

import pytest
from flask import abort

from congress import create_app


@pytest.fixture(scope="module")
def erroring_app(app):
    """A second app on the same database with a route that fails on demand."""
    other = create_app(dict(app.config))

    @other.route("/_test/abort/<int:code>")
    def boom(code):
        if code == 500:
            raise RuntimeError("unexpected")
        abort(code)

    return other


@pytest.mark.parametrize(("code", "nl", "en"), [
    (400, "Ongeldig verzoek", "Bad request"),
    (403, "Geen toegang", "No access"),
    (404, "Pagina niet gevonden", "Page not found"),
    (413, "Te groot", "Too large"),
    (429, "Te veel verzoeken", "Too many requests"),
    (500, "Er ging iets mis", "Something went wrong"),
])
def test_error_pages_in_both_languages(erroring_app, code, nl, en):
    client = erroring_app.test_client()
    response = client.get(f"/_test/abort/{code}")
    assert response.status_code == code
    assert nl in response.get_data(as_text=True)
    response = client.get(f"/_test/abort/{code}?lang=en")
    assert en in response.get_data(as_text=True)
    response = client.get(f"/_test/abort/{code}", headers={"Accept": "application/json"})
    assert response.status_code == code
    assert response.get_json()["error"]["code"] == code


def test_405_is_translated(client):
    response = client.delete("/login")
    assert response.status_code == 405
    assert "Methode niet toegestaan" in response.get_data(as_text=True)


def test_api_errors_are_json(client):
    response = client.get("/api/v1/nope")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == 404
