"""The rights of what speakers upload (issue 18, item 6): a speaker's file is published only with their
consent, under the licence they chose; without it the editors see it and nobody else — not the item
page, a download, the search, the API, OAI-PMH or the DCAT catalogue."""

from __future__ import annotations

import io
from datetime import timedelta

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS

from congress.archive import services
from congress.archive.models import ItemStatus, SpeakerInvitation
from congress.core.models import Person
from congress.database import utcnow
from congress.extensions import db
from congress.tokens import hash_secret
from tests.archive.factories import make_item, minimal_pdf

SECRET = "een-geheime-link-voor-de-spreker-van-deze-sessie"


def _contribute(client, *, consent: bool, licence: str = "CC BY 4.0", word: str):
    data = {"summary": "", "files": [(io.BytesIO(minimal_pdf(f"Dia over {word}")), f"{word}.pdf")],
            "licence": licence}
    if consent:
        data["publication_consent"] = "y"
    return client.post(f"/kennisbank/contribute/{SECRET}", data=data, content_type="multipart/form-data")


def _publish(item):
    for status in (ItemStatus.IN_REVIEW.value, ItemStatus.PUBLISHED.value):
        services.set_status(item, status)
    db.session.commit()


def test_only_files_with_the_speakers_consent_are_published_under_their_licence(app, client, organiser):
    item = make_item("Sessie over weerbaarheid", status=ItemStatus.DRAFT.value, licence="CC BY 4.0")
    speaker = Person(name="Sanne Spreker", email="sanne@example.org")
    db.session.add_all([speaker, SpeakerInvitation(item=item, person=speaker, email=speaker.email,
                                                   token_hash=hash_secret(SECRET),
                                                   expires_at=utcnow() + timedelta(days=7))])
    db.session.commit()
    assert _contribute(client, consent=False, word="Kanaleneiland").status_code == 302
    assert _contribute(client, consent=True, licence="CC BY-SA 4.0", word="Overvecht").status_code == 302
    page = client.get(f"/kennisbank/contribute/{SECRET}").get_data(as_text=True)
    assert "niet voor publicatie" in page  # the speaker sees what they did not agree to publish
    _publish(item)
    db.session.refresh(item)
    secret_file, public_file = item.files
    assert (secret_file.public, public_file.public, public_file.licence) == (False, True, "CC BY-SA 4.0")

    html = client.get(f"/kennisbank/item/{item.key}").get_data(as_text=True)
    assert "Overvecht.pdf" in html and "Kanaleneiland.pdf" not in html
    assert client.get(f"/kennisbank/item/{item.key}/files/{secret_file.id}").status_code == 404
    assert client.get(f"/kennisbank/item/{item.key}/files/{public_file.id}").status_code == 200
    assert "Sessie over weerbaarheid" in client.get("/kennisbank/", query_string={"q": "overvecht"}).get_data(
        as_text=True)
    assert "Sessie over weerbaarheid" not in client.get("/kennisbank/", query_string={"q": "kanaleneiland"}).get_data(
        as_text=True)
    api = client.get("/api/v1/knowledge").get_json()
    assert [f["name"] for f in api["items"][0]["files"]] == ["Overvecht.pdf"]
    oai = client.get("/oai", query_string={"verb": "GetRecord", "metadataPrefix": "oai_dc",
                                           "identifier": _oai_identifier(client, item.key)}).get_data(as_text=True)
    assert oai.count("<dc:format>application/pdf</dc:format>") == 1

    graph = Graph()
    graph.parse(data=client.get("/kennisbank/catalog.jsonld").get_data(as_text=True), format="json-ld")
    dataset = next(d for d in graph.subjects(DCTERMS.identifier, None) if str(d).endswith(item.key))
    [distribution] = graph.objects(dataset, DCAT.distribution)
    assert str(graph.value(distribution, DCAT.downloadURL)).endswith(f"/files/{public_file.id}")
    assert graph.value(distribution, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by-sa/4.0/")

    editor = app.test_client(user=organiser)
    edit = editor.get(f"/manage/kennisbank/{item.id}").get_data(as_text=True)
    assert "Kanaleneiland.pdf" in edit and "geen toestemming" in edit


def test_a_licence_that_is_not_offered_is_refused_next_to_the_field(app, client):
    item = make_item("Concept", status=ItemStatus.DRAFT.value)
    speaker = Person(name="Sam", email="sam@example.org")
    db.session.add_all([speaker, SpeakerInvitation(item=item, person=speaker, email=speaker.email,
                                                   token_hash=hash_secret(SECRET),
                                                   expires_at=utcnow() + timedelta(days=7))])
    db.session.commit()
    response = _contribute(client, consent=True, licence="Alle rechten voorbehouden\x00", word="Zuilen")
    assert response.status_code == 200
    assert "Kies een van de aangeboden licenties." in response.get_data(as_text=True)
    db.session.refresh(item)
    assert item.files == []


def _oai_identifier(client, key: str) -> str:
    listing = client.get("/oai", query_string={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    body = listing.get_data(as_text=True)
    start = body.index("<identifier>", body.index(key) - 200) + len("<identifier>")
    return body[start:body.index("</identifier>", start)]
