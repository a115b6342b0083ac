"""Interventions on the Dutch recognition levels: the levels and their words, the databanks' fields
on the editor's form and the public page, process and effect evaluations, the editors' list of
converted levels, and the values in the API, the JSON-LD and the CSV export."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from congress.archive import services
from congress.archive.labels import EVIDENCE_EXPLANATIONS, EVIDENCE_LABELS, EVIDENCE_RANKS
from congress.archive.models import LEVELS_BACK, OLD_LEVELS, KnowledgeItem, RecognitionLevel
from congress.extensions import db
from tests.archive.factories import make_item

LEVELS = ["nog_niet_beoordeeld", "goed_beschreven", "goed_onderbouwd", "effectief_eerste", "effectief_goede",
          "effectief_sterke"]
DUTCH = ["Nog niet beoordeeld", "Goed beschreven", "Goed onderbouwd", "Effectief – eerste aanwijzingen",
         "Effectief – goede aanwijzingen", "Effectief – sterke aanwijzingen"]


def _form(**overrides):
    data = {"type": "interventie", "title": "Training digitale weerbaarheid", "summary": "Voor jongerenwerkers",
            "body": "", "congress_id": "0", "track_id": "0", "language": "nl", "licence": "CC BY 4.0",
            "evidence_status": "goed_beschreven", "setting": "Jongerenwerk", "links": "",
            "aim": "Jongerenwerkers toerusten.", "approach": "Drie dagdelen.", "active_ingredients": "Oefenen.",
            "implementers": "Jongerenwerk Utrecht, Bibliotheek Zwolle", "tested_at": "Utrecht (2024).",
            "manual": "Handleiding voor trainers.", "manual_url": "https://example.org/handleiding.pdf",
            "databank_url": "https://databank.example.nl/interventies/training"}
    data.update(overrides)
    return data


def test_the_levels_in_order_with_words_in_both_languages(app):
    assert [level.value for level in RecognitionLevel] == LEVELS
    assert list(EVIDENCE_LABELS) == LEVELS == list(EVIDENCE_EXPLANATIONS)
    assert [EVIDENCE_RANKS[v] for v in LEVELS] == [1, 2, 3, 4, 5, 6]
    with force_locale("nl"):
        assert [str(EVIDENCE_LABELS[v]) for v in LEVELS] == DUTCH
        dutch = [str(EVIDENCE_EXPLANATIONS[v]) for v in LEVELS]
    with force_locale("en"):
        assert [str(EVIDENCE_LABELS[v]) for v in LEVELS] == [
            "Not yet assessed", "Well described", "Well founded", "Effective: first indications",
            "Effective: good indications", "Effective: strong indications"]
        english = [str(EVIDENCE_EXPLANATIONS[v]) for v in LEVELS]
    assert all(text and text != other for text, other in zip(dutch, english, strict=True))
    assert "controlegroep" in dutch[4] and "control group" in english[4]
    # The mapping of the earlier scale, both ways (the way back is lossy).
    assert OLD_LEVELS == {"in_ontwikkeling": "nog_niet_beoordeeld", "getest": "goed_beschreven",
                          "bewezen_effectief": "effectief_eerste"}
    assert all(LEVELS_BACK[new] == old for old, new in OLD_LEVELS.items())
    assert set(LEVELS_BACK) == set(LEVELS)


def test_services_keep_the_fields_and_refuse_other_values(app):
    item = make_item("Mentorprogramma", item_type="interventie", evidence_status="effectief_eerste",
                     aim="Minder schooluitval", implementers="Welzijn Noord, Jongerenwerk",
                     databank_url="https://databank.example.nl/eigen-koers")
    assert item.implementers == ["Welzijn Noord", "Jongerenwerk"] and item.aim == "Minder schooluitval"
    with pytest.raises(ValueError):
        services.update_item(item, evidence_status="bewezen_effectief")  # an old value is no level
    db.session.rollback()
    for address in ("javascript:alert(1)", "ftp://x.example/a", "https://", "https://a b.example/"):
        with pytest.raises(services.ArchiveError):
            services.update_item(item, databank_url=address)
        db.session.rollback()
    version = services.update_item(item, evidence_status="effectief_goede", approach="Een jaar lang een mentor")
    db.session.commit()
    assert version.data["evidence_status"] == "effectief_goede" and version.data["approach"].startswith("Een jaar")
    services.restore_version(item, 1)
    db.session.commit()
    assert item.evidence_status == "effectief_eerste" and item.approach == ""


def test_converted_levels_are_listed_until_an_editor_checks_them(app, organiser):
    kept = make_item("Gastlessen", item_type="interventie", evidence_status="goed_beschreven")
    changed = make_item("Werkplaatsen", item_type="interventie", evidence_status="nog_niet_beoordeeld")
    untouched = make_item("Verslag")
    # What migration archive_0006 does to converted items.
    db.session.execute(sa.update(KnowledgeItem).where(KnowledgeItem.id.in_([kept.id, changed.id]))
                       .values(evidence_review=True))
    db.session.commit()
    editor = app.test_client(user=organiser)
    listing = editor.get("/manage/kennisbank/").get_data(as_text=True)
    assert listing.count("niveau automatisch omgezet — controleer") == 2
    assert "Het erkenningsniveau van 2 items" not in listing and "De erkenningsniveaus van 2 items" in listing
    to_check = editor.get("/manage/kennisbank/?review=1").get_data(as_text=True)
    assert "Gastlessen" in to_check and "Werkplaatsen" in to_check and "Verslag" not in to_check
    page = editor.get(f"/manage/kennisbank/{kept.id}").get_data(as_text=True)
    assert "Niveau automatisch omgezet — controleer." in page and "Dit niveau behouden" in page
    assert editor.post(f"/manage/kennisbank/{kept.id}/level").status_code == 302
    # Changing the level on the form checks it too.
    assert editor.post(f"/manage/kennisbank/{changed.id}",
                       data=_form(title="Werkplaatsen", evidence_status="goed_beschreven")).status_code == 302
    db.session.expire_all()
    assert not db.session.get(KnowledgeItem, kept.id).evidence_review
    assert db.session.get(KnowledgeItem, kept.id).evidence_status == "goed_beschreven"
    assert not db.session.get(KnowledgeItem, changed.id).evidence_review
    assert not db.session.get(KnowledgeItem, untouched.id).evidence_review
    listing = editor.get("/manage/kennisbank/").get_data(as_text=True)
    assert "automatisch omgezet" not in listing
    assert editor.get("/manage/kennisbank/?review=1&page=99999999999999").status_code == 200


def test_the_editor_form_offers_the_levels_and_checks_the_fields(app, organiser):
    editor = app.test_client(user=organiser)
    page = editor.get("/manage/kennisbank/new").get_data(as_text=True)
    for label in DUTCH:
        assert label in page
    assert "minstens één studie met een vergelijkings- of controlegroep" in page  # the explanation with the level
    assert 'type="radio"' in page and 'name="evidence_status"' in page
    process = make_item("Procesevaluatie training", item_type="evaluatie")
    effect = make_item("Effectonderzoek training", item_type="evaluatie")

    response = editor.post("/manage/kennisbank/new", data=_form(databank_url="javascript:alert(1)",
                                                                process_evaluations="onbekend1"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Geef een adres dat begint met https://." in html and "Geen item heeft de sleutel onbekend1." in html
    assert "Jongerenwerkers toerusten." in html and "Drie dagdelen." in html  # nothing typed is lost
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeItem)) == 2
    for hostile in ("bewezen_effectief", "x" * 5000, "effectief_eerste'; DROP TABLE knowledge_items; --"):
        response = editor.post("/manage/kennisbank/new", data=_form(evidence_status=hostile))
        assert response.status_code == 200 and "utrecht-form-field-error-message" in response.get_data(as_text=True)

    response = editor.post("/manage/kennisbank/new", data=_form(process_evaluations=process.key,
                                                                effect_evaluations=f"{effect.key}, {process.key}"))
    assert response.status_code == 302
    item = db.session.scalar(sa.select(KnowledgeItem).where(KnowledgeItem.type == "interventie"))
    assert (item.evidence_status, item.tested_at, item.manual_url) == (
        "goed_beschreven", "Utrecht (2024).", "https://example.org/handleiding.pdf")
    assert item.implementers == ["Jongerenwerk Utrecht", "Bibliotheek Zwolle"]
    relations = services.relations_of(item)
    # An item named as both kinds is a process evaluation once.
    assert [r.key for r in relations["process"]] == [process.key]
    assert [r.key for r in relations["effect"]] == [effect.key] and relations[""] == []
    edit = editor.get(f"/manage/kennisbank/{item.id}").get_data(as_text=True)
    assert f'value="{effect.key}"' in edit
    assert re.search(r'<input[^>]* checked [^>]*value="goed_beschreven"', edit)
    # Saving it again as it is writes no relation and no version.
    assert editor.post(f"/manage/kennisbank/{item.id}", data=_form(
        process_evaluations=process.key, effect_evaluations=effect.key)).status_code == 302
    assert len(item.versions) == 1


def test_item_page_shows_the_level_and_what_is_filled_in(client, app):
    process = make_item("Ervaringen met de training", item_type="evaluatie")
    hidden = make_item("Concept-effectonderzoek", item_type="evaluatie", status="draft")
    item = make_item("Training digitale weerbaarheid", item_type="interventie", evidence_status="goed_beschreven",
                     aim="Jongerenwerkers toerusten.", approach="Drie dagdelen.\nEen terugkommoment.",
                     implementers="Jongerenwerk Utrecht", databank_url="https://databank.example.nl/training")
    services.set_related(item, [], process_ids=[process.id], effect_ids=[hidden.id])
    db.session.commit()
    html = client.get(f"/kennisbank/item/{item.key}").get_data(as_text=True)
    assert 'class="level-badge' in html and "Goed beschreven" in html and "niveau 2 van 6" in html
    assert "Doel, doelgroep en aanpak zijn volledig en helder beschreven" in html  # what the level means
    assert "<h3 class=\"utrecht-heading-3\">Doel</h3>" in html and "Een terugkommoment." in html
    assert "Uitvoerende organisaties" in html and "Jongerenwerk Utrecht" in html
    assert "Werkzame elementen" not in html and "Handboek of handleiding" not in html  # not filled in
    assert 'href="https://databank.example.nl/training"' in html
    assert "Procesevaluaties" in html and "Ervaringen met de training" in html
    assert "Concept-effectonderzoek" not in html and "Effectevaluaties" not in html  # not published
    english = client.get(f"/kennisbank/item/{item.key}?lang=en").get_data(as_text=True)
    assert "Well described" in english and "Process evaluations" in english and "Aim" in english
    plain = make_item("Sessieverslag")
    page = client.get(f"/kennisbank/item/{plain.key}").get_data(as_text=True)
    assert "level-badge" not in page and "De interventie" not in page


def test_api_json_ld_and_csv_carry_the_new_values(client, app):
    item = make_item("Oudercursus", item_type="interventie", evidence_status="effectief_goede",
                     summary="Opvoeden samen", publication_date="2025-05-20", active_ingredients="Groepsoefeningen",
                     implementers="Centrum voor Jeugd en Gezin", databank_url="https://databank.example.nl/ouders")
    make_item("Mentorprogramma", item_type="interventie", evidence_status="effectief_eerste", summary="Mentor")
    data = client.get(f"/api/v1/knowledge/{item.key}").get_json()
    assert data["evidence_status"] == "effectief_goede"  # the field keeps its name
    assert data["intervention"]["implementers"] == ["Centrum voor Jeugd en Gezin"]
    assert data["intervention"]["databank_url"] == "https://databank.example.nl/ouders"
    assert data["intervention"]["manual_url"] is None
    # The databanks' fields are searched like the text.
    assert [i["key"] for i in client.get("/api/v1/knowledge?q=groepsoefening").get_json()["items"]] == [item.key]
    found = client.get("/api/v1/knowledge?level=effectief_goede").get_json()
    assert [i["title"] for i in found["items"]] == ["Oudercursus"]
    assert {f["value"]: f["count"] for f in found["facets"]["level"]} == {"effectief_goede": 1, "effectief_eerste": 1}
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["KnowledgeItem"]
    assert "intervention" in schema["properties"]
    enum = json.dumps(schema["properties"]["evidence_status"])
    assert all(level in enum for level in LEVELS) and "getest" not in enum
    parameters = client.get("/api/v1/openapi.json").get_json()["paths"]["/knowledge"]["get"]["parameters"]
    assert next(p for p in parameters if p["name"] == "level")["schema"]["items"]["enum"] == LEVELS
    html = client.get(f"/kennisbank/item/{item.key}").get_data(as_text=True)
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1))
    assert ld["additionalProperty"]["value"] == "Effectief – goede aanwijzingen"
    text = client.get("/kennisbank/export.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert {r["title"]: r["evidence_status"] for r in rows} == {"Oudercursus": "effectief_goede",
                                                                "Mentorprogramma": "effectief_eerste"}
    make_item("Werkplaatsen", item_type="interventie", evidence_status="nog_niet_beoordeeld")
    make_item("Buurtgesprekken", item_type="interventie", evidence_status="effectief_goede")
    listed = client.get("/kennisbank/").get_data(as_text=True)
    # The level's facet on the search page follows the scale (not the counts: 1, 1, 2).
    positions = [listed.index(f'value="{v}"') for v in ("nog_niet_beoordeeld", "effectief_eerste", "effectief_goede")]
    assert positions == sorted(positions)
    search_page = client.get("/kennisbank/?level=effectief_eerste").get_data(as_text=True)
    assert "Erkenningsniveau" in search_page and "Mentorprogramma" in search_page and "Oudercursus" not in search_page
