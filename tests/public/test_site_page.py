"""The edition page as an event site (templates/public/edition.html, congress.public.site): the hero's
facts and its call to action in every registration state, the route link, the tracks with their
sessions, the FAQ as <details>, the accent stylesheet and the logo's address; nothing from another host."""

from __future__ import annotations

import re
from datetime import time, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from lxml import html as lxml_html

from congress.core import services as core
from congress.core.models import Person
from congress.database import utcnow
from congress.extensions import db
from congress.registration import services as registration
from tests.factories import make_congress, make_session
from tests.programme.factories import publish
from tests.registration.factories import open_congress, registered


def _page(client, congress, lang="nl"):
    response = client.get(f"/{congress.slug}/?lang={lang}")
    assert response.status_code == 200
    return lxml_html.fromstring(response.get_data(as_text=True))


def _text(tree, selector_id: str) -> str:
    found = tree.get_element_by_id(selector_id, None)
    return " ".join(found.text_content().split()) if found is not None else ""


def _cta(tree) -> str | None:
    buttons = tree.find_class("edition-cta")
    return buttons[0].text_content().strip() if buttons else None


def test_the_hero_names_date_times_venue_route_and_places_left(client):
    congress = open_congress("held", capacity=100)
    congress.venue_name, congress.venue_address = "Jaarbeurs Utrecht", "Jaarbeursplein 6, 3521 AL Utrecht"
    congress.starts_at_time, congress.ends_at_time = time(9, 0), time(16, 30)
    db.session.commit()
    for n in range(3):
        registered(congress, n=900 + n)
    db.session.commit()
    tree = _page(client, congress)
    hero = " ".join(tree.find_class("edition-hero")[0].text_content().split())
    assert "09:00–16:30" in hero and "Jaarbeurs Utrecht" in hero and "Jaarbeursplein 6, 3521 AL Utrecht" in hero
    seats = _text(tree, "seats")
    assert seats.startswith("Plaatsen Nog 97 plaatsen vrij") and seats.endswith("van de 100")
    assert _cta(tree) == "Aanmelden"
    route = next(a.get("href") for a in tree.find_class("edition-facts__route"))
    parts = urlsplit(route)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.openstreetmap.org", "/directions")
    assert parse_qs(parts.query) == {"to": ["Jaarbeursplein 6, 3521 AL Utrecht"]}
    assert "97 places left" in _text(_page(client, congress, "en"), "seats")


def test_one_place_left_is_singular(client):
    congress = open_congress("een-plaats", capacity=1)
    assert "Nog 1 plaats vrij" in _text(_page(client, congress), "seats")
    assert "1 place left" in _text(_page(client, congress, "en"), "seats")


def test_a_full_edition_with_a_waiting_list_invites_to_it(client):
    congress = open_congress("vol-met-wachtlijst", capacity=1)
    registration.set_waiting_list(congress, True)
    registered(congress, n=950)
    db.session.commit()
    tree = _page(client, congress)
    assert _text(tree, "seats") == "Plaatsen Vol: meld u aan voor de wachtlijst"
    assert _cta(tree) == "Op de wachtlijst zetten"
    assert _cta(_page(client, congress, "en")) == "Join the waiting list"


def test_a_full_edition_without_a_waiting_list_says_so_and_offers_no_button(client):
    congress = open_congress("vol-zonder-wachtlijst", capacity=1)
    registered(congress, n=960)
    db.session.commit()
    tree = _page(client, congress, "en")
    assert _cta(tree) is None
    assert "This edition is full." in tree.find_class("edition-hero__note")[0].text_content()


def test_before_registration_opens_the_page_says_when(client):
    congress = make_congress("nog-niet-open")
    congress.registration_opens_at = (utcnow() + timedelta(days=10)).replace(hour=8, minute=0, second=0, microsecond=0)
    db.session.commit()
    tree = _page(client, congress)
    assert _cta(tree) is None and tree.get_element_by_id("seats", None) is None
    opens = congress.registration_opens_at.astimezone(ZoneInfo("Europe/Amsterdam"))
    note = tree.find_class("edition-hero__note")[0].text_content()
    assert note.startswith("De aanmelding opent op ") and note.endswith(f"{opens:%H:%M}.")  # no seconds


def test_after_registration_closed_the_page_says_closed(client):
    congress = open_congress("gesloten")
    congress.registration_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    tree = _page(client, congress, "en")
    assert _cta(tree) is None
    assert tree.find_class("edition-hero__note")[0].text_content() == "Registration is closed."


def test_tracks_list_their_sessions_with_time_room_and_speakers_linking_to_the_programme(client, congress):
    speaker = Person(name="Ayşe Yılmaz")
    db.session.add(speaker)
    workshop = make_session(congress, title="Eigen keuzes maken", start="11:00", end="12:00", track_index=1,
                            room_index=1, speakers=[speaker])
    plenary = make_session(congress, title="Opening", start="09:30", end="10:30", track_index=None)
    publish(congress)
    tree = _page(client, congress)
    cards = tree.find_class("edition-track")
    assert [c.find_class("edition-track__name")[0].text_content() for c in cards] == ["Spoor 1", "Spoor 2"]
    second = " ".join(cards[1].text_content().split())
    assert "11:00–12:00 · Zaal 2" in second and "Eigen keuzes maken" in second and "Ayşe Yılmaz" in second
    assert cards[1].xpath(f".//a[@href='/{congress.slug}/programme/sessions/{workshop.id}']")
    assert "De sessies volgen nog." in " ".join(cards[0].text_content().split())  # Spoor 1 has none yet
    # The plenary parts stand in the programme; the workshops only in their track.
    programme = tree.get_element_by_id("programme-title").getparent()
    assert programme.xpath(f".//a[@href='/{congress.slug}/programme/sessions/{plenary.id}']")
    assert not programme.xpath(f".//a[@href='/{congress.slug}/programme/sessions/{workshop.id}']")


def test_the_faq_is_details_and_summary_usable_without_javascript(client, congress):
    core.add_faq(congress, question_nl="Wat kost het?", answer_nl="Niets.\n\nLunch is inbegrepen.",
                 question_en="What does it cost?", answer_en="Nothing.")
    db.session.commit()
    tree = _page(client, congress)
    details = tree.find_class("edition-faq__item")[0]
    assert details.tag == "details" and details.find("summary").text_content() == "Wat kost het?"
    assert [p.text_content() for p in details.find_class("utrecht-paragraph")] == ["Niets.", "Lunch is inbegrepen."]
    assert "<script" not in lxml_html.tostring(tree, encoding="unicode").split("<main", 1)[1]


def test_the_accent_stylesheet_is_served_for_the_editions_colour_only(client, congress):
    assert client.get(f"/{congress.slug}/accent-00695c.css").status_code == 404  # no accent yet
    core.update_congress(congress, accent_colour="#00695C")
    db.session.commit()
    sheet = client.get(f"/{congress.slug}/accent-00695c.css")
    assert sheet.status_code == 200 and sheet.mimetype == "text/css"
    assert sheet.get_data(as_text=True) == ":root { --edition-accent: #00695c; }\n"
    assert "immutable" in sheet.headers["Cache-Control"]
    for other in ("ff0000", "00695C", "00695c;}body{display:none", "x" * 300):
        assert client.get(f"/{congress.slug}/accent-{other}.css").status_code == 404


def test_a_drafts_logo_and_accent_are_not_public(client):
    draft = make_congress("concept-site", status="draft")
    core.update_congress(draft, accent_colour="#00695c")
    db.session.commit()
    assert client.get(f"/{draft.slug}/accent-00695c.css").status_code == 404
    assert client.get(f"/{draft.slug}/logo/{'a' * 64}.png").status_code == 404


def test_nothing_on_the_page_is_fetched_from_another_host(client):
    congress = open_congress("geen-derden", capacity=10)
    congress.venue_address = "Jaarbeursplein 6, 3521 AL Utrecht"
    db.session.commit()
    html = client.get(f"/{congress.slug}/").get_data(as_text=True)
    fetched = re.findall(r'<(?:img|script|iframe)[^>]+src="([^"]+)"', html)
    fetched += re.findall(r'<link rel="(?:stylesheet|icon|preload)"[^>]+href="([^"]+)"', html)
    assert len(fetched) >= 4 and all(url.startswith("/") or url.startswith("data:") for url in fetched), fetched
    assert "<iframe" not in html
