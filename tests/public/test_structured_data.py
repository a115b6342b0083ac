"""schema.org JSON-LD on the public pages, read as a JSON-LD processor (pyld) reads it: expanded
against the schema.org context (served locally: its ``@vocab`` is what matters here, and the tests
have no network), with the fields search engines require for an Event rich result, allowed by the
hash of its text in the Content-Security-Policy."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date

import pytest
from lxml import html as lxml_html
from pyld import jsonld

from congress.extensions import db
from congress.programme import queries as programme
from tests.archive.factories import make_item
from tests.factories import make_congress, make_session
from tests.programme.factories import make_speaker, publish
from tests.urls_support import BASE

S = "http://schema.org/"
SCHEMA_CONTEXT = {"@context": {"@vocab": S, "id": "@id", "type": "@type"}}


def _local_loader(url, options=None):
    if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": SCHEMA_CONTEXT}
    raise jsonld.JsonLdError("no network in the tests", "loading document failed", {"url": url})


jsonld.set_document_loader(_local_loader)


def blocks(response) -> list[dict]:
    page = lxml_html.fromstring(response.data)
    scripts = page.findall(".//script[@type='application/ld+json']")
    policy = response.headers["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "unsafe-inline" not in policy
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.text.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src  # allowed by its hash, nothing else
    return [json.loads(script.text) for script in scripts]


def expanded(data: dict) -> dict:
    [node] = [n for n in jsonld.expand(data) if "@id" in n and n["@id"] == data["@id"]]
    return node


def value(node: dict, name: str):
    return node[S + name][0].get("@value", node[S + name][0].get("@id"))


@pytest.fixture
def edition(app):
    congress = make_congress("jsonld-2027", day=date(2027, 6, 10))
    congress.venue_name, congress.venue_address = "Jaarbeurs Utrecht", "Jaarbeursplein 6, 3521 AL Utrecht"
    congress.tagline_nl = "Samen weerbaar"
    speaker = make_speaker("Fatima El Amrani", "fatima@example.org")
    speaker.bio = "Onderzoeker digitale weerbaarheid"
    first = make_session(congress, title="Wat werkt tegen online uitbuiting", start="10:00", end="11:00",
                         speakers=[speaker])
    first.abstract = "Een workshop </script><script>alert(1)</script> over wat werkt"
    make_session(congress, title="Netwerken in de wijk", start="13:00", end="14:00", speakers=[speaker])
    db.session.commit()
    publish(congress)
    return congress, first, speaker


def test_the_edition_is_an_event_with_what_search_engines_require(client, edition):
    congress, first, _speaker = edition
    response = client.get(f"/{congress.slug}/")
    [data] = blocks(response)
    assert b"</script><script>alert(1)" not in response.data  # the abstract cannot close the script
    node = expanded(data)
    assert node["@type"] == [S + "Event"]
    assert value(node, "name") == congress.title_nl
    assert value(node, "startDate").startswith("2027-06-10")
    assert value(node, "eventStatus") == "https://schema.org/EventScheduled"
    assert value(node, "eventAttendanceMode") == "https://schema.org/OfflineEventAttendanceMode"
    place = node[S + "location"][0]
    address = place[S + "address"][0]
    assert place["@type"] == [S + "Place"] and value(place, "name") == "Jaarbeurs Utrecht"
    assert (value(address, "streetAddress"), value(address, "postalCode"), value(address, "addressLocality")) == (
        "Jaarbeursplein 6", "3521 AL", "Utrecht")
    assert value(node[S + "organizer"][0], "name")
    subs = node[S + "subEvent"]
    assert len(subs) == 2 and all(s["@type"] == [S + "EducationEvent"] for s in subs)
    session = next(s for s in subs if s["@id"] == f"{BASE}/{congress.slug}/programme/sessions/{first.id}")
    assert value(session, "startDate") == "2027-06-10T10:00:00+02:00"  # with the offset, summer time
    assert value(session[S + "performer"][0], "name") == "Fatima El Amrani"
    assert "alert(1)" in value(session, "description")  # intact as data once parsed


def test_a_session_and_a_speaker_on_their_pages_also_from_the_cache(client, edition):
    congress, first, speaker = edition
    for _ in range(2):  # the second answer comes from the programme cache: its hash must still be allowed
        [data] = blocks(client.get(f"/{congress.slug}/programme/sessions/{first.id}"))
        node = expanded(data)
        assert node["@type"] == [S + "EducationEvent"]
        assert node[S + "superEvent"][0]["@id"] == f"{BASE}/{congress.slug}/"
    [person] = blocks(client.get(f"/{congress.slug}/programme/speakers/{speaker.id}"))
    node = expanded(person)
    assert node["@type"] == [S + "Person"] and value(node, "description") == "Onderzoeker digitale weerbaarheid"
    assert {e["@id"] for e in node[S + "performerIn"]} == {
        f"{BASE}/{congress.slug}/programme/sessions/{s.id}" for s in programme.sessions_of_speaker(congress, speaker)}


@pytest.mark.parametrize(("item_type", "schema_type"), [
    ("interventie", "LearningResource"), ("rapport", "Report"), ("opname", "VideoObject")])
def test_knowledge_items_are_the_creative_work_their_type_is(client, app, item_type, schema_type):
    item = make_item("Weerbaar online", item_type=item_type, summary="Wat werkt", authors=["Jan de Vries"],
                     organisations=["Movisie"], licence="CC BY 4.0", publication_date=date(2026, 5, 1),
                     evidence_status="goed_beschreven", tags=["sexting"], factors=["digitale weerbaarheid"])
    [data] = blocks(client.get(f"/kennisbank/item/{item.key}"))
    node = expanded(data)
    assert node["@type"] == [S + schema_type]
    assert value(node, "license") == "https://creativecommons.org/licenses/by/4.0/"
    assert {value(a, "name") for a in node[S + "author"]} == {"Jan de Vries", "Movisie"}
    assert value(node, "datePublished") == "2026-05-01" and value(node, "dateModified")
    assert value(node, "inLanguage") == "nl" and value(node, "keywords") == "sexting"
    assert "digitale weerbaarheid" in [a["@value"] for a in node[S + "about"]]
    assert node[S + "isPartOf"][0]["@id"] == f"{BASE}/kennisbank/"
    if item_type == "interventie":
        level = node[S + "additionalProperty"][0]
        assert (value(level, "propertyID"), value(level, "value")) == ("erkenningsniveau", "Goed beschreven")
    else:
        assert S + "additionalProperty" not in node
