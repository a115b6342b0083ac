"""The fast way of writing an OAI-PMH record (text joined and escaped by hand, repeated elements
written once) against the plain way (an lxml tree serialised by lxml): the same XML, record for
record, for awkward text too. And the one-query page read against the item as the ORM loads it."""

from __future__ import annotations

import io
import random

import pytest
from lxml import etree

from congress.archive import queries as archive_queries
from congress.archive import services as archive
from congress.archive.models import KnowledgeItem
from congress.core.models import Person
from congress.extensions import db
from congress.opendata import records
from congress.opendata.records import RecordData
from tests.archive.factories import make_item, minimal_pdf
from tests.conftest import OAI_SCHEMAS

AWKWARD = ["Jongeren & ouders <samen>", "Ouders \"en\" 'kinderen'", "Öztürk, Ş. — ‘zelfbeschikking’",
           "Bel\x00 ons\x0b terug\ufffe", "]]> geen CDATA", "Tab\tnieuwe\nregel\r", "\ud83d los", "😀 emoji", ""]


def canonical(xml: bytes) -> bytes:
    return etree.tostring(etree.fromstring(xml), method="c14n")


def both(data: RecordData) -> tuple[bytes, bytes]:
    records.record_xml.cache_clear()
    return canonical(records.record_xml(data)), canonical(records.plain_record_xml(data))


def generated(rng: random.Random, deleted: bool) -> RecordData:
    pick = lambda: rng.choice(AWKWARD)  # noqa: E731
    return RecordData(
        identifier=f"oai:example.org:k{rng.randrange(10**6)}", datestamp="2026-12-04T21:00:00Z",
        sets=("type:rapport", "track:digitale-weerbaarheid", "edition:congres-2025")[:rng.randint(1, 3)],
        deleted=deleted,
        titles=(("nl", pick() or "Titel"), *((("en", pick() or "Title"),) if rng.random() < 0.5 else ())),
        descriptions=tuple((lang, text) for lang in ("nl", "en") if (text := pick())),
        language=rng.choice(["nl", "en", ""]),
        creators=tuple(dict.fromkeys(pick() for _ in range(rng.randint(0, 3)))),
        subjects=tuple(dict.fromkeys((pick(), rng.choice(["nl", ""])) for _ in range(rng.randint(0, 4)))),
        item_type=rng.choice(["rapport", "opname", "interventie", "onbekend"]),
        date=rng.choice(["", "2025-05-20"]),
        formats=tuple(rng.sample(["application/pdf", "image/png"], rng.randint(0, 2))),
        permalink="https://congres.example.org/kennisbank/item/k1?a=1&b=2",
        relations=tuple(f"https://congres.example.org/kennisbank/item/r{i}" for i in range(rng.randint(0, 3))),
        rights=rng.choice(["", "https://creativecommons.org/licenses/by/4.0/", pick()]),
    )


@pytest.mark.parametrize("deleted", [False, True])
def test_the_fast_record_is_the_plain_record(deleted):
    rng = random.Random(18)
    for _ in range(300):
        fast, plain = both(generated(rng, deleted))
        assert fast == plain


def test_the_fast_record_is_valid_dublin_core():
    schema = etree.XMLSchema(etree.parse(str(OAI_SCHEMAS / "oai_dc.xsd")))
    rng = random.Random(7)
    for _ in range(50):
        record = etree.fromstring(records.record_xml(generated(rng, False)))
        dc = record.find("{http://www.openarchives.org/OAI/2.0/}metadata")[0]
        assert schema.validate(dc), schema.error_log


def test_a_page_read_in_one_query_shows_what_the_orm_loads(app):
    speakers = [Person(name=name, email=f"s{i}@example.org") for i, name in enumerate(["Anna de Wit", "Bram Öz"])]
    db.session.add_all(speakers)
    db.session.commit()
    first = make_item("Eerste", tags=["mediawijsheid", "dialoog"], factors=["sociale cohesie"],
                      target_groups=["jongeren"], authors=["A. Auteur"], organisations=["Gemeente Utrecht"])
    second = make_item("Tweede", item_type="interventie", tags=["jongerenwerk"])
    draft = make_item("Concept", status="draft")
    for item, people in ((first, speakers), (second, speakers[1:])):
        item.speakers = people
    first.related = [second, draft]  # a draft is never named
    db.session.commit()
    archive.add_file(second, io.BytesIO(minimal_pdf()), "notities.pdf", publication_consent=False)
    archive.add_file(first, io.BytesIO(minimal_pdf()), "verslag.pdf")
    db.session.commit()
    page = {item.key: item for item in archive_queries.harvest_page(archive_queries.HarvestScope())}
    for item in (first, second):
        item = db.session.get(KnowledgeItem, item.id)
        read = page[item.key]
        assert read.speakers == [p.name for p in item.speakers]
        assert read.terms == {kind: item.term_values(kind) for kind in ("tag", "factor", "target_group")
                              if item.term_values(kind)}
        assert read.formats == [f.content_type for f in item.public_files]
        related = {other.key for other in item.related if other.published_at}
        related |= {other.key for other in db.session.query(KnowledgeItem).filter(KnowledgeItem.related.contains(item))}
        assert read.related == sorted(related - {draft.key})
    assert page[first.key].related == [second.key] and page[second.key].related == [first.key]
    assert page[first.key].formats == ["application/pdf"]
    assert page[second.key].formats == []  # the speaker's notes were uploaded without consent
