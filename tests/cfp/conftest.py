import pytest


@pytest.fixture
def request_ctx(app):
    """Services that build links (e-mails) need a request context, as in a view."""
    with app.test_request_context():
        yield
