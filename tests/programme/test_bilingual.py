"""Sessions in both languages (issue 18, item 8): the public pages and the feeds (schedule.json, schedule.xml,
iCalendar) in the language asked for (``?lang=`` or Accept-Language), the other as fallback, with a session
that has only Dutch texts, one with an English abstract and no Dutch one, and one with both; the feeds stay
valid against the c3voc schemas and are cached per language; the public sees the English as published."""

from __future__ import annotations

import json

import jsonschema
import pytest
from lxml import etree
from lxml import html as lxml_html

from congress.accounts.models import Role
from congress.extensions import db
from congress.programme import services
from congress.programme.models import ProgrammeSession
from tests.conftest import SCHEMAS
from tests.factories import make_congress, make_session, make_user
from tests.programme.factories import publish
from tests.programme.test_feeds import for_c3voc, parse_ics


@pytest.fixture
def sessions(app):
    congress = make_congress("tweetalig-test")
    dutch = make_session(congress, title="Weerbaar online", start="10:00", end="11:00")
    dutch.abstract = "Jongeren leren nepnieuws herkennen."
    english_only = make_session(congress, title="Buurtnetwerken", start="11:00", end="12:00")
    english_only.abstract_en = "Neighbourhood networks that last."
    both = make_session(congress, title="Zelfbeschikking in de praktijk", start="13:00", end="14:00")
    both.title_en, both.abstract, both.abstract_en = ("Self-determination in practice", "Over eigen regie.",
                                                      "On being in charge of one's life.")
    db.session.commit()
    publish(congress)
    return congress, dutch, english_only, both


def _events(data: dict) -> dict[int, dict]:
    return {ev["id"]: ev for day in data["schedule"]["conference"]["days"] for events in day["rooms"].values()
            for ev in events}


def test_the_session_page_shows_the_readers_language_with_the_other_as_fallback(client, sessions):
    congress, dutch, english_only, both = sessions
    page = lambda s, lang: client.get(f"/{congress.slug}/programme/sessions/{s.id}?lang={lang}").get_data(  # noqa: E731
        as_text=True)
    assert "Self-determination in practice" in page(both, "en") and "being in charge" in page(both, "en")
    assert "Zelfbeschikking in de praktijk" in page(both, "nl") and "Over eigen regie." in page(both, "nl")
    heading = lxml_html.fromstring(page(both, "nl")).findtext(".//h1")
    assert heading.strip() == "Zelfbeschikking in de praktijk"  # the English only as JSON-LD's alternateName
    # Only Dutch: the English reader gets the Dutch; only an English abstract: everyone gets that one.
    assert "Weerbaar online" in page(dutch, "en") and "nepnieuws" in page(dutch, "en")
    assert "Neighbourhood networks that last." in page(english_only, "nl")
    assert "Buurtnetwerken" in page(english_only, "en")
    # A fallback says its language (WCAG 3.1.2): the Dutch title on the English page, the English abstract
    # on the Dutch one.
    fallback = lxml_html.fromstring(page(dutch, "en"))
    assert fallback.find(".//h1/span[@lang='nl']").text == "Weerbaar online"
    assert lxml_html.fromstring(page(english_only, "nl")).find(".//p[@lang='en']").text == (
        "Neighbourhood networks that last.")
    assert lxml_html.fromstring(page(both, "en")).find(".//h1/span[@lang]") is None
    programme = client.get(f"/{congress.slug}/programme?lang=en").get_data(as_text=True)
    assert "Self-determination in practice" in programme and "Weerbaar online" in programme
    edition = client.get(f"/{congress.slug}/?lang=en").get_data(as_text=True)
    assert "Self-determination in practice" in edition and "being in charge" in edition


def test_schedule_json_keeps_its_fields_and_takes_the_asked_language(client, sessions):
    congress, dutch, english_only, both = sessions
    schema = json.loads((SCHEMAS / "schedule.schema.json").read_text())
    english = client.get(f"/{congress.slug}/schedule.json?lang=en").get_json()
    dutch_data = client.get(f"/{congress.slug}/schedule.json?lang=nl").get_json()
    jsonschema.validate(english, schema)
    jsonschema.validate(dutch_data, schema)
    en, nl = _events(english), _events(dutch_data)
    assert (en[both.id]["title"], en[both.id]["abstract"]) == ("Self-determination in practice",
                                                               "On being in charge of one's life.")
    assert en[both.id]["description"].startswith("On being in charge")
    assert (nl[both.id]["title"], nl[both.id]["abstract"]) == ("Zelfbeschikking in de praktijk", "Over eigen regie.")
    assert (en[dutch.id]["title"], en[dutch.id]["abstract"]) == ("Weerbaar online",
                                                                 "Jongeren leren nepnieuws herkennen.")
    assert nl[english_only.id]["abstract"] == "Neighbourhood networks that last."
    assert en[both.id]["links"][0]["title"] == "Self-determination in practice"
    assert set(en[both.id]) == set(nl[both.id])  # the same fields: an interface
    assert english["schedule"]["conference"]["title"] == congress.title_en
    assert dutch_data["schedule"]["conference"]["title"] == congress.title_nl


def test_schedule_xml_and_ical_in_english_and_dutch(client, sessions):
    congress, dutch, _english_only, both = sessions
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "schedule.xml.xsd")))
    english = etree.fromstring(client.get(f"/{congress.slug}/schedule.xml?lang=en").data)
    schema.assertValid(for_c3voc(english))
    event = english.find(f".//event[@id='{both.id}']")
    assert (event.findtext("title"), event.findtext("abstract")) == ("Self-determination in practice",
                                                                     "On being in charge of one's life.")
    assert english.find(f".//event[@id='{dutch.id}']").findtext("title") == "Weerbaar online"
    dutch_xml = etree.fromstring(client.get(f"/{congress.slug}/schedule.xml?lang=nl").data)
    assert dutch_xml.find(f".//event[@id='{both.id}']").findtext("title") == "Zelfbeschikking in de praktijk"

    events = {str(e.summary.value): e for e in parse_ics(client.get(f"/{congress.slug}/programme.ics?lang=en").data)
              .values()}
    assert "Self-determination in practice" in events and "Weerbaar online" in events
    assert events["Self-determination in practice"].description.value.startswith("On being in charge")
    dutch_events = parse_ics(client.get(f"/{congress.slug}/programme.ics?lang=nl").data)
    assert {str(e.summary.value) for e in dutch_events.values()} >= {"Zelfbeschikking in de praktijk"}
    single = parse_ics(client.get(f"/{congress.slug}/programme/sessions/{both.id}.ics?lang=en").data)
    assert [str(e.summary.value) for e in single.values()] == ["Self-determination in practice"]


def test_the_feed_cache_keeps_the_languages_apart(client, sessions):
    congress, _dutch, _english_only, both = sessions
    for _ in range(2):  # the second round comes from the cache
        english = client.get(f"/{congress.slug}/schedule.json", headers={"Accept-Language": "en"})
        # A fresh client: no language remembered in the session, so Accept-Language decides.
        client.delete_cookie("session")
        dutch = client.get(f"/{congress.slug}/schedule.json", headers={"Accept-Language": "nl"})
        client.delete_cookie("session")
        assert _events(english.get_json())[both.id]["title"] == "Self-determination in practice"
        assert _events(dutch.get_json())[both.id]["title"] == "Zelfbeschikking in de praktijk"
        assert english.headers["ETag"] != dutch.headers["ETag"]
        assert "Accept-Language" in english.headers["Vary"]


def test_the_public_sees_the_english_as_published_and_a_new_one_is_a_change(client, sessions):
    congress, dutch, _english_only, _both = sessions
    dutch.title_en = "Resilient online"
    db.session.commit()
    feed = lambda: _events(client.get(f"/{congress.slug}/schedule.json?lang=en").get_json())  # noqa: E731
    assert feed()[dutch.id]["title"] == "Weerbaar online"  # not yet published
    changes, _snapshot = services.pending_changes(congress)
    assert [(c["session_id"], c["kinds"]) for c in changes] == [(dutch.id, ["changed"])]
    publish(congress)
    assert feed()[dutch.id]["title"] == "Resilient online"


def test_a_version_published_before_sessions_were_bilingual_reads_as_dutch_only(client, sessions):
    congress, dutch, _english_only, both = sessions
    version = services.latest_version(congress)
    version.snapshot = {key: {k: v for k, v in state.items() if k != "english"}
                        for key, state in version.snapshot.items()}
    db.session.commit()
    data = _events(client.get(f"/{congress.slug}/schedule.json?lang=en").get_json())
    assert data[both.id]["title"] == "Zelfbeschikking in de praktijk"
    changes, _snapshot = services.pending_changes(congress)
    # Only the sessions with English texts now differ from that version.
    assert sorted(c["session_id"] for c in changes) == sorted(s.id for s in sessions[2:])


def test_the_session_form_takes_the_english_beside_the_dutch(app, sessions):
    congress, dutch, _english_only, _both = sessions
    client = app.test_client(user=make_user(Role.ORGANISER.value))
    day = congress.starts_on.isoformat()
    page = client.get(f"/manage/programme/{congress.slug}/sessions/{dutch.id}?lang=en").get_data(as_text=True)
    assert 'name="title_en"' in page and 'name="abstract_en"' in page
    assert "Title (Dutch)" in page and "Title (English)" in page
    form = {"title": "Weerbaar online", "title_en": "Resilient online", "abstract": dutch.abstract,
            "abstract_en": "Young people learn to spot fake news.", "format": dutch.format, "language": "nl",
            "track_id": str(dutch.track_id), "room_id": str(dutch.room_id),
            "starts_at": f"{day}T10:00", "ends_at": f"{day}T11:00", "signup_round_id": ""}
    response = client.post(f"/manage/programme/{congress.slug}/sessions/{dutch.id}", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = db.session.get(ProgrammeSession, dutch.id)
    db.session.refresh(saved)
    assert (saved.title_en, saved.abstract_en) == ("Resilient online", "Young people learn to spot fake news.")
    # The English is optional; the Dutch title stays required, with the message next to the field.
    response = client.post(f"/manage/programme/{congress.slug}/sessions/{dutch.id}",
                           data={**form, "title": "", "title_en": ""})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_the_programme_api_gives_the_english_beside_the_dutch(client, sessions):
    """title and abstract stay the Dutch (an interface); title_en and abstract_en come beside them, null
    when not written, and the OpenAPI description names them."""
    congress, dutch, english_only, both = sessions
    data = client.get(f"/api/v1/congresses/{congress.slug}/programme").get_json()
    found = {s["id"]: s for s in data["sessions"]}
    assert (found[both.id]["title"], found[both.id]["title_en"]) == ("Zelfbeschikking in de praktijk",
                                                                      "Self-determination in practice")
    assert found[both.id]["abstract_en"] == "On being in charge of one's life."
    assert found[dutch.id]["title_en"] is None and found[dutch.id]["abstract_en"] is None
    assert found[english_only.id]["abstract_en"] == "Neighbourhood networks that last."
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["ProgrammeSession"]
    assert {"title_en", "abstract_en"} <= set(schema["properties"])
