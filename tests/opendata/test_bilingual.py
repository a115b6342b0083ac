"""Knowledge items in both languages in open data (issue 18, item 8): an OAI-PMH ``oai_dc`` record has
its title and description once per language it exists in, each with ``xml:lang`` (valid against the
OAI-PMH and oai_dc schemas, whatever language the harvester's request names), and the DCAT catalogue
has language-tagged titles and descriptions; with an item that has only Dutch, one with only an English
summary and one with both."""

from __future__ import annotations

import io

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from congress.archive import services as archive
from congress.extensions import db
from tests.archive.factories import make_item, minimal_pdf
from tests.opendata.test_oai import NS, XML_LANG, harvest, oai_id, valid
from tests.urls_support import BASE


@pytest.fixture
def items(app):
    dutch = make_item("Weerbaar online", summary="Jongeren leren nepnieuws herkennen.")
    english_only = make_item("Buurtnetwerken", summary_en="Neighbourhood networks that last.")
    both = make_item("Zelfbeschikking in de praktijk", title_en="Self-determination in practice",
                     summary="Over eigen regie.", summary_en="On being in charge of one's life.")
    for item in (dutch, english_only, both):
        archive.add_file(item, io.BytesIO(minimal_pdf(item.title)), "verslag.pdf")
    db.session.commit()
    return dutch, english_only, both


def _texts(dc, name: str) -> list[tuple[str, str]]:
    return [(e.get(XML_LANG), e.text) for e in dc.iterfind(f"dc:{name}", NS)]


@pytest.mark.parametrize("accept", ["nl", "en"])
def test_an_oai_record_carries_each_language_with_its_xml_lang(client, items, accept):
    dutch, english_only, both = items
    # The same record whatever language the harvester asks in: it holds both (so the records' cache
    # needs no language in its key).
    records = {}
    for item in items:
        response = client.get("/oai", query_string={"verb": "GetRecord", "identifier": oai_id(item),
                                                    "metadataPrefix": "oai_dc"}, headers={"Accept-Language": accept})
        records[item.key] = valid(response.data).find(".//oai_dc:dc", NS)
    assert _texts(records[both.key], "title") == [("nl", "Zelfbeschikking in de praktijk"),
                                                  ("en", "Self-determination in practice")]
    assert _texts(records[both.key], "description") == [("nl", "Over eigen regie."),
                                                        ("en", "On being in charge of one's life.")]
    assert _texts(records[dutch.key], "title") == [("nl", "Weerbaar online")]
    assert _texts(records[dutch.key], "description") == [("nl", "Jongeren leren nepnieuws herkennen.")]
    assert _texts(records[english_only.key], "title") == [("nl", "Buurtnetwerken")]
    assert _texts(records[english_only.key], "description") == [("en", "Neighbourhood networks that last.")]
    # ListRecords writes the same records (the harvest's own path).
    listed = harvest(client, verb="ListRecords", metadataPrefix="oai_dc")
    titles = [(e.get(XML_LANG), e.text) for e in listed.iterfind(".//dc:title", NS)]
    assert ("en", "Self-determination in practice") in titles and len(titles) == 4


def test_the_dcat_catalogue_tags_titles_and_descriptions_with_their_language(client, items):
    dutch, english_only, both = items
    graph = Graph()
    graph.parse(data=client.get("/kennisbank/catalog.jsonld").get_data(as_text=True), format="json-ld",
                publicID=BASE + "/")

    def literals(item, predicate) -> set[Literal]:
        return set(graph.objects(URIRef(f"{BASE}/kennisbank/item/{item.key}"), predicate))

    assert literals(both, DCTERMS.title) == {Literal("Zelfbeschikking in de praktijk", lang="nl"),
                                            Literal("Self-determination in practice", lang="en")}
    assert literals(both, DCTERMS.description) == {Literal("Over eigen regie.", lang="nl"),
                                                  Literal("On being in charge of one's life.", lang="en")}
    assert literals(dutch, DCTERMS.title) == {Literal("Weerbaar online", lang="nl")}
    assert literals(english_only, DCTERMS.description) == {Literal("Neighbourhood networks that last.", lang="en")}
