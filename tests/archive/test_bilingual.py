"""Knowledge items in both languages (issue 18, item 8): the item page, the search results and the Atom
feed in the reader's language with the other as fallback (an entry's text in the other language says so
with ``xml:lang``), the editor's form with the English beside the Dutch, search in either language, and
versions that keep (and restore) the English."""

from __future__ import annotations

from xml.etree import ElementTree

import feedparser
import pytest
import sqlalchemy as sa
from lxml import html as lxml_html

from congress.archive import search, services
from congress.archive.models import KnowledgeItem
from congress.extensions import db
from tests.archive.factories import make_item

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture
def items(app):
    dutch = make_item("Weerbaar online", summary="Jongeren leren nepnieuws herkennen.",
                      publication_date="2025-03-01")
    english_only = make_item("Buurtnetwerken", summary_en="Neighbourhood networks that last.",
                             publication_date="2025-02-01")
    both = make_item("Zelfbeschikking in de praktijk", title_en="Self-determination in practice",
                     summary="Over eigen regie.", summary_en="On being in charge of one's life.",
                     publication_date="2025-01-01")
    return dutch, english_only, both


def _page(client, item: KnowledgeItem, lang: str):
    page = lxml_html.fromstring(client.get(f"/kennisbank/item/{item.key}?lang={lang}").data)
    summary = page.find(".//p[@class='utrecht-paragraph archive-item__summary']")
    return page.findtext(".//h1").strip(), summary.text if summary is not None else None


def test_the_item_page_in_either_language(client, items):
    dutch, english_only, both = items
    assert _page(client, both, "en") == ("Self-determination in practice", "On being in charge of one's life.")
    assert _page(client, both, "nl") == ("Zelfbeschikking in de praktijk", "Over eigen regie.")
    assert _page(client, dutch, "en") == ("Weerbaar online", "Jongeren leren nepnieuws herkennen.")
    assert _page(client, english_only, "nl") == ("Buurtnetwerken", "Neighbourhood networks that last.")
    # A fallback says its language, so that a screen reader reads it as such (WCAG 3.1.2).
    page = lxml_html.fromstring(client.get(f"/kennisbank/item/{dutch.key}?lang=en").data)
    assert page.find(".//h1").get("lang") == "nl"
    page = lxml_html.fromstring(client.get(f"/kennisbank/item/{english_only.key}?lang=nl").data)
    assert page.find(".//h1").get("lang") is None
    assert page.find(".//p[@class='utrecht-paragraph archive-item__summary']").get("lang") == "en"
    page = lxml_html.fromstring(client.get(f"/kennisbank/item/{both.key}?lang=en").data)
    assert page.find(".//h1").get("lang") is None
    results = client.get("/kennisbank/?lang=en").get_data(as_text=True)
    assert "Self-determination in practice" in results and "Weerbaar online" in results


def test_search_finds_an_item_by_its_english_words_and_shows_the_readers_summary(client, items):
    _dutch, english_only, both = items
    found = search.search("self-determination", per_page=10)
    assert [hit.item.id for hit in found.hits] == [both.id]
    assert [hit.item.id for hit in search.search("neighbourhood", per_page=10).hits] == [
        english_only.id]
    page = client.get("/kennisbank/?q=eigen+regie&lang=en").get_data(as_text=True)
    assert "Self-determination in practice" in page


def test_the_atom_feed_in_english_marks_the_dutch_it_falls_back_to(client, items):
    dutch, english_only, both = items
    root = ElementTree.fromstring(client.get("/kennisbank/feed.atom?lang=en").data)
    assert root.get(XML_LANG) == "en"
    entries = {e.findtext(f"{ATOM}id").rsplit("/", 1)[1]: e for e in root.findall(f"{ATOM}entry")}
    title, summary = entries[both.key].find(f"{ATOM}title"), entries[both.key].find(f"{ATOM}summary")
    assert (title.text, title.get(XML_LANG), summary.text, summary.get(XML_LANG)) == (
        "Self-determination in practice", None, "On being in charge of one's life.", None)
    title, summary = entries[dutch.key].find(f"{ATOM}title"), entries[dutch.key].find(f"{ATOM}summary")
    assert (title.text, title.get(XML_LANG), summary.text, summary.get(XML_LANG)) == (
        "Weerbaar online", "nl", "Jongeren leren nepnieuws herkennen.", "nl")
    summary = entries[english_only.key].find(f"{ATOM}summary")
    assert (summary.text, summary.get(XML_LANG)) == ("Neighbourhood networks that last.", None)

    root = ElementTree.fromstring(client.get("/kennisbank/feed.atom?lang=nl").data)
    entries = {e.findtext(f"{ATOM}id").rsplit("/", 1)[1]: e for e in root.findall(f"{ATOM}entry")}
    assert entries[both.key].findtext(f"{ATOM}title") == "Zelfbeschikking in de praktijk"
    summary = entries[english_only.key].find(f"{ATOM}summary")
    assert (summary.text, summary.get(XML_LANG)) == ("Neighbourhood networks that last.", "en")
    parsed = feedparser.parse(client.get("/kennisbank/feed.atom?lang=nl").data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert {e.title for e in parsed.entries} == {"Weerbaar online", "Buurtnetwerken", "Zelfbeschikking in de praktijk"}


def test_the_editor_gives_the_english_beside_the_dutch_and_versions_keep_it(app, organiser):
    editor = app.test_client(user=organiser)
    page = editor.get("/manage/kennisbank/new?lang=en").get_data(as_text=True)
    assert 'name="title_en"' in page and 'name="summary_en"' in page and "Summary (English)" in page
    form = {"type": "rapport", "title": "Wat werkt in de wijk", "title_en": "", "summary": "Drie wijken.",
            "summary_en": "", "body": "", "congress_id": "0", "track_id": "0", "language": "nl",
            "licence": "CC BY 4.0", "links": ""}
    assert editor.post("/manage/kennisbank/new", data=form).status_code == 302  # English is optional
    item = db.session.scalar(sa.select(KnowledgeItem))
    assert (item.title_en, item.summary_en) == ("", "")
    response = editor.post(f"/manage/kennisbank/{item.id}", data={**form, "title_en": "  What works  in the "
                                                                  "neighbourhood ", "summary_en": "Three areas."})
    assert response.status_code == 302
    db.session.refresh(item)
    assert (item.title_en, item.summary_en) == ("What works in the neighbourhood", "Three areas.")
    assert "What works in the neighbourhood" in editor.get(f"/manage/kennisbank/{item.id}/versions/2").get_data(
        as_text=True)
    # Restoring the version without English takes the English away again.
    assert editor.post(f"/manage/kennisbank/{item.id}/versions/1/restore").status_code == 302
    db.session.refresh(item)
    assert (item.title, item.title_en, item.summary_en) == ("Wat werkt in de wijk", "", "")
    # The Dutch title stays required, with its message next to the field.
    response = editor.post(f"/manage/kennisbank/{item.id}", data={**form, "title": "", "title_en": "Only English"})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.get_data(as_text=True)


def test_an_item_saved_again_without_english_adds_no_version(app):
    """Versions saved before items were bilingual have no English keys: saving such an item unchanged
    (English empty) matches its last version and adds none."""
    item = make_item("Verslag", summary="Kort.", status="draft")
    versions = len(item.versions)
    services.update_item(item, title="Verslag", summary="Kort.", title_en="", summary_en="")
    db.session.commit()
    assert len(item.versions) == versions
    assert "title_en" not in item.versions[-1].data


def test_the_api_gives_the_english_beside_the_dutch(client, items):
    """The API's fields stay as they were (title and summary are the Dutch); the English comes beside
    them, null when not written, and the OpenAPI description names the two fields."""
    dutch, _english_only, both = items
    found = {i["key"]: i for i in client.get("/api/v1/knowledge?per_page=50").get_json()["items"]}
    assert (found[both.key]["title"], found[both.key]["title_en"]) == ("Zelfbeschikking in de praktijk",
                                                                        "Self-determination in practice")
    assert found[both.key]["summary_en"] == "On being in charge of one's life."
    assert found[dutch.key]["title_en"] is None and found[dutch.key]["summary_en"] is None
    one = client.get(f"/api/v1/knowledge/{both.key}").get_json()
    assert one["title_en"] == "Self-determination in practice"
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["KnowledgeItem"]
    assert {"title_en", "summary_en"} <= set(schema["properties"])
