""""New since your last visit": the version cookie as plain functions (parsing, what counts as new,
the summary) and on the programme page (first visit quiet, a return after a change marked, the
cookie's attributes, forged cookies, one visitor's page never served to another)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask_babel import force_locale

from congress.extensions import db
from congress.programme import caching, visits
from tests.factories import make_congress, make_session
from tests.programme.factories import make_speaker, publish


@pytest.fixture(autouse=True)
def _fresh_cache():
    caching.cache.clear()
    yield
    caching.cache.clear()


@dataclass
class V:
    number: int
    changes: list


def change(session_id: int, *kinds: str, title: str = "") -> dict:
    return {"session_id": session_id, "title": title or f"Sessie {session_id}", "kinds": list(kinds)}


# --- plain functions ---------------------------------------------------------------------------


@pytest.mark.parametrize("raw, expected", [
    (None, None), ("", None), ("0", None), ("-1", None), ("abc", None), ("1.5", None), ("٣", None),
    ("9" * 10, None), ("\x00", None), ("1", 1), ("42", 42), ("000000007", 7),
])
def test_the_cookie_holds_a_small_number_or_is_ignored(raw, expected):
    assert visits.parse_seen(raw) == expected


@pytest.mark.parametrize("seen, latest, expected", [
    (None, 3, None),   # first visit: nothing to tell
    (3, 3, None),      # seen the latest
    (5, 3, None),      # from the future (forged, or a version that is gone)
    (2, 3, 2), (1, None, None),
])
def test_what_to_compare_with(seen, latest, expected):
    assert visits.effective_seen(seen, latest) == expected


def test_changes_over_several_versions_come_to_one_word_per_session():
    history = [
        V(1, [change(1, "new"), change(2, "new"), change(3, "new"), change(4, "new")]),
        V(2, [change(5, "new"), change(1, "moved"), change(2, "room"), change(6, "new")]),
        V(3, [change(5, "moved"), change(3, "cancelled"), change(6, "removed"), change(4, "changed"),
              change(7, "removed")]),
    ]
    since = visits.changes_since(history, 1)
    assert {k: c.category for k, c in since.items()} == {
        1: "moved", 2: "moved", 3: "cancelled", 4: "changed", 5: "new", 7: "removed"}  # 6 came and went
    assert visits.summary(since) == [("new", 1), ("moved", 2), ("changed", 1), ("cancelled", 1), ("removed", 1)]
    assert visits.changes_since(history, None) == {} and visits.changes_since(history, 3) == {}
    restored = visits.changes_since([V(2, [change(3, "cancelled")]), V(3, [change(3, "restored")])], 1)
    assert restored[3].category == "changed"


def test_hostile_changelog_entries_are_skipped():
    since = visits.changes_since([V(2, [{"session_id": "1; drop"}, {"kinds": ["new"]}, change(9, "new")])], 1)
    assert list(since) == [9]


def test_the_summary_is_counted_in_the_readers_language(app):
    with app.test_request_context(), force_locale("nl"):
        assert visits.count_label("new", 3) == "3 nieuw" and visits.count_label("moved", 1) == "1 verplaatst"
    with app.test_request_context(), force_locale("en"):
        assert visits.count_label("new", 3) == "3 new" and visits.category_label("moved") == "Moved"


# --- the programme page -------------------------------------------------------------------------


def _edition():
    congress = make_congress("congres-test")
    speaker = make_speaker("Fatima el Amrani", "fatima@example.org")
    first = make_session(congress, title="Openingssessie", start="09:00", end="10:00", speakers=[speaker])
    moving = make_session(congress, title="Workshop weerbaarheid", start="10:00", end="11:00")
    publish(congress, "Eerste versie")
    return congress, first, moving


def _second_version(congress, moving):
    make_session(congress, title="Lunchlezing deepfakes", start="12:00", end="13:00", room_index=1)
    make_session(congress, title="Lunchgesprek jongeren", start="12:00", end="13:00")
    moving.starts_at += timedelta(hours=3)
    moving.ends_at += timedelta(hours=3)
    db.session.commit()
    publish(congress, "Tweede versie")


def _cookie(client, congress):
    return client.get_cookie(visits.COOKIE, path=visits.cookie_path(congress.slug))


def test_first_visit_shows_nothing_and_remembers_the_version(app, client):
    congress, _, _ = _edition()
    response = client.get(f"/{congress.slug}/programme")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "since-visit" not in html and "tag--new" not in html
    header = response.headers["Set-Cookie"]
    assert header.startswith("programme_seen=1;") and "SameSite=Lax" in header and "HttpOnly" in header
    assert f"Path=/{congress.slug}/programme" in header and "Max-Age=31536000" in header
    assert "private" in response.headers["Cache-Control"]
    assert _cookie(client, congress).value == "1"
    again = client.get(f"/{congress.slug}/programme")
    assert "Set-Cookie" not in again.headers and "since-visit" not in again.get_data(as_text=True)


def test_a_return_after_a_change_marks_the_new_and_moved_sessions_once(app, client):
    congress, _, moving = _edition()
    client.get(f"/{congress.slug}/programme")
    _second_version(congress, moving)
    response = client.get(f"/{congress.slug}/programme", headers={"Accept-Language": "nl"})
    html = response.get_data(as_text=True)
    assert "Sinds uw vorige bezoek: 2 nieuw, 1 verplaatst" in html
    assert html.count('class="tag tag--new"') >= 4  # in the summary's list and on the sessions
    assert html.count('class="tag tag--moved"') >= 2
    assert f'href="/{congress.slug}/programme/sessions/{moving.id}"' in html
    assert f'href="/{congress.slug}/programme/changes"' in html
    assert _cookie(client, congress).value == "2"
    later = client.get(f"/{congress.slug}/programme").get_data(as_text=True)
    assert "since-visit" not in later and "tag--new" not in later


def test_the_grid_view_marks_them_too_and_english_readers_read_english(app, client):
    congress, _, moving = _edition()
    client.get(f"/{congress.slug}/programme")
    _second_version(congress, moving)
    html = client.get(f"/{congress.slug}/programme?view=grid", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    assert "Since your last visit: 2 new, 1 moved" in html and ">New</span>" in html


def test_one_visitors_marks_are_never_served_to_another_from_the_cache(app, client):
    congress, _, moving = _edition()
    client.get(f"/{congress.slug}/programme")
    _second_version(congress, moving)
    returning = client.get(f"/{congress.slug}/programme").get_data(as_text=True)
    newcomer = app.test_client().get(f"/{congress.slug}/programme")
    assert "since-visit" in returning and "since-visit" not in newcomer.get_data(as_text=True)
    assert newcomer.headers["Set-Cookie"].startswith("programme_seen=2;")


@pytest.mark.parametrize("value", ["abc", "99999999999999999999", "-3", "7", "1%00", "\u00e9"])
def test_a_forged_cookie_is_ignored_not_an_error(app, client, value):
    congress, _, moving = _edition()
    _second_version(congress, moving)
    client.set_cookie(visits.COOKIE, value, path=visits.cookie_path(congress.slug))
    response = client.get(f"/{congress.slug}/programme")
    assert response.status_code == 200 and "since-visit" not in response.get_data(as_text=True)
    assert _cookie(client, congress).value == "2"


def test_no_cookie_before_the_first_version_and_none_for_other_pages(app, client):
    congress = make_congress("congres-test")
    make_session(congress, title="Nog niet gepubliceerd")
    response = client.get(f"/{congress.slug}/programme")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    publish(congress)
    assert "Set-Cookie" not in client.get(f"/{congress.slug}/programme/speakers").headers
    assert "Set-Cookie" not in client.get(f"/{congress.slug}/programme/changes").headers
    assert client.get(f"/{congress.slug}/programme?day=nope").status_code == 400


def test_a_conditional_request_still_moves_the_cookie_on(app, client):
    congress, _, _ = _edition()
    first = client.get(f"/{congress.slug}/programme")
    client.delete_cookie(visits.COOKIE, path=visits.cookie_path(congress.slug))
    cached = client.get(f"/{congress.slug}/programme", headers={"If-None-Match": first.headers["ETag"]})
    assert cached.status_code == 304 and cached.headers["Set-Cookie"].startswith("programme_seen=1;")
