"""A track manager places a session in the grid, sees the conflict, resolves it and publishes;
the public programme shows the change. axe finds no serious or critical violation."""

from __future__ import annotations

from congress.extensions import db
from tests.browser.conftest import axe_violations
from tests.factories import PASSWORD, make_congress, make_session
from tests.programme.factories import make_speaker, make_track_manager, publish


def _login(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/manage/**")


def test_track_manager_places_resolves_and_publishes(page, live_server, app):
    congress = make_congress("browser-prog")
    manager = make_track_manager(congress, track_index=0, email="tm-browser@example.org")
    speaker = make_speaker("Sanne Spreker", "sanne@example.org")
    mine = make_session(congress, title="Mijn workshop", start="10:00", end="11:00", room_index=0, track_index=0,
                        speakers=[speaker])
    make_session(congress, title="Andere sessie", start="13:00", end="14:00", room_index=1, track_index=1,
                 speakers=[speaker])
    room = congress.rooms[0].id
    db.session.commit()
    publish(congress)  # version 1: the workshop at 10:00
    slug = congress.slug

    _login(page, live_server, manager.email)
    page.goto(f"{live_server}/manage/programme/{slug}/schedule")
    assert axe_violations(page) == []
    # Drag my session to 13:00 in its room: the speaker is then in two places at once.
    source, target = f"[data-session='{mine.id}']", f"td.drop-target[data-room='{room}'][data-start='13:00']"
    transfer = page.evaluate_handle("() => new DataTransfer()")
    page.dispatch_event(source, "dragstart", {"dataTransfer": transfer})
    page.dispatch_event(target, "dragover", {"dataTransfer": transfer})
    with page.expect_navigation():  # the script reloads the grid after the server accepted the move
        page.dispatch_event(target, "drop", {"dataTransfer": transfer})
    page.wait_for_selector("[data-kind='speaker_double_booked']")
    assert "Sanne Spreker" in page.locator("[data-kind='speaker_double_booked']").inner_text()
    assert page.locator(f"td[data-room='{room}'][data-start='13:00'] [data-session='{mine.id}']").count() == 1

    # Publishing is refused while the conflict remains.
    page.goto(f"{live_server}/manage/programme/{slug}/publish")
    assert page.locator("form.form button[type=submit]").count() == 0
    assert axe_violations(page) == []

    # Resolve it with the plain form (works without JavaScript too): move to 15:00.
    page.goto(f"{live_server}/manage/programme/{slug}/schedule")
    page.select_option("#move-session", str(mine.id))
    page.select_option("#room_id", str(room))
    page.fill("#start", "15:00")
    page.click("form.form button[type=submit]")
    page.wait_for_selector(".utrecht-alert--ok")
    assert page.locator("[data-kind='speaker_double_booked']").count() == 0

    # The public still sees version 1 until the new version is published.
    page.goto(f"{live_server}/{slug}/programme")
    assert "10:00" in page.locator("li.session", has_text="Mijn workshop").inner_text()

    page.goto(f"{live_server}/manage/programme/{slug}/publish")
    assert "verplaatst" in page.locator(".change-list").inner_text()
    page.fill("#note", "Workshop verplaatst naar de middag")
    page.click("form.form button[type=submit]")
    # The confirmation step says who will be mailed (the speaker) before anything is sent.
    confirmation = page.locator("#publish-confirmation")
    assert "1 spreker" in confirmation.inner_text()
    assert axe_violations(page) == []
    confirmation.locator("button[type=submit]").click()
    page.wait_for_selector("text=Versie 2 van het programma is gepubliceerd.")

    # The public programme shows the change.
    page.goto(f"{live_server}/{slug}/programme?track={congress.tracks[0].id}")
    item = page.locator("li.session", has_text="Mijn workshop")
    assert "15:00" in item.inner_text()
    assert axe_violations(page) == []


def test_public_programme_pages_are_accessible(page, phone_page, live_server, app):
    congress = make_congress("browser-public")
    speaker = make_speaker("Piet Publiek", "piet@example.org")
    session = make_session(congress, title="Openbare sessie", start="10:00", end="11:00", speakers=[speaker])
    make_session(congress, title="Tweede sessie", start="10:30", end="12:00", room_index=1, track_index=1)
    db.session.commit()
    publish(congress)
    base = f"{live_server}/{congress.slug}"
    for url in (f"{base}/programme", f"{base}/programme?view=grid", f"{base}/programme/sessions/{session.id}",
                f"{base}/programme/speakers/{speaker.id}", f"{base}/programme/rooms/{session.room_id}",
                f"{base}/programme/changes", f"{base}/programme?lang=en"):
        page.goto(url)
        assert axe_violations(page) == [], url
    phone_page.goto(f"{base}/programme?view=grid")
    assert phone_page.evaluate("() => document.documentElement.scrollWidth") <= 360
    assert axe_violations(phone_page) == []
    phone_page.goto(f"{base}/programme")
    assert phone_page.evaluate("() => document.documentElement.scrollWidth") <= 360
