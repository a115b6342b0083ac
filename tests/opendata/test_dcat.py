"""The DCAT-AP catalogue at /kennisbank/catalog.jsonld, parsed back with rdflib from JSON-LD and from
Turtle: the properties DCAT-AP 3 requires (and those it recommends that the data has) are present,
every published file is a distribution with its URL, media type, size and licence, and nothing that
is not published appears."""

from __future__ import annotations

import io

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from congress.archive import services as archive
from congress.archive.models import ItemStatus
from congress.extensions import db
from congress.opendata.dcat import FILE_TYPE, LANGUAGE, THEME, VCARD
from tests.archive.factories import make_item, minimal_pdf
from tests.factories import make_congress, make_session
from tests.programme.factories import publish
from tests.urls_support import BASE

PATH = "/kennisbank/catalog.jsonld"


@pytest.fixture
def published(app):
    edition = make_congress("dcat-2027", tracks=1)
    make_session(edition, title="Workshop weerbaarheid")
    publish(edition)
    make_congress("dcat-concept", status="draft")
    report = make_item("Evaluatie Wijkaanpak", item_type="evaluatie", summary="Wat werkte in drie wijken.",
                       licence="CC BY-SA 4.0", authors=["Dr. A. Onderzoeker"], organisations=["Verwey-Jonker"])
    pdf = minimal_pdf("Evaluatierapport")
    archive.add_file(report, io.BytesIO(pdf), "evaluatie-wijkaanpak.pdf", description="Eindrapport")
    without_files = make_item("Nieuwsbericht zonder bestand", item_type="nieuws")
    draft = make_item("Concept met bestand", status=ItemStatus.DRAFT.value)
    archive.add_file(draft, io.BytesIO(minimal_pdf("Geheim")), "geheim.pdf")
    db.session.commit()
    return edition, report, len(pdf), without_files, draft


def _graph(client, accept: str | None, fmt: str) -> tuple[Graph, object]:
    response = client.get(PATH, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    graph = Graph()
    graph.parse(data=response.get_data(as_text=True), format=fmt, publicID=BASE + "/")
    return graph, response


def test_the_catalogue_lists_published_files_as_datasets_with_their_distributions(client, published):
    edition, report, size, without_files, draft = published
    graph, response = _graph(client, None, "json-ld")
    assert response.mimetype == "application/ld+json"
    catalogue = URIRef(BASE + PATH)
    assert (catalogue, RDF.type, DCAT.Catalog) in graph
    for required in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher):
        assert graph.value(catalogue, required) is not None, required
    assert {str(t.language) for t in graph.objects(catalogue, DCTERMS.title)} == {"nl", "en"}
    publisher = graph.value(catalogue, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph and graph.value(publisher, FOAF.name) is not None
    datasets = set(graph.objects(catalogue, DCAT.dataset))
    for dataset in datasets:
        assert (dataset, RDF.type, DCAT.Dataset) in graph
        assert graph.value(dataset, DCTERMS.title) is not None and graph.value(dataset, DCTERMS.description)
        contact = graph.value(dataset, DCAT.contactPoint)
        assert (contact, RDF.type, VCARD.Organization) in graph and graph.value(contact, VCARD.hasEmail)
        assert (dataset, DCAT.theme, THEME.SOCI) in graph
        for distribution in graph.objects(dataset, DCAT.distribution):
            assert graph.value(distribution, DCAT.accessURL) is not None  # the one required property
            assert graph.value(distribution, DCTERMS.license) is not None
    item = URIRef(f"{BASE}/kennisbank/item/{report.key}")
    programme = URIRef(f"{BASE}/{edition.slug}/programme")
    assert item in datasets and programme in datasets
    assert URIRef(f"{BASE}/kennisbank/#dataset") in datasets
    assert len(datasets) == 3, "no dataset for an item without files, a draft, or a draft edition"
    assert graph.value(item, DCTERMS.title) == Literal("Evaluatie Wijkaanpak", lang="nl")
    assert (item, DCTERMS.language, LANGUAGE.NLD) in graph
    assert (item, DCTERMS.creator, Literal("Verwey-Jonker")) in graph
    assert graph.value(item, DCTERMS.modified).datatype == XSD.dateTime
    [pdf] = graph.objects(item, DCAT.distribution)
    stored = report.files[0]
    url = URIRef(f"{BASE}/kennisbank/item/{report.key}/files/{stored.id}")
    assert graph.value(pdf, DCAT.downloadURL) == url and graph.value(pdf, DCAT.accessURL) == url
    assert graph.value(pdf, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/application/pdf")
    assert graph.value(pdf, DCTERMS.format) == FILE_TYPE.PDF
    assert graph.value(pdf, DCAT.byteSize).toPython() == size
    assert graph.value(pdf, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by-sa/4.0/")
    assert client.get(str(url).removeprefix(BASE)).status_code == 200
    schedule = {str(graph.value(d, DCAT.downloadURL)) for d in graph.objects(programme, DCAT.distribution)}
    assert schedule == {f"{BASE}/{edition.slug}/schedule.json", f"{BASE}/{edition.slug}/schedule.xml",
                        f"{BASE}/{edition.slug}/programme.ics"}
    service = graph.value(catalogue, DCAT.service)
    assert graph.value(service, DCAT.endpointURL) == URIRef(f"{BASE}/oai")
    body = response.get_data(as_text=True)
    assert "geheim" not in body.lower() and "Nieuwsbericht" not in body and "dcat-concept" not in body


def test_turtle_by_content_negotiation_says_the_same(client, published):
    as_jsonld, _ = _graph(client, "application/ld+json", "json-ld")
    as_turtle, response = _graph(client, "text/turtle", "turtle")
    assert response.mimetype == "text/turtle" and "Accept" in response.headers["Vary"]
    assert len(as_turtle) == len(as_jsonld) > 50
    assert set(as_turtle.subjects(RDF.type, DCAT.Dataset)) == set(as_jsonld.subjects(RDF.type, DCAT.Dataset))


def test_a_forged_host_never_reaches_the_catalogue_and_an_unchanged_one_answers_304(client, published):
    response = client.get(PATH, headers={"Host": "evil.example"})
    assert "evil.example" not in response.get_data(as_text=True)
    again = client.get(PATH, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
