"""Public pages, editorial pages, the feed, CSV export and the withdrawn permalink."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from xml.etree import ElementTree

import feedparser
import sqlalchemy as sa

from congress.archive import search, services
from congress.archive.models import KnowledgeItem
from congress.extensions import db
from tests.archive.factories import make_item
from tests.factories import make_congress, make_session

ATOM = "{http://www.w3.org/2005/Atom}"


def test_search_page_with_facets(client, app):
    make_item("Gastlessen mediawijsheid", summary="Weerbaarheid in de klas", item_type="interventie",
              factors=["digitale weerbaarheid"], evidence_status="goed_beschreven")
    make_item("Dialoogavonden", summary="Weerbaarheid in de buurt", item_type="sessieverslag",
              factors=["sociale cohesie"])
    html = client.get("/kennisbank/?q=weerbaar").get_data(as_text=True)
    assert "2 resultaten" in html
    assert "Beschermende factor" in html and "digitale weerbaarheid <span class=\"archive-count\">(1)</span>" in html
    assert "<mark>Weerbaarheid</mark>" in html
    filtered = client.get("/kennisbank/?q=weerbaar&type=interventie").get_data(as_text=True)
    assert "1 resultaat" in filtered and "Gastlessen mediawijsheid" in filtered and "Dialoogavonden" not in filtered
    assert "Filter Soort: Interventie verwijderen" in filtered
    english = client.get("/kennisbank/?q=weerbaar&lang=en").get_data(as_text=True)
    assert "Protective factor" in english and "2 results" in english


def test_bad_parameters_do_not_fail(client, app):
    make_item("Iets")
    for query in ("page=abc", "page=-3", "page=99999999999999999999", "year=twee", "year=20245", "sort=drop",
                  "type=onbekend", "track=" + "x" * 5000):
        assert client.get(f"/kennisbank/?{query}").status_code == 200, query
        assert client.get(f"/api/v1/knowledge?{query}").status_code == 200, query


def test_item_page_related_and_permalink(client, app):
    item = make_item("Community builders in Woensel Zuid", summary="Sociale cohesie versterken",
                     body="## Aanpak\n\nBewoners **ontmoeten** elkaar.", factors=["sociale cohesie"],
                     authors=["Marieke van der Berg"])
    related = make_item("Ouder-netwerken", factors=["sociale cohesie"])
    make_item("Ongerelateerd", factors=["digitale weerbaarheid"])
    draft = make_item("Concept over cohesie", status="draft", factors=["sociale cohesie"])
    html = client.get(f"/kennisbank/item/{item.key}").get_data(as_text=True)
    assert "<h2>Aanpak</h2>" in html and "<strong>ontmoeten</strong>" in html
    assert "Verwante items" in html and related.title in html
    assert "Ongerelateerd" not in html and draft.title not in html
    assert f"/kennisbank/item/{item.key}" in html and "CC BY 4.0" in html
    # The permalink does not change when the title does.
    key = item.key
    services.update_item(item, title="Community builders (bijgewerkt)")
    db.session.commit()
    assert client.get(f"/kennisbank/item/{key}").status_code == 200
    assert client.get("/kennisbank/item/bestaatniet").status_code == 404


def test_withdrawn_permalink_is_410_with_explanation(client, app):
    item = make_item("Verouderde factsheet", status="withdrawn")
    response = client.get(f"/kennisbank/item/{item.key}")
    assert response.status_code == 410
    html = response.get_data(as_text=True)
    assert "Dit item is ingetrokken" in html and "Vervangen door een nieuwere versie." in html
    api = client.get(f"/api/v1/knowledge/{item.key}")
    assert api.status_code == 410 and "Vervangen" in api.get_json()["error"]["message"]
    files = client.get(f"/kennisbank/item/{item.key}/files/1")
    assert files.status_code == 410


def test_atom_feed(client, app):
    make_item("Eerste", summary="Een", publication_date="2024-05-23", authors=["A. Auteur"])
    make_item("Tweede", summary="Twee", publication_date="2025-01-01")
    make_item("Geheim concept", status="draft")
    response = client.get("/kennisbank/feed.atom")
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.data)
    titles = [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")]
    assert titles == ["Tweede", "Eerste"]
    assert root.find(f"{ATOM}entry/{ATOM}link").get("href").startswith("http://")
    # As a feed reader sees it (feedparser): valid Atom (RFC 4287 §4.1.1 wants a feed-level author,
    # since "Tweede" has none of its own), in the page's language.
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.author_detail.name == app.config["PUBLISHER_NAME"]
    assert parsed.feed.language == "nl"
    assert [e.title for e in parsed.entries] == ["Tweede", "Eerste"]
    assert parsed.entries[1].author == "A. Auteur"
    assert feedparser.parse(client.get("/kennisbank/feed.atom?lang=en").data).feed.language == "en"


def test_csv_export_of_a_result_list(client, app):
    make_item("=HYPERLINK(\"http://evil\")", summary="weerbaarheid", item_type="rapport")
    make_item("Weerbare wijk", summary="weerbaar", item_type="interventie", authors=["Jan", "Piet"])
    make_item("Iets anders", summary="cohesie")
    response = client.get("/kennisbank/export.csv?q=weerbaar&sort=date")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    # For people: UTF-8 with BOM and ";" (Excel with Dutch settings), like every spreadsheet export.
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert {r["title"] for r in rows} == {"'=HYPERLINK(\"http://evil\")", "Weerbare wijk"}
    assert next(r for r in rows if r["title"] == "Weerbare wijk")["authors"] == "Jan; Piet"


def test_editor_pages(app, organiser):
    editor = app.test_client(user=organiser)
    assert editor.get("/manage/kennisbank/").status_code == 200
    assert editor.get("/manage/kennisbank/new").status_code == 200
    response = editor.post("/manage/kennisbank/new", data={
        "type": "interventie", "title": "Weerbaarheidstraining", "summary": "Training voor jongeren",
        "body": "Tekst", "congress_id": "0", "track_id": "0", "authors": "A, B", "organisations": "",
        "tags": "training, jongeren", "factors": ["digitale weerbaarheid"], "target_groups": "jongeren",
        "language": "nl", "licence": "CC BY 4.0", "publication_date": "", "evidence_status": "nog_niet_beoordeeld",
        "setting": "School", "links": "Video | https://video.example/x", "note": "",
    })
    assert response.status_code == 302
    item = db.session.scalar(sa.select(KnowledgeItem))
    assert item.tags == ["training", "jongeren"] and item.evidence_status == "nog_niet_beoordeeld"
    assert item.links == [{"title": "Video", "url": "https://video.example/x"}]
    page = editor.get(f"/manage/kennisbank/{item.id}")
    assert page.status_code == 200 and "Weerbaarheidstraining" in page.get_data(as_text=True)
    data = {"type": "interventie", "title": "Weerbaarheidstraining 2.0", "summary": "Training", "body": "Tekst",
            "congress_id": "0", "track_id": "0", "language": "nl", "licence": "CC BY 4.0",
            "evidence_status": "goed_beschreven", "links": "geen link"}
    response = editor.post(f"/manage/kennisbank/{item.id}", data=data)
    assert response.status_code == 200 and "https://" in response.get_data(as_text=True)  # the link is refused
    data["links"] = ""
    evaluation = make_item("Evaluatie training", item_type="evaluatie")
    data["related"] = f"{evaluation.key}, onbekend"
    assert editor.post(f"/manage/kennisbank/{item.id}", data=data).status_code == 302
    db.session.refresh(item)
    assert item.related == [evaluation]
    assert editor.get(f"/manage/kennisbank/{item.id}/versions").status_code == 200
    diff = editor.get(f"/manage/kennisbank/{item.id}/versions/2").get_data(as_text=True)
    assert "Weerbaarheidstraining 2.0" in diff
    assert editor.post(f"/manage/kennisbank/{item.id}/versions/1/restore").status_code == 302
    db.session.refresh(item)
    assert item.title == "Weerbaarheidstraining" and len(item.versions) == 3
    # A draft intervention is not shown on the public page of its evaluation.
    assert "Weerbaarheidstraining" not in app.test_client().get(f"/kennisbank/item/{evaluation.key}").get_data(
        as_text=True)
    assert editor.get(f"/manage/kennisbank/{item.id}/versions/99").status_code == 404
    # An impossible status change is refused with a message, not an error.
    response = editor.post(f"/manage/kennisbank/{item.id}/status", data={"status-status": "published"},
                           follow_redirects=True)
    assert "niet mogelijk" in response.get_data(as_text=True)
    assert editor.get("/manage/kennisbank/?status=draft&lang=en").status_code == 200


def test_archive_sessions_page(app, organiser):
    congress = make_congress(day=date.today() - timedelta(days=1))
    make_session(congress, title="Eerste sessie")
    editor = app.test_client(user=organiser)
    assert "Sessies archiveren" in editor.get("/manage/kennisbank/sessions").get_data(as_text=True)
    page = editor.get(f"/manage/kennisbank/sessions/{congress.slug}").get_data(as_text=True)
    assert "Eerste sessie" in page and "Alle sessies archiveren" in page
    response = editor.post(f"/manage/kennisbank/sessions/{congress.slug}", data={"all": "1"}, follow_redirects=True)
    assert "1 sessies gearchiveerd" in response.get_data(as_text=True)
    assert editor.get("/manage/kennisbank/sessions/bestaatniet").status_code == 404


def test_reindex_command(app, runner):
    make_item("Herindexeren", summary="veerkracht")
    db.session.execute(sa.text("DELETE FROM knowledge_search"))
    db.session.commit()
    assert search.search("veerkracht").total == 0
    result = runner.invoke(args=["archive", "reindex"])
    assert result.exit_code == 0 and "1 knowledge items indexed" in result.output
    assert search.search("veerkracht").total == 1
