"""The open-data catalogue (DCAT-AP 3) of what can be downloaded: ``/kennisbank/catalog.jsonld``.

One ``dcat:Catalog`` of this installation (publisher and contact point from configuration) with:

- a ``dcat:Dataset`` per published knowledge item that has files, a ``dcat:Distribution`` per file
  (download URL, IANA media type, EU file type, byte size, the item's licence);
- the knowledge base's own metadata as a dataset (the CSV export and the Atom feed), served by the
  OAI-PMH endpoint as a ``dcat:DataService``;
- each public edition's programme as a dataset (schedule.json, schedule.xml, the iCalendar feed).

Controlled vocabularies are those of DCAT-AP and the Dutch portal (data.overheid.nl, DCAT-AP-DONL):
the EU's authority tables for languages, data themes and file types, IANA for media types. Every URI
comes from ``PUBLIC_BASE_URL`` (``congress.urls``), never from the request. Built with rdflib and
serialised as JSON-LD (compacted with the context below) or Turtle.
"""

from __future__ import annotations

from datetime import date, datetime
from email.utils import parseaddr

from flask import current_app
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from congress.archive import queries as archive
from congress.core import queries as core
from congress.programme import queries as programme
from congress.urls import external_url

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
LANGUAGE = Namespace(EU + "language/")
THEME = Namespace(EU + "data-theme/")
FILE_TYPE = Namespace(EU + "file-type/")
IANA = "https://www.iana.org/assignments/media-types/"
OAI_PMH = URIRef("http://www.openarchives.org/OAI/2.0/")
DCAT_AP = URIRef("http://data.europa.eu/r5r/")

CONTEXT = {
    "dcat": str(DCAT), "dct": str(DCTERMS), "foaf": str(FOAF), "vcard": str(VCARD), "xsd": str(XSD),
}
# The item's language as stored, to the EU language table.
_LANGUAGES = {"nl": "NLD", "en": "ENG", "de": "DEU", "fr": "FRA"}
# Media types to the EU file-type table (dct:format); others are given by their media type only.
_FILE_TYPES = {
    "application/pdf": "PDF", "text/csv": "CSV", "application/json": "JSON", "application/xml": "XML",
    "text/xml": "XML", "text/calendar": "ICS", "application/atom+xml": "ATOM",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PPTX",
    "application/vnd.ms-excel": "XLS", "application/msword": "DOC", "application/vnd.ms-powerpoint": "PPT",
    "application/vnd.oasis.opendocument.text": "ODT", "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "application/vnd.oasis.opendocument.presentation": "ODP", "image/png": "PNG", "image/jpeg": "JPEG",
    "video/mp4": "MP4", "audio/mpeg": "MP3", "text/vtt": "WEBVTT", "text/plain": "TXT", "application/zip": "ZIP",
}
# The Agenda's themes all fall under "population and society"; the youth-crime track also under justice.
_THEMES = ("SOCI",)
_JUSTICE_WORDS = ("jeugdcriminaliteit", "criminaliteit", "crime")


def _timestamp(moment: datetime | date | None) -> Literal | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return Literal(moment.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
    return Literal(moment.isoformat(), datatype=XSD.date)


def _add(graph: Graph, subject: URIRef | BNode, predicate: URIRef, value: object) -> None:
    """Add a triple unless the value is empty (DCAT: leave out what is not known)."""
    if value is None or value == "":
        return
    graph.add((subject, predicate, value if isinstance(value, URIRef | BNode | Literal) else Literal(value)))


def _bilingual(graph: Graph, subject: URIRef, predicate: URIRef, nl: str, en: str) -> None:
    graph.add((subject, predicate, Literal(nl, lang="nl")))
    graph.add((subject, predicate, Literal(en, lang="en")))


def _published(graph: Graph, subject: URIRef, publisher: URIRef, contact: BNode) -> None:
    """Who publishes it and whom to ask: the same for the catalogue and every dataset."""
    graph.add((subject, DCTERMS.publisher, publisher))
    graph.add((subject, DCAT.contactPoint, contact))


def _publisher(graph: Graph) -> tuple[URIRef, BNode]:
    config = current_app.config
    publisher = URIRef(external_url("public.index", _anchor="publisher"))
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal(config["PUBLISHER_NAME"])))
    contact = BNode("contact")
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(config["PUBLISHER_NAME"])))
    address = config.get("PUBLISHER_EMAIL") or parseaddr(config.get("MAIL_DEFAULT_SENDER") or "")[1]
    if address:
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{address}")))
    graph.add((contact, VCARD.hasURL, URIRef(external_url("public.index"))))
    return publisher, contact


def _distribution(graph: Graph, uri: str, *, title: str, media_type: str, licence: str | None,
                  size: int | None = None, description: str = "", issued: datetime | None = None,
                  download: bool = True) -> URIRef:
    node = URIRef(uri + "#distribution")
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCAT.accessURL, URIRef(uri)))
    if download:
        graph.add((node, DCAT.downloadURL, URIRef(uri)))
    graph.add((node, DCTERMS.title, Literal(title)))
    _add(graph, node, DCTERMS.description, description)
    base_type = media_type.split(";")[0].strip().lower()
    if base_type:
        graph.add((node, DCAT.mediaType, URIRef(IANA + base_type)))
    if base_type in _FILE_TYPES:
        graph.add((node, DCTERMS.format, FILE_TYPE[_FILE_TYPES[base_type]]))
    if size is not None:
        graph.add((node, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
    if licence:
        graph.add((node, DCTERMS.license, URIRef(licence)))
    _add(graph, node, DCTERMS.issued, _timestamp(issued))
    return node


def _themes(graph: Graph, dataset: URIRef, track_name: str) -> None:
    for theme in _THEMES:
        graph.add((dataset, DCAT.theme, THEME[theme]))
    if any(word in (track_name or "").lower() for word in _JUSTICE_WORDS):
        graph.add((dataset, DCAT.theme, THEME.JUST))


def _item_dataset(graph: Graph, item: archive.CatalogueItem, publisher: URIRef, contact: BNode) -> URIRef:
    page = external_url("archive.item", key=item.key)
    dataset = URIRef(page)
    language = item.language if item.language in _LANGUAGES else "nl"
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.identifier, Literal(page)))
    # Title and description in each language they exist in (the Dutch one always; the English where
    # given); without a summary the title describes the dataset (dct:description is mandatory).
    titles = [(lang, text) for lang, text in (("nl", item.title), ("en", item.title_en)) if text]
    descriptions = [(lang, text) for lang, text in (("nl", item.summary), ("en", item.summary_en)) if text]
    for lang, text in titles:
        graph.add((dataset, DCTERMS.title, Literal(text, lang=lang)))
    for lang, text in descriptions or titles:
        graph.add((dataset, DCTERMS.description, Literal(text, lang=lang)))
    _published(graph, dataset, publisher, contact)
    graph.add((dataset, DCAT.landingPage, URIRef(page)))
    graph.add((dataset, DCTERMS.language, LANGUAGE[_LANGUAGES[language]]))
    graph.add((dataset, DCTERMS.type, Literal(item.type)))
    _add(graph, dataset, DCTERMS.issued, _timestamp(item.publication_date or item.published_at))
    _add(graph, dataset, DCTERMS.modified, _timestamp(item.updated_at))
    for keyword in item.keywords:
        graph.add((dataset, DCAT.keyword, Literal(keyword, lang=language)))
    for name in item.authors + item.organisations:
        graph.add((dataset, DCTERMS.creator, Literal(name)))
    _themes(graph, dataset, item.track_name)
    for stored in item.files:  # only files whose uploader agreed to their publication (archive.queries)
        url = external_url("archive.download", key=item.key, file_id=stored.id)
        graph.add((dataset, DCAT.distribution, _distribution(
            graph, url, title=stored.filename, media_type=stored.content_type,
            licence=archive.licence_uri(stored.licence or item.licence),
            size=stored.size, description=stored.description, issued=stored.created_at)))
    return dataset


def _archive_dataset(graph: Graph, catalogue: URIRef, publisher: URIRef, contact: BNode,
                     modified: datetime | None) -> URIRef:
    """The knowledge base's metadata itself: the CSV export, the Atom feed, and OAI-PMH serving it."""
    dataset = URIRef(external_url("archive.index", _anchor="dataset"))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    _bilingual(graph, dataset, DCTERMS.title, "Kennisbank: beschrijvingen van alle items",
               "Knowledge base: descriptions of every item")
    _bilingual(graph, dataset, DCTERMS.description,
               "Titel, type, jaar, spoor, auteurs, organisaties, beschermende factoren, doelgroepen, onderbouwing, "
               "taal, licentie en permalink van elk gepubliceerd item van de kennisbank.",
               "Title, type, year, track, authors, organisations, protective factors, target groups, evidence, "
               "language, licence and permalink of every published item of the knowledge base.")
    _published(graph, dataset, publisher, contact)
    graph.add((dataset, DCAT.landingPage, URIRef(external_url("archive.index"))))
    graph.add((dataset, DCTERMS.language, LANGUAGE.NLD))
    _add(graph, dataset, DCTERMS.modified, _timestamp(modified))
    _themes(graph, dataset, "")
    metadata_licence = "https://creativecommons.org/publicdomain/zero/1.0/"
    graph.add((dataset, DCAT.distribution, _distribution(
        graph, external_url("archive.export"), title="kennisbank.csv", media_type="text/csv",
        licence=metadata_licence)))
    graph.add((dataset, DCAT.distribution, _distribution(
        graph, external_url("archive.feed"), title="Atom", media_type="application/atom+xml",
        licence=metadata_licence)))
    service = URIRef(external_url("opendata.oai_pmh"))
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, Literal("OAI-PMH 2.0")))
    graph.add((service, DCAT.endpointURL, service))
    graph.add((service, DCTERMS.conformsTo, OAI_PMH))
    graph.add((service, DCAT.servesDataset, dataset))
    graph.add((service, DCTERMS.publisher, publisher))
    graph.add((service, DCTERMS.license, URIRef(metadata_licence)))
    graph.add((catalogue, DCAT.service, service))
    return dataset


def _programme_datasets(graph: Graph, publisher: URIRef, contact: BNode) -> list[URIRef]:
    """Each public edition with a published programme: its conference-app and calendar exports."""
    datasets = []
    for congress in core.public_congresses():
        version = programme.latest_version(congress)
        if version is None:
            continue
        page = external_url("programme.programme_page", slug=congress.slug)
        dataset = URIRef(page)
        graph.add((dataset, RDF.type, DCAT.Dataset))
        graph.add((dataset, DCTERMS.identifier, Literal(page)))
        for language in ("nl", "en"):
            graph.add((dataset, DCTERMS.title, Literal(
                ("Programma: " if language == "nl" else "Programme: ") + congress.title(language), lang=language)))
        graph.add((dataset, DCTERMS.description, Literal(
            f"Sessies, sprekers, zalen en tijden van {congress.title('nl')}"
            f"{', ' + congress.venue_name if congress.venue_name else ''}.", lang="nl")))
        _published(graph, dataset, publisher, contact)
        graph.add((dataset, DCAT.landingPage, URIRef(page)))
        graph.add((dataset, DCTERMS.language, LANGUAGE.NLD))
        graph.add((dataset, DCTERMS.language, LANGUAGE.ENG))
        _add(graph, dataset, DCTERMS.modified, _timestamp(version.published_at))
        period = BNode(f"period-{congress.slug}")
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        graph.add((period, DCAT.startDate, _timestamp(congress.starts_on)))
        graph.add((period, DCAT.endDate, _timestamp(congress.ends_on)))
        graph.add((dataset, DCTERMS.temporal, period))
        _themes(graph, dataset, "")
        licence = "https://creativecommons.org/publicdomain/zero/1.0/"
        for endpoint, title, media_type in (
                ("programme.schedule_json", "schedule.json", "application/json"),
                ("programme.schedule_xml", "schedule.xml", "application/xml"),
                ("programme.programme_ics", "programme.ics", "text/calendar")):
            graph.add((dataset, DCAT.distribution, _distribution(
                graph, external_url(endpoint, slug=congress.slug), title=title, media_type=media_type,
                licence=licence, issued=version.published_at)))
        datasets.append(dataset)
    return datasets


def catalogue_graph() -> Graph:
    """The whole catalogue as an RDF graph."""
    graph = Graph()
    for prefix, namespace in CONTEXT.items():
        graph.bind(prefix, namespace)
    catalogue = URIRef(external_url("opendata.catalogue"))
    publisher, contact = _publisher(graph)
    items = archive.catalogue_items()
    modified = max((item.updated_at for item in items), default=None)
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add((catalogue, DCTERMS.conformsTo, DCAT_AP))
    name = current_app.config["PUBLISHER_NAME"]
    _bilingual(graph, catalogue, DCTERMS.title, f"{name}: open data van de kennisbank en de programma's",
               f"{name}: open data of the knowledge base and the programmes")
    _bilingual(graph, catalogue, DCTERMS.description,
               "Bestanden van sessies, interventies en evaluaties (wat werkt), de beschrijvingen van de kennisbank "
               "en de programma's van de congressen.",
               "Files of sessions, interventions and evaluations (what works), the knowledge base's descriptions "
               "and the congresses' programmes.")
    _published(graph, catalogue, publisher, contact)
    graph.add((catalogue, FOAF.homepage, URIRef(external_url("archive.index"))))
    graph.add((catalogue, DCTERMS.language, LANGUAGE.NLD))
    graph.add((catalogue, DCTERMS.language, LANGUAGE.ENG))
    graph.add((catalogue, DCAT.themeTaxonomy, URIRef(EU + "data-theme")))
    _add(graph, catalogue, DCTERMS.modified, _timestamp(modified))
    datasets = [_archive_dataset(graph, catalogue, publisher, contact, modified)]
    datasets += _programme_datasets(graph, publisher, contact)
    datasets += [_item_dataset(graph, item, publisher, contact) for item in items]
    for dataset in datasets:
        graph.add((catalogue, DCAT.dataset, dataset))
    return graph


def serialise(graph: Graph, media_type: str) -> str:
    """JSON-LD (compacted with :data:`CONTEXT`) or Turtle."""
    if media_type == "text/turtle":
        return graph.serialize(format="turtle")
    return graph.serialize(format="json-ld", context=CONTEXT, auto_compact=True)
