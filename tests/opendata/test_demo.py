"""The demo archive over OAI-PMH: valid, complete, its withdrawn report a deleted record."""

from __future__ import annotations

import sqlalchemy as sa
from rdflib import Graph
from rdflib.namespace import DCAT, RDF
from sickle import Sickle

from congress.archive.models import ItemStatus, KnowledgeFile, KnowledgeItem
from congress.extensions import db
from tests.opendata.test_oai import NS, error_codes, harvest, identifiers


def test_the_demo_archive_is_harvested_whole(runner, client, live_oai):
    result = runner.invoke(args=["congress", "demo"])
    assert result.exit_code == 0, result.output
    counts = dict(db.session.execute(sa.select(KnowledgeItem.status, sa.func.count()).group_by(KnowledgeItem.status))
                  .all())
    assert counts[ItemStatus.PUBLISHED.value] >= 15 and counts[ItemStatus.WITHDRAWN.value] == 1

    root = harvest(client, verb="ListRecords", metadataPrefix="oai_dc")  # validated against the schemas
    assert error_codes(root) == []
    assert len(identifiers(root)) == counts[ItemStatus.PUBLISHED.value] + counts[ItemStatus.WITHDRAWN.value]
    titles = {e.text for e in root.iterfind(".//dc:title", NS)}
    assert "Community builders in Woensel Zuid" in titles
    sets = {e.text for e in harvest(client, verb="ListSets").iterfind(".//o:setSpec", NS)}
    assert {"track:digitale-weerbaarheid", "track:preventie-van-jeugdcriminaliteit", "edition:congres-2024",
            "type:interventie"} <= sets

    records = list(Sickle(live_oai, max_retries=0, timeout=30).ListRecords(metadataPrefix="oai_dc",
                                                                           ignore_deleted=False))
    assert len([r for r in records if not r.deleted]) == counts[ItemStatus.PUBLISHED.value]
    deleted = [r for r in records if r.deleted]
    assert len(deleted) == 1 and "edition:congres-2024" in deleted[0].header.setSpecs
    interventions = [r for r in records if "type:interventie" in r.header.setSpecs]
    assert interventions and all(r.metadata["rights"] == ["https://creativecommons.org/licenses/by/4.0/"]
                                 for r in interventions)


def test_the_demo_catalogue_lists_its_files(runner, client):
    assert runner.invoke(args=["congress", "demo"]).exit_code == 0
    graph = Graph()
    graph.parse(data=client.get("/kennisbank/catalog.jsonld").get_data(as_text=True), format="json-ld")
    published_files = db.session.scalar(
        sa.select(sa.func.count(KnowledgeFile.id)).join(KnowledgeItem)
        .where(KnowledgeItem.status == ItemStatus.PUBLISHED.value, KnowledgeFile.publication_consent.is_(True)))
    assert published_files > 0
    files = [d for d in graph.subjects(RDF.type, DCAT.Distribution) if "/files/" in str(d)]
    assert len(files) == published_files
    programmes = [d for d in graph.subjects(RDF.type, DCAT.Dataset) if str(d).endswith("/programme")]
    assert programmes, "the demo editions' published programmes"
