"""OAI-PMH 2.0 at /oai: every verb and error, the resumption flow, sets, incremental harvests, deleted
records, and a real harvester (sickle) over HTTP. Every response is validated against OAI-PMH.xsd and
every oai_dc payload against oai_dc.xsd (tests/schemas/oai-pmh, no network)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from lxml import etree
from sickle import Sickle
from sqlalchemy import event

from config import DEFAULT_PUBLIC_BASE_URL
from congress.archive import services as archive
from congress.archive.models import (
    ItemStatus,
    KnowledgeItem,
    KnowledgeTerm,
    knowledge_item_speakers,
    knowledge_relations,
)
from congress.archive.queries import licence_uri
from congress.core.models import Person
from congress.database import utcnow
from congress.extensions import db
from congress.opendata import oai, records
from tests.archive.factories import make_item
from tests.conftest import OAI_SCHEMAS
from tests.factories import make_congress, make_session

NS = {"o": "http://www.openarchives.org/OAI/2.0/", "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
      "dc": "http://purl.org/dc/elements/1.1/"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SITE = DEFAULT_PUBLIC_BASE_URL.rstrip("/")  # the tests' PUBLIC_BASE_URL
BASE = f"{SITE}/oai"
HOST = urlsplit(SITE).hostname


@cache
def response_schema() -> etree.XMLSchema:
    """OAI-PMH.xsd and oai_dc.xsd together: the response schema checks <metadata> content strictly."""
    driver = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:congress:tests:oai">
      <xs:import namespace="{NS['o']}" schemaLocation="{(OAI_SCHEMAS / 'OAI-PMH.xsd').as_uri()}"/>
      <xs:import namespace="{NS['oai_dc']}" schemaLocation="{(OAI_SCHEMAS / 'oai_dc.xsd').as_uri()}"/>
    </xs:schema>"""
    return etree.XMLSchema(etree.fromstring(driver.encode(), base_url=str(OAI_SCHEMAS) + "/"))


@cache
def dc_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(OAI_SCHEMAS / "oai_dc.xsd")))


def valid(body: bytes) -> etree._Element:
    root = etree.fromstring(body)
    schema = response_schema()
    assert schema.validate(root), schema.error_log
    for dc in root.iterfind(".//oai_dc:dc", NS):
        single = etree.fromstring(etree.tostring(dc))
        assert dc_schema().validate(single), dc_schema().error_log
    return root


def harvest(client, *pairs: tuple[str, str], method: str = "get", **args: str) -> etree._Element:
    items = list(pairs) + list(args.items())
    if method == "post":
        response = client.post("/oai", data=items, content_type="application/x-www-form-urlencoded")
    else:
        response = client.get("/oai", query_string=items)
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    return valid(response.data)


def error_codes(root: etree._Element) -> list[str]:
    return [e.get("code") for e in root.iterfind("o:error", NS)]


def identifiers(root: etree._Element) -> list[str]:
    return [e.text for e in root.iterfind(".//o:header/o:identifier", NS)]


def token_of(root: etree._Element) -> etree._Element | None:
    return root.find(".//o:resumptionToken", NS)


def oai_id(item: KnowledgeItem) -> str:
    return f"oai:{HOST}:{item.key}"


def bulk_items(n: int, *, start: datetime | None = None, status: str = ItemStatus.PUBLISHED.value,
               prefix: str = "b", **fields) -> list[int]:
    """``n`` items inserted in one statement, changed one second apart from ``start``."""
    start = start or utcnow() - timedelta(days=2)
    rows = [{"key": f"{prefix}{i:06d}", "type": "rapport", "status": status, "title": f"Rapport {i}",
             "summary": "Samenvatting", "body": "", "track_name": "", "authors": [], "organisations": [], "links": [],
             "language": "nl", "licence": "CC BY 4.0", "setting": "", "withdrawal_reason": "",
             "created_at": start, "updated_at": start + timedelta(seconds=i), **fields} for i in range(n)]
    db.session.execute(sa.insert(KnowledgeItem), rows)
    db.session.commit()
    # By the keys written (not ``LIKE 'b%'``: SQLite's LIKE ignores case, and another item's random key
    # may begin with "B"), in the order written.
    keys = [row["key"] for row in rows]
    return list(db.session.scalars(sa.select(KnowledgeItem.id).where(KnowledgeItem.key.in_(keys))
                                   .order_by(KnowledgeItem.key)))


def set_changed(item: KnowledgeItem, moment: datetime) -> None:
    db.session.execute(sa.update(KnowledgeItem).where(KnowledgeItem.id == item.id).values(updated_at=moment))
    db.session.commit()
    db.session.expire_all()


@pytest.fixture
def rich_item(app):
    congress = make_congress("congres-2025")
    speaker = Person(name="Ayşe Yılmaz", email="ayse@example.org", organisation="Gemeente Utrecht")
    db.session.add(speaker)
    session = make_session(congress, title="Digitale weerbaarheid bij jongeren", speakers=[speaker])
    evaluation = make_item("Evaluatie mediawijsheid", item_type="evaluatie")
    draft = make_item("Nog een concept", status=ItemStatus.DRAFT.value)
    item = make_item(
        "Weerbaarheidstrainingen en gastlessen mediawijsheid", item_type="interventie",
        summary="Leerlingen leren desinformatie herkennen.", authors=["J. de Vries"],
        organisations=["Gemeente Utrecht"], factors=["digitale weerbaarheid"], target_groups=["leerlingen"],
        tags=["mediawijsheid"], track_id=congress.tracks[0].id, congress_id=congress.id, session_id=session.id,
        publication_date="2025-05-20", licence="CC BY-SA 4.0", evidence_status="goed_beschreven")
    item.speakers = [speaker]
    db.session.commit()
    archive.set_related(item, [evaluation.id, draft.id])
    db.session.commit()
    return item, evaluation, congress, session


# --- Identify, ListMetadataFormats, ListSets -----------------------------------------------------------------

def test_identify_names_the_repository_from_configuration(client, app):
    item = make_item("Eerste item")
    root = harvest(client, verb="Identify")
    assert root.findtext("o:request", namespaces=NS) == BASE
    assert root.find("o:request", NS).attrib == {"verb": "Identify"}
    identify = root.find("o:Identify", NS)
    assert identify.findtext("o:baseURL", namespaces=NS) == BASE
    assert identify.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext("o:adminEmail", namespaces=NS) == "congres@example.org"
    assert identify.findtext("o:earliestDatestamp", namespaces=NS) == item.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    response_date = datetime.strptime(root.findtext("o:responseDate", namespaces=NS), "%Y-%m-%dT%H:%M:%SZ")
    assert abs(response_date.replace(tzinfo=UTC) - utcnow()) < timedelta(minutes=1)

    app.config.update(PUBLIC_BASE_URL="https://congres.example.nl/", OAI_ADMIN_EMAIL="kennis@example.nl")
    root = harvest(client, ("verb", "Identify"), ("lang", "en"))  # an argument Identify does not take
    assert error_codes(root) == ["badArgument"]
    root = harvest(client, verb="Identify")
    assert root.findtext("o:request", namespaces=NS) == "https://congres.example.nl/oai"
    assert root.findtext(".//o:adminEmail", namespaces=NS) == "kennis@example.nl"


def test_identify_on_an_empty_archive(client, app):
    root = harvest(client, verb="Identify")
    assert root.findtext(".//o:earliestDatestamp", namespaces=NS) == "1970-01-01T00:00:00Z"


def test_list_metadata_formats(client, app):
    item = make_item("Met formaten")
    for args in ({}, {"identifier": oai_id(item)}):
        root = harvest(client, verb="ListMetadataFormats", **args)
        formats = root.findall(".//o:metadataFormat", NS)
        assert [f.findtext("o:metadataPrefix", namespaces=NS) for f in formats] == ["oai_dc"]
        assert formats[0].findtext("o:metadataNamespace", namespaces=NS) == NS["oai_dc"]
    root = harvest(client, verb="ListMetadataFormats", identifier=f"oai:{HOST}:bestaatniet")
    assert error_codes(root) == ["idDoesNotExist"]
    assert root.find("o:request", NS).get("identifier") == f"oai:{HOST}:bestaatniet"  # valid arguments echoed


def test_list_sets_per_type_track_and_edition(client, rich_item):
    root = harvest(client, verb="ListSets")
    sets = {s.findtext("o:setSpec", namespaces=NS): s.findtext("o:setName", namespaces=NS)
            for s in root.iterfind(".//o:set", NS)}
    assert sets["type:interventie"] == "Interventie"
    assert {"type", "track", "edition", "type:evaluatie", "type:opname"} <= set(sets)
    assert sets["track:spoor-1"] == "Spoor 1"
    assert sets["edition:congres-2025"].startswith("Testcongres")
    assert error_codes(harvest(client, verb="ListSets", lang="en")) == ["badArgument"]  # lang is no argument
    root = harvest(client, verb="ListSets", resumptionToken="iets")
    assert error_codes(root) == ["badResumptionToken"]


# --- GetRecord and the oai_dc payload -------------------------------------------------------------------------

def test_get_record_carries_dublin_core(client, rich_item):
    item, evaluation, congress, session = rich_item
    root = harvest(client, verb="GetRecord", identifier=oai_id(item), metadataPrefix="oai_dc")
    header = root.find(".//o:header", NS)
    assert header.get("status") is None
    assert header.findtext("o:identifier", namespaces=NS) == oai_id(item)
    assert header.findtext("o:datestamp", namespaces=NS) == item.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [s.text for s in header.iterfind("o:setSpec", NS)] == ["type:interventie", "track:spoor-1",
                                                                  "edition:congres-2025"]
    dc = root.find(".//oai_dc:dc", NS)

    def values(name: str) -> list[str]:
        return [e.text for e in dc.iterfind(f"dc:{name}", NS)]

    title = dc.find("dc:title", NS)
    assert (title.text, title.get(XML_LANG)) == ("Weerbaarheidstrainingen en gastlessen mediawijsheid", "nl")
    assert dc.find("dc:description", NS).get(XML_LANG) == "nl"
    assert values("description") == ["Leerlingen leren desinformatie herkennen."]
    assert values("creator") == ["Ayşe Yılmaz", "J. de Vries", "Gemeente Utrecht"]
    assert values("subject") == ["Spoor 1", "digitale weerbaarheid", "leerlingen", "mediawijsheid"]
    assert values("type") == ["Text", "interventie"]
    assert values("date") == ["2025-05-20"]
    assert values("identifier") == [f"{SITE}/kennisbank/item/{item.key}"]
    assert values("language") == ["nl"]
    assert values("rights") == ["https://creativecommons.org/licenses/by-sa/4.0/"]
    assert values("relation") == [
        f"{SITE}/congres-2025/programme/sessions/{session.id}",
        f"{SITE}/congres-2025/",
        f"{SITE}/kennisbank/item/{evaluation.key}",  # the draft it names is left out
    ]
    # The evaluation names the intervention back.
    root = harvest(client, verb="GetRecord", identifier=oai_id(evaluation), metadataPrefix="oai_dc")
    assert [e.text for e in root.iterfind(".//dc:relation", NS)] == [
        f"{SITE}/kennisbank/item/{item.key}"]


def test_get_record_errors(client, app):
    item = make_item("Bestaat")
    draft = make_item("Concept", status=ItemStatus.DRAFT.value)
    cases = [
        ({"identifier": f"oai:{HOST}:bestaatniet", "metadataPrefix": "oai_dc"}, ["idDoesNotExist"]),
        ({"identifier": f"oai:elders.example:{item.key}", "metadataPrefix": "oai_dc"}, ["idDoesNotExist"]),
        ({"identifier": oai_id(draft), "metadataPrefix": "oai_dc"}, ["idDoesNotExist"]),
        ({"identifier": oai_id(item), "metadataPrefix": "marc21"}, ["cannotDisseminateFormat"]),
        ({"identifier": "iets", "metadataPrefix": "marc21"}, ["idDoesNotExist", "cannotDisseminateFormat"]),
        ({"identifier": oai_id(item)}, ["badArgument"]),
        ({"metadataPrefix": "oai_dc"}, ["badArgument"]),
    ]
    for args, codes in cases:
        root = harvest(client, verb="GetRecord", **args)
        assert error_codes(root) == codes, args
        expected = {} if codes == ["badArgument"] else {"verb": "GetRecord", **args}
        assert dict(root.find("o:request", NS).attrib) == expected


def test_identifiers_survive_a_rename(client, app):
    item = make_item("Oude titel")
    archive.update_item(item, title="Nieuwe titel")
    db.session.commit()
    root = harvest(client, verb="GetRecord", identifier=oai_id(item), metadataPrefix="oai_dc")
    assert root.findtext(".//dc:title", namespaces=NS) == "Nieuwe titel"


def test_characters_xml_cannot_carry_are_left_out(client, app):
    item = make_item("Titel\x01 met stuurteken", summary="Regel\x0bmet & <tekens>\x1f")
    root = harvest(client, verb="GetRecord", identifier=oai_id(item), metadataPrefix="oai_dc")
    assert root.findtext(".//dc:title", namespaces=NS) == "Titel met stuurteken"
    assert root.findtext(".//dc:description", namespaces=NS) == "Regelmet & <tekens>"


def test_licences_map_to_their_uri():
    assert licence_uri("CC BY 4.0") == "https://creativecommons.org/licenses/by/4.0/"
    assert licence_uri("cc-by-nc-sa 4.0") == "https://creativecommons.org/licenses/by-nc-sa/4.0/"
    assert licence_uri("CC BY-ND 3.0") == "https://creativecommons.org/licenses/by-nd/3.0/"
    assert licence_uri("CC0 1.0") == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert licence_uri("https://opensource.org/license/eupl-1-2") == "https://opensource.org/license/eupl-1-2"
    assert licence_uri("Alle rechten voorbehouden") is None  # the record's rights then carry the text


# --- argument errors ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("pairs", [
    [],
    [("verb", "Harvest")],
    [("verb", "Identify"), ("verb", "Identify")],
    [("metadataPrefix", "oai_dc")],
], ids=["missing", "unknown", "repeated", "no-verb-with-arguments"])
def test_bad_verb(client, app, pairs):
    root = harvest(client, *pairs)
    assert error_codes(root) == ["badVerb"]
    assert root.find("o:request", NS).attrib == {}
    assert root.findtext("o:request", namespaces=NS) == BASE


@pytest.mark.parametrize("pairs", [
    [("verb", "ListRecords")],
    [("verb", "ListIdentifiers"), ("metadataPrefix", "oai_dc"), ("metadataPrefix", "oai_dc")],
    [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("colour", "blue")],
    [("verb", "ListRecords"), ("metadataPrefix", "")],
    [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("resumptionToken", "abc")],
    [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("from", "2025-13-01")],
    [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("from", "2025-01-01T10:00:00")],
    [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("until", "vandaag")],
    [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("from", "2025-01-01"),
     ("until", "2025-06-01T00:00:00Z")],
    [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("from", "2025-06-02"), ("until", "2025-06-01")],
    [("verb", "ListIdentifiers"), ("metadataPrefix", "oai_dc"), ("set", "type::x")],
    [("verb", "GetRecord"), ("identifier", f"oai:{HOST}:x"), ("metadataPrefix", "oai_dc"), ("set", "type")],
    [("verb", "ListMetadataFormats"), ("metadataPrefix", "oai_dc")],
    [("verb", "Identify"), ("identifier", f"oai:{HOST}:x")],
], ids=["missing-prefix", "repeated", "illegal", "empty", "token-plus-other", "bad-month", "seconds-without-Z",
        "not-a-date", "mixed-granularity", "from-after-until", "bad-setspec", "set-on-getrecord",
        "prefix-on-listmetadataformats", "identifier-on-identify"])
def test_bad_argument(client, app, pairs):
    make_item("Er is iets")
    root = harvest(client, *pairs)
    assert error_codes(root) == ["badArgument"]
    assert root.find("o:request", NS).attrib == {}
    assert root.findtext("o:error", namespaces=NS)


def test_error_messages_in_the_readers_language(client, app):
    dutch = harvest(client, ("verb", "Oogst"))
    assert dutch.findtext("o:error", namespaces=NS) == "“Oogst” is geen OAI-PMH-werkwoord."
    english = valid(client.get("/oai?verb=Oogst", headers={"Accept-Language": "en"}).data)
    assert english.findtext("o:error", namespaces=NS) == "“Oogst” is not an OAI-PMH verb."


def test_cannot_disseminate_format_and_no_records_match(client, app):
    root = harvest(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert error_codes(root) == ["noRecordsMatch"]
    make_item("Enig item")
    root = harvest(client, verb="ListIdentifiers", metadataPrefix="mods")
    assert error_codes(root) == ["cannotDisseminateFormat"]
    assert root.find("o:request", NS).attrib == {"verb": "ListIdentifiers", "metadataPrefix": "mods"}
    for args in ({"set": "type:bestaatniet"}, {"set": "track:geen-spoor"}, {"set": "edition:congres-1999"},
                 {"set": "regio:utrecht"}, {"until": "2000-01-01"}, {"set": "type:opname"}):
        root = harvest(client, verb="ListRecords", metadataPrefix="oai_dc", **args)
        assert error_codes(root) == ["noRecordsMatch"], args


# --- drafts, withdrawn items, sets ---------------------------------------------------------------------------

def test_drafts_never_appear_and_withdrawn_items_are_deleted_records(client, app):
    published = make_item("Gepubliceerd")
    draft = make_item("Concept", status=ItemStatus.DRAFT.value)
    in_review = make_item("In redactie", status=ItemStatus.IN_REVIEW.value)
    withdrawn = make_item("Ingetrokken", status=ItemStatus.WITHDRAWN.value)
    redrafted = make_item("Ingetrokken en weer concept", status=ItemStatus.WITHDRAWN.value)
    archive.set_status(redrafted, ItemStatus.DRAFT.value)
    db.session.commit()
    for verb in ("ListIdentifiers", "ListRecords"):
        root = harvest(client, verb=verb, metadataPrefix="oai_dc")
        headers = {h.findtext("o:identifier", namespaces=NS): h.get("status") for h in root.iterfind(".//o:header", NS)}
        assert headers == {oai_id(published): None, oai_id(withdrawn): "deleted", oai_id(redrafted): "deleted"}
        text = etree.tostring(root).decode()
        assert draft.key not in text and in_review.key not in text
    root = harvest(client, verb="ListRecords", metadataPrefix="oai_dc")
    deleted = [r for r in root.iterfind(".//o:record", NS) if r.find("o:header", NS).get("status") == "deleted"]
    assert deleted and all(r.find("o:metadata", NS) is None for r in deleted)
    assert "Ingetrokken" not in etree.tostring(root).decode()  # a deleted record shows nothing of the item
    root = harvest(client, verb="GetRecord", identifier=oai_id(withdrawn), metadataPrefix="oai_dc")
    assert root.find(".//o:header", NS).get("status") == "deleted"
    assert root.find(".//o:metadata", NS) is None
    root = harvest(client, verb="GetRecord", identifier=oai_id(draft), metadataPrefix="oai_dc")
    assert error_codes(root) == ["idDoesNotExist"]


def test_sets_select_by_type_track_and_edition(client, rich_item):
    item, evaluation, congress, _session = rich_item
    other = make_congress("congres-2026")
    in_other = make_item("Ander congres", congress_id=other.id, track_id=other.tracks[1].id)

    def listed(spec: str) -> set[str]:
        return set(identifiers(harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=spec)))

    assert listed("type:interventie") == {oai_id(item)}
    assert listed("type:evaluatie") == {oai_id(evaluation)}
    assert listed("type") == {oai_id(item), oai_id(evaluation), oai_id(in_other)}
    assert listed("track:spoor-1") == {oai_id(item)}
    assert listed("track:spoor-2") == {oai_id(in_other)}
    assert listed("track") == {oai_id(item), oai_id(in_other)}
    assert listed("edition:congres-2025") == {oai_id(item)}
    assert listed("edition") == {oai_id(item), oai_id(in_other)}
    root = harvest(client, verb="ListRecords", metadataPrefix="oai_dc", set="edition:congres-2026")
    assert root.findtext(".//dc:title", namespaces=NS) == "Ander congres"


# --- from / until ---------------------------------------------------------------------------------------------

def test_from_and_until_at_seconds_and_days(client, app):
    old = make_item("Oud")
    new = make_item("Nieuw")
    set_changed(old, datetime(2025, 3, 1, 12, 0, 0, 500_000, tzinfo=UTC))
    set_changed(new, datetime(2025, 3, 2, 8, 30, 0, tzinfo=UTC))

    def listed(**args: str) -> list[str]:
        root = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **args)
        return [] if error_codes(root) == ["noRecordsMatch"] else identifiers(root)

    assert listed(**{"from": "2025-03-01T12:00:00Z"}) == [oai_id(old), oai_id(new)]
    assert listed(**{"from": "2025-03-01T12:00:01Z"}) == [oai_id(new)]
    assert listed(until="2025-03-01T12:00:00Z") == [oai_id(old)]  # until is inclusive at its granularity
    assert listed(until="2025-03-01T11:59:59Z") == []
    assert listed(**{"from": "2025-03-02"}) == [oai_id(new)]
    assert listed(until="2025-03-01") == [oai_id(old)]
    assert listed(**{"from": "2025-03-01", "until": "2025-03-01"}) == [oai_id(old)]
    root = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2025-03-01")
    assert root.find(".//o:datestamp", NS).text == "2025-03-01T12:00:00Z"


def test_an_item_changed_after_a_harvest_appears_in_the_incremental_harvest(client, app):
    first, second, third = make_item("Een"), make_item("Twee"), make_item("Drie")
    for item in (first, second, third):
        set_changed(item, utcnow() - timedelta(hours=1))
    full = harvest(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert len(identifiers(full)) == 3
    last_harvest = full.findtext("o:responseDate", namespaces=NS)
    root = harvest(client, verb="ListRecords", metadataPrefix="oai_dc", **{"from": last_harvest})
    assert error_codes(root) == ["noRecordsMatch"]
    archive.update_item(second, summary="Bijgewerkte samenvatting")
    archive.set_status(third, ItemStatus.WITHDRAWN.value, reason="Vervangen")
    db.session.commit()
    root = harvest(client, verb="ListRecords", metadataPrefix="oai_dc", **{"from": last_harvest})
    assert identifiers(root) == [oai_id(second), oai_id(third)]
    assert root.findtext(".//dc:description", namespaces=NS) == "Bijgewerkte samenvatting"
    assert root.findall(".//o:header", NS)[1].get("status") == "deleted"


# --- paging with resumptionToken --------------------------------------------------------------------------------

@pytest.mark.parametrize("verb", ["ListRecords", "ListIdentifiers"])
def test_resumption_over_more_than_a_hundred_items(client, app, verb):
    bulk_items(250)
    bulk_items(5, status=ItemStatus.DRAFT.value, prefix="d")
    seen: list[str] = []
    cursors = []
    root = harvest(client, verb=verb, metadataPrefix="oai_dc")
    while True:
        seen += identifiers(root)
        token = token_of(root)
        assert token is not None and token.get("completeListSize") == "250"
        cursors.append(token.get("cursor"))
        if not token.text:
            assert token.get("expirationDate") is None
            break
        assert token.get("expirationDate")
        root = harvest(client, verb=verb, resumptionToken=token.text)
        assert root.find("o:request", NS).attrib == {"verb": verb, "resumptionToken": token.text}
    assert cursors == ["0", "100", "200"]
    assert len(seen) == 250 and len(set(seen)) == 250
    assert seen == [f"oai:{HOST}:b{i:06d}" for i in range(250)]  # in the order of the last change


def test_a_list_of_exactly_one_page_has_no_token(client, app):
    bulk_items(100)
    root = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert len(identifiers(root)) == 100 and token_of(root) is None


def first_token(client, verb: str = "ListRecords", **args: str) -> str:
    root = harvest(client, verb=verb, metadataPrefix="oai_dc", **args)
    return token_of(root).text


def test_altered_foreign_and_expired_tokens_are_refused(client, app, monkeypatch):
    bulk_items(150)
    token = first_token(client)
    altered = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    for bad in (altered, "niet-eens-een-token", token + "x"):
        assert error_codes(harvest(client, verb="ListRecords", resumptionToken=bad)) == ["badResumptionToken"]
    # From another query: a ListIdentifiers token offered to ListRecords.
    other = first_token(client, "ListIdentifiers")
    assert error_codes(harvest(client, verb="ListRecords", resumptionToken=other)) == ["badResumptionToken"]
    # Signed by another repository (another secret).
    app.config["SECRET_KEY"] = "another-installation-secret"
    assert error_codes(harvest(client, verb="ListRecords", resumptionToken=token)) == ["badResumptionToken"]
    app.config["SECRET_KEY"] = "test-secret-key"
    assert error_codes(harvest(client, verb="ListRecords", resumptionToken=token)) == []
    # Expired: older than the token's lifetime.
    monkeypatch.setattr(oai, "TOKEN_MAX_AGE", timedelta(seconds=-1))
    root = harvest(client, verb="ListRecords", resumptionToken=token)
    assert error_codes(root) == ["badResumptionToken"]
    assert "expired" in root.findtext("o:error", namespaces=NS) or "verlopen" in root.findtext(
        "o:error", namespaces=NS)


def test_a_token_goes_stale_when_a_harvested_record_changes(client, app):
    ids = bulk_items(250)
    token = first_token(client)
    # A record after the position changing is not a problem: it leaves this list (frozen at its first page)
    # and comes in the next incremental harvest.
    later = db.session.get(KnowledgeItem, ids[180])
    archive.update_item(later, summary="Later gewijzigd")
    db.session.commit()
    root = harvest(client, verb="ListRecords", resumptionToken=token)
    assert error_codes(root) == [] and token_of(root).get("completeListSize") == "249"
    assert later.key not in etree.tostring(root).decode()
    # A record already harvested changing shifts the cursor: the token is stale.
    harvested = db.session.get(KnowledgeItem, ids[10])
    archive.update_item(harvested, summary="Gewijzigd na de oogst")
    db.session.commit()
    root = harvest(client, verb="ListRecords", resumptionToken=token)
    assert error_codes(root) == ["badResumptionToken"]
    # A record published after the list began does not enter it either.
    make_item("Net gepubliceerd")
    fresh = first_token(client)
    assert error_codes(harvest(client, verb="ListRecords", resumptionToken=fresh)) == []


def test_a_token_carries_its_set_and_window(client, app):
    bulk_items(120, type="interventie", prefix="i")
    bulk_items(120, prefix="r")
    token = first_token(client, set="type:interventie")
    root = harvest(client, verb="ListRecords", resumptionToken=token)
    assert len(identifiers(root)) == 20 and all(":i" in i for i in identifiers(root))
    assert token_of(root).get("completeListSize") == "120" and token_of(root).get("cursor") == "100"


# --- GET and POST, CSRF, rate limit --------------------------------------------------------------------------------

def _without_date(body: bytes) -> bytes:
    root = etree.fromstring(body)
    root.find("o:responseDate", NS).text = ""
    return etree.tostring(root)


def test_get_and_post_give_the_same_answer(client, rich_item, app):
    item = rich_item[0]
    app.config["WTF_CSRF_ENABLED"] = True  # a machine endpoint: no CSRF token, and nothing it could change
    for args in ({"verb": "Identify"}, {"verb": "ListSets"}, {"verb": "ListRecords", "metadataPrefix": "oai_dc"},
                 {"verb": "GetRecord", "identifier": oai_id(item), "metadataPrefix": "oai_dc"},
                 {"verb": "ListRecords", "metadataPrefix": "nope"}, {"verb": "Nope"}):
        get = client.get("/oai", query_string=args)
        post = client.post("/oai", data=args, content_type="application/x-www-form-urlencoded")
        assert get.status_code == post.status_code == 200
        valid(post.data)
        assert _without_date(get.data) == _without_date(post.data), args
    count = db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeItem))
    client.post("/oai", data={"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeItem)) == count


def test_harvesters_are_rate_limited(client, app):
    app.config["OAI_RATE_LIMIT"] = "2 per minute"
    assert client.get("/oai?verb=Identify").status_code == 200
    assert client.get("/oai?verb=Identify").status_code == 200
    assert client.get("/oai?verb=Identify").status_code == 429


# --- a real harvester ------------------------------------------------------------------------------------------

def test_sickle_harvests_the_whole_archive(app, live_oai, rich_item):
    bulk_items(230)
    bulk_items(7, status=ItemStatus.WITHDRAWN.value, prefix="w")
    bulk_items(4, status=ItemStatus.DRAFT.value, prefix="d")
    db.session.add(KnowledgeTerm(item_id=rich_item[1].id, kind="tag", value="evaluatie"))
    db.session.commit()
    published = db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeItem)
                                  .where(KnowledgeItem.status == ItemStatus.PUBLISHED.value))
    withdrawn = db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeItem)
                                  .where(KnowledgeItem.status == ItemStatus.WITHDRAWN.value))
    assert (published, withdrawn) == (232, 7)

    harvester = Sickle(live_oai, max_retries=0, timeout=30)
    assert harvester.Identify().deletedRecord == "persistent"
    records = list(harvester.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
    assert len(records) == published + withdrawn
    assert sum(1 for r in records if r.deleted) == withdrawn
    assert len({r.header.identifier for r in records}) == len(records)
    rich = next(r for r in records if r.header.identifier == oai_id(rich_item[0]))
    assert rich.metadata["title"] == ["Weerbaarheidstrainingen en gastlessen mediawijsheid"]
    assert "type:interventie" in rich.header.setSpecs
    headers = list(harvester.ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=True))
    assert len(headers) == published
    assert [s.setSpec for s in harvester.ListSets()][:2] == ["type", "type:sessieverslag"]
    assert harvester.GetRecord(identifier=oai_id(rich_item[0]), metadataPrefix="oai_dc").metadata["rights"] == [
        "https://creativecommons.org/licenses/by-sa/4.0/"]


# --- speed: bulk reads, the record cache ------------------------------------------------------------------------

def test_a_page_costs_the_same_few_queries_whatever_its_relations(client, app, rich_item):
    ids = bulk_items(150)
    people = [Person(name=f"Spreker {i}", email=f"s{i}@example.org") for i in range(3)]
    db.session.add_all(people)
    db.session.flush()
    db.session.execute(sa.insert(KnowledgeTerm), [{"item_id": i, "kind": "tag", "value": "veerkracht"} for i in ids])
    db.session.execute(sa.insert(knowledge_item_speakers),
                       [{"item_id": i, "person_id": people[i % 3].id, "position": 0} for i in ids])
    db.session.execute(sa.insert(knowledge_relations), [{"item_id": i, "related_id": ids[0]} for i in ids[1:]])
    db.session.commit()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        root = harvest(client, verb="ListRecords", metadataPrefix="oai_dc")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(identifiers(root)) == 100
    first = root.findall(".//o:record", NS)[0]
    assert first.findtext(".//dc:creator", namespaces=NS) == f"Spreker {min(ids) % 3}"
    # items, terms, speakers, files, relations both ways, the count: not one query per record
    harvest_queries = [s for s in statements if "knowledge" in s]
    # the page, what its records show of their relations (one query), the list's size
    assert len(harvest_queries) <= 3, harvest_queries
    # A following page, nothing changed since the list began: the signed token's size and cursor
    # stand, so nothing is counted (one look at the index, the page, its relations).
    statements.clear()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        following = harvest(client, verb="ListRecords", resumptionToken=token_of(root).text)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    total = int(token_of(root).get("completeListSize"))
    assert total > 150 and len(identifiers(following)) == total - 100
    assert token_of(following).get("completeListSize") == str(total)
    harvest_queries = [s for s in statements if "knowledge" in s]
    assert len(harvest_queries) == 3 and not any("count(" in s.lower() for s in harvest_queries), harvest_queries


def test_a_token_of_the_earlier_form_without_the_list_size_still_resumes(client, app):
    bulk_items(150)
    token = first_token(client)
    data = oai._serializer().loads(token)
    del data["n"]
    root = harvest(client, verb="ListRecords", resumptionToken=oai._serializer().dumps(data))
    assert error_codes(root) == [] and len(identifiers(root)) == 50
    assert token_of(root).get("completeListSize") == "150" and token_of(root).get("cursor") == "100"


def test_records_are_cached_until_what_they_show_changes(client, app):
    item = make_item("Eerst zo")
    records.record_xml.cache_clear()
    harvest(client, verb="GetRecord", identifier=oai_id(item), metadataPrefix="oai_dc")
    harvest(client, verb="GetRecord", identifier=oai_id(item), metadataPrefix="oai_dc")
    assert records.record_xml.cache_info().hits == 1 and records.record_xml.cache_info().misses == 1
    archive.update_item(item, title="Daarna anders")
    db.session.commit()
    root = harvest(client, verb="GetRecord", identifier=oai_id(item), metadataPrefix="oai_dc")
    assert root.findtext(".//dc:title", namespaces=NS) == "Daarna anders"
    assert records.record_xml.cache_info().misses == 2
