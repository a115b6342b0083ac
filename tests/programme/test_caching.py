"""The programme cache's speed trick (``fast_not_modified``) against the plain way it replaces:
werkzeug's ``Response.make_conditional`` on the finished response. Both must answer alike."""

from datetime import UTC, datetime

import pytest
from werkzeug.http import http_date
from werkzeug.test import EnvironBuilder

from congress.programme.caching import fast_not_modified, full_response

STAMP = datetime(2026, 11, 30, 9, 15, 0, tzinfo=UTC)
ENTRY = (b"{}" * 800, "application/json", {"Content-Disposition": 'inline; filename="x.json"'}, b"gz-bytes")
ETAG = "0123456789abcdef0123456789abcdef"

CASES = [
    {},
    {"If-None-Match": f'"{ETAG}"'},
    {"If-None-Match": f'W/"{ETAG}"'},
    {"If-None-Match": '"other"'},
    {"If-None-Match": "*"},
    {"If-Modified-Since": http_date(STAMP)},
    {"If-Modified-Since": http_date(datetime(2026, 11, 1, tzinfo=UTC))},
    {"If-Modified-Since": "not a date"},
    {"If-None-Match": '"other"', "If-Modified-Since": http_date(STAMP)},  # If-None-Match wins
    {"If-None-Match": f'"{ETAG}"', "If-Modified-Since": http_date(datetime(2020, 1, 1, tzinfo=UTC))},
]


def _answer(response):
    status, headers = response.status_code, dict(response.get_wsgi_headers(response_environ))
    headers.pop("Date", None)  # make_conditional adds one; the server sends it anyway
    if status == 304:
        # The one difference: the fast 304 is answered before the cache entry is looked up, so it
        # does not repeat the entry's Content-Disposition (a 304 has no body to name).
        headers.pop("Content-Disposition", None)
    body = b"".join(response.get_app_iter(response_environ))
    return status, headers, body


response_environ = EnvironBuilder("/x").get_environ()


@pytest.mark.parametrize("use_gzip", [False, True])
@pytest.mark.parametrize("headers", CASES)
def test_the_fast_304_answers_as_werkzeugs_make_conditional(app, headers, use_gzip):
    etag = ETAG + ("-gz" if use_gzip else "")
    if use_gzip:
        headers = {k: v.replace(ETAG, etag) for k, v in headers.items()}
    environ = EnvironBuilder("/x", headers=headers).get_environ()
    with app.test_request_context("/x", headers=headers):
        plain = full_response(ENTRY, use_gzip, etag, STAMP).make_conditional(environ)
        fast = fast_not_modified(environ, etag, STAMP) or full_response(ENTRY, use_gzip, etag, STAMP)
        assert _answer(fast) == _answer(plain)
