"""Demo data for the knowledge base: the 2024 edition's sessions as published items, plus
interventions (with their recognition level and the databanks' fields), evaluations, a report,
news and milestones.

The texts follow the Agenda's letters to the House of Representatives (7 July 2023 and
26 November 2024). The levels of the Agenda's own activities stay modest, as the letters do: the
Agenda was still testing what works ("testen wat werkt"). Three made-up examples (a training in
digital resilience for youth workers, the mentoring programme "Eigen Koers", the parent course
"Samen Sterk Thuis") show the rest of the scale; their databank links point to the databanks'
front pages, not to entries. Idempotent.
"""

from __future__ import annotations

import io
from datetime import date
from html import escape

import sqlalchemy as sa

from congress.archive import demo_recordings, services
from congress.archive.models import ItemStatus, KnowledgeItem
from congress.core.queries import congress_by_slug
from congress.extensions import db

SESSION_TEXTS_2024 = {
    "Opening van het eerste Congres Veerkrachtige & Weerbare Samenleving": (
        "In mei 2024 kwamen experts van ministeries, gemeenten, maatschappelijke organisaties, burgers en "
        "wetenschappers bijeen voor het eerste congres van de Agenda Veerkrachtige & Weerbare Samenleving.",
        "## Waarom deze Agenda?\n\n"
        "Het kabinet wil de veerkracht en weerbaarheid van de samenleving bevorderen en zo bijdragen aan sociale "
        "stabiliteit. Gemeenten, maatschappelijke organisaties en onderwijsinstellingen hebben behoefte aan meer "
        "kennis en methodes om de veerkracht en weerbaarheid van inwoners te vergroten.\n\n"
        "## Van testen wat werkt naar doen wat werkt\n\n"
        "In de ontwikkelfase (2023–2025) ligt de nadruk op het vergroten van de kennisbasis en het ontwikkelen, "
        "testen en evalueren van methodes. Methodes die zich in de praktijk bewijzen, worden daarna landelijk "
        "gebruikt.\n\n"
        "De Agenda werkt langs vier actielijnen:\n\n"
        "1. het versterken van expertise;\n2. het (verder) ontwikkelen van interventies;\n"
        "3. het versterken van samenwerking;\n4. het stimuleren van gerichte beleidsontwikkeling.",
        ["democratisch burgerschap", "sociale cohesie"],
        ["primaire preventie", "actielijnen"],
    ),
    "Digitale weerbaarheid bij jongeren: wat weten we?": (
        "Een overzicht van wat bekend is over digitale weerbaarheid als beschermende factor, en wat nog niet.",
        "Digitale weerbaarheid is een van de bekende beschermende factoren die een buffer kunnen vormen tegen de "
        "invloed van risicofactoren. Er is nog weinig empirisch onderzoek gedaan naar het bevorderen van "
        "veerkracht en weerbaarheid; daarom weten we nog niet goed genoeg wat in de praktijk werkt en onder welke "
        "omstandigheden.\n\nIn de workshop bespraken deelnemers hoe professionals jongeren helpen om "
        "desinformatie en online polarisatie te herkennen.",
        ["digitale weerbaarheid"],
        ["mediawijsheid", "desinformatie", "onderzoek"],
    ),
    "Zelfbeschikking en emancipatie in de praktijk": (
        "Gemeenten deelden hun aanpak om zelfbeschikking te versterken: vrij zijn om eigen keuzes te maken.",
        "Samenleven in superdiversiteit betekent dat mensen vrij zijn om binnen de grenzen van de democratische "
        "rechtsstaat hun eigen keuzes te maken. Een gebrek aan zelfbeschikking zet die vrijheid onder druk.\n\n"
        "Gemeenten lieten zien hoe zij met sleutelfiguren uit gemeenschappen werken aan positieve "
        "identiteitsontwikkeling en het voorkomen van schadelijke praktijken.",
        ["positieve identiteitsontwikkeling"],
        ["zelfbeschikking", "sleutelfiguren", "schadelijke praktijken"],
    ),
    "Preventie van jeugdcriminaliteit: de rol van de wijk": (
        "Over primaire preventie en de samenwerking tussen jongerenwerk, school en gemeente.",
        "De Agenda richt zich op primaire preventie: het versterken van de algemene weerbaarheid en veerkracht "
        "van groepen en individuen, en het toerusten van professionals om beschermende factoren te versterken. "
        "Secundaire preventie en repressie vallen erbuiten.\n\nDeelnemers bespraken de rol van jongerenwerk, "
        "school en gemeente in wijken waar de leefbaarheid en veiligheid onder druk staan.",
        ["ondersteunende gezinsstructuren"],
        ["jongerenwerk", "primaire preventie"],
    ),
    "Netwerken en participatie: ontmoeting organiseren": (
        "Buurtinitiatieven professionaliseren en bewoners activeren: wat gemeenten doen met de SPUK Kansrijke Wijk.",
        "Met de Specifieke Uitkering Kansrijke Wijk investeren de twintig focusgebieden van het Nationaal "
        "Programma Leefbaarheid en Veiligheid in het organiseren van ontmoetingen, het bevorderen van sociale "
        "cohesie, het professionaliseren van buurtinitiatieven en het activeren van bewoners en sleutelfiguren.",
        ["sociale cohesie", "democratisch burgerschap"],
        ["SPUK Kansrijke Wijk", "buurtinitiatieven"],
    ),
}

SLIDES_TEXT = "Agenda Veerkrachtige en Weerbare Samenleving - vier actielijnen - budget 10,6 miljoen euro 2023-2025"


def sample_pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` (demo slides; tests use it too), made by weasyprint."""
    from weasyprint import HTML  # noqa: PLC0415 - heavy (Pango, fonts): loaded only when demo slides are made

    return HTML(string=f"<!doctype html><html lang='nl'><body><p>{escape(text)}</p></body></html>").write_pdf()


# The English title and summary of several items (issue 18: both languages), by key.
ENGLISH = {
    "homebase": ("Homebase. A basis for interventions to prevent youth crime",
                 "Research into what makes the existing youth workshops in the Netherlands succeed, commissioned by "
                 "the Ministry of Social Affairs and Employment with a contribution from the Ministry of Justice "
                 "and Security."),
    "sociallabs": ("Social Labs: young people's resilience against criminal temptation",
                   "Social Labs strengthen young people's resilience, so that they are less susceptible when they "
                   "come into contact with crime."),
    "weerbaarheidstraining": ("Resilience training and media literacy guest lessons",
                              "Pupils learn to recognise disinformation and to talk about online polarisation."),
    "mentorprogramma": ("Eigen Koers mentoring programme for young people at risk of crime", ""),
    "raad": ("Social Council for the Agenda appointed", ""),
    "congres-2024": ("First Congress on a Resilient Society",
                     "Experts from ministries, municipalities, civil-society organisations, citizens and scientists "
                     "met for the first congress of the Agenda."),
}

# (key, type, title, summary, body, fields)
ITEMS = [
    ("homebase", "rapport", "Homebase. Een basis voor interventies ter preventie van jeugdcriminaliteit",
     "Onderzoek naar de succesfactoren van bestaande jongerenwerkplaatsen in Nederland, uitgevoerd in opdracht "
     "van het Ministerie van SZW met een bijdrage van het Ministerie van Justitie en Veiligheid.",
     "Op basis van de uitkomsten van dit onderzoek worden in drie wijken waar de leefbaarheid en veiligheid onder "
     "druk staan nieuwe jongerenwerkplaatsen opgezet. De werkplaatsen lopen tot en met 2025.",
     {"authors": ["F. Kaulingfreks", "J.D. de Jong", "S. Sieckelinck"], "publication_date": "2024-06-01",
      "factors": ["ondersteunende gezinsstructuren", "positieve identiteitsontwikkeling"],
      "target_groups": ["jongeren", "jongerenwerkers"], "tags": ["jongerenwerkplaatsen", "jeugdcriminaliteit"],
      "track": "Preventie van jeugdcriminaliteit"}),
    ("werkplaatsen", "interventie", "Jongerenwerkplaatsen in drie wijken",
     "Nieuwe jongerenwerkplaatsen in wijken waar de leefbaarheid en veiligheid onder druk staan, opgezet op basis "
     "van de succesfactoren uit het Homebase-onderzoek.",
     "De werkplaatsen bieden jongeren een plek, activiteiten en begeleiding, zodat zij minder vatbaar zijn als zij "
     "met criminaliteit in aanraking komen. Ze lopen tot en met 2025 en worden gevolgd.",
     {"evidence_status": "nog_niet_beoordeeld", "setting": "Jongerenwerk in de wijk", "publication_date": "2024-11-26",
      "factors": ["positieve identiteitsontwikkeling"], "target_groups": ["jongeren"],
      "aim": "Jongeren in wijken onder druk een plek en begeleiding bieden, zodat zij minder vatbaar zijn voor "
             "criminele verleiding.",
      "approach": "Jongerenwerkers openen een werkplaats in de wijk met vaste openingstijden, activiteiten die "
                  "jongeren zelf mee bedenken en individuele begeleiding naar school, werk of hulp.",
      "tested_at": "Drie wijken, 2024–2025 (de werkplaatsen worden gevolgd).",
      "track": "Preventie van jeugdcriminaliteit", "related": ["homebase"]}),
    ("sociallabs", "interventie", "Social Labs: veerkracht van jongeren tegen criminele verleiding",
     "Social Labs vergroten de veerkracht en weerbaarheid van jongeren, zodat zij minder vatbaar zijn als zij met "
     "criminaliteit in aanraking komen.",
     "Het Ministerie van Justitie en Veiligheid stelde vanuit de aanpak Preventie met Gezag 2,1 miljoen euro "
     "beschikbaar aan het Ministerie van SZW om Social Labs te ontwikkelen.",
     {"evidence_status": "goed_onderbouwd", "setting": "Wijk en jongerenwerk", "publication_date": "2024-11-26",
      "aim": "De veerkracht en weerbaarheid van jongeren vergroten, zodat zij minder vatbaar zijn als zij met "
             "criminaliteit in aanraking komen.",
      "approach": "In een Social Lab werken jongeren, ouders, jongerenwerk, school en wijkagent samen aan een "
                  "vraag uit de wijk; de aanpak wordt in korte rondes uitgeprobeerd en bijgesteld.",
      "active_ingredients": "Jongeren zijn mede-eigenaar van de aanpak; vaste begeleiders die zij vertrouwen; "
                            "ouders en school doen mee.",
      "implementers": ["Jongerenwerk", "Gemeenten"],
      "factors": ["positieve identiteitsontwikkeling", "ondersteunende gezinsstructuren"],
      "target_groups": ["jongeren"], "organisations": ["Ministerie van Justitie en Veiligheid",
                                                      "Ministerie van Sociale Zaken en Werkgelegenheid"],
      "track": "Preventie van jeugdcriminaliteit", "related": ["homebase"]}),
    ("communitybuilders", "interventie", "Community builders in Woensel Zuid",
     "In Woensel Zuid (Eindhoven) organiseren community builders buurtactiviteiten die sociale cohesie "
     "versterken en polarisatie verminderen.",
     "De community builders brengen mensen, verenigingen en bedrijven in de wijk met elkaar in contact, zodat "
     "mensen weten waar ze terecht kunnen voor ontmoeting, activiteiten of hulp. Eindhoven betaalt dit uit de "
     "SPUK Kansrijke Wijk.",
     {"evidence_status": "goed_beschreven", "setting": "Wijk (focusgebied NPLV)", "publication_date": "2024-11-26",
      "aim": "Sociale cohesie in de wijk versterken en polarisatie verminderen.",
      "approach": "Community builders brengen bewoners, verenigingen en bedrijven met elkaar in contact en "
                  "organiseren samen met hen buurtactiviteiten.",
      "implementers": ["Gemeente Eindhoven"], "tested_at": "Woensel Zuid, Eindhoven (2024).",
      "factors": ["sociale cohesie", "democratisch burgerschap"], "target_groups": ["bewoners", "verenigingen"],
      "organisations": ["Gemeente Eindhoven"], "track": "Netwerken en participatie",
      "related": ["evaluatie-du"]}),
    ("weerbaarheidstraining", "interventie", "Weerbaarheidstrainingen en gastlessen mediawijsheid",
     "Gemeenten met een Decentrale Uitkering Veerkracht en Weerbaarheid organiseren weerbaarheidstrainingen en "
     "gastlessen over mediawijsheid en democratische waarden.",
     "Zeven gemeenten kregen tot eind 2024 een bijdrage via de Decentrale Uitkering. In 2023 ging het om "
     "€ 313.327. Met de lessen leren leerlingen desinformatie herkennen en over democratische waarden praten.",
     {"evidence_status": "goed_beschreven", "setting": "Onderwijs en welzijn", "publication_date": "2024-11-26",
      "factors": ["digitale weerbaarheid", "democratisch burgerschap"], "target_groups": ["leerlingen", "jongeren"],
      "aim": "Leerlingen leren desinformatie herkennen en over democratische waarden in gesprek gaan.",
      "approach": "Een reeks gastlessen in de klas en een weerbaarheidstraining in kleine groepen.",
      "tested_at": "Zeven gemeenten met een Decentrale Uitkering Veerkracht en Weerbaarheid (2023–2024).",
      "track": "Digitale weerbaarheid", "process": ["evaluatie-du"]}),
    ("training-jongerenwerkers", "interventie", "Training digitale weerbaarheid voor jongerenwerkers",
     "Een training van drie dagdelen waarin jongerenwerkers leren hoe zij jongeren helpen met online druk, "
     "sexting, desinformatie en online ronselen.",
     "Jongerenwerkers oefenen met gesprekken over wat jongeren online meemaken en leren wanneer en hoe zij "
     "doorverwijzen. De training is uitgewerkt in een handleiding voor trainers.",
     {"evidence_status": "goed_beschreven", "setting": "Jongerenwerk", "publication_date": "2025-02-10",
      "factors": ["digitale weerbaarheid"], "target_groups": ["jongerenwerkers"],
      "aim": "Jongerenwerkers zijn toegerust om jongeren te steunen bij online druk, sexting, desinformatie en "
             "online ronselen.",
      "approach": "Drie dagdelen met casussen uit de praktijk, oefengesprekken met een trainingsacteur en een "
                  "terugkommoment na twee maanden.",
      "active_ingredients": "Oefenen met echte situaties; een vaste gespreksaanpak; weten wie in de gemeente wat "
                            "doet (sociale kaart).",
      "implementers": ["Jongerenwerkorganisaties", "Bibliotheken"],
      "tested_at": "Vier jongerenwerkorganisaties in Utrecht en Zwolle (2024).",
      "manual": "Handleiding voor trainers met oefeningen, casussen en een gespreksaanpak.",
      "databank_url": "https://www.movisie.nl/databank-effectieve-sociale-interventies",
      "track": "Digitale weerbaarheid"}),
    ("mentorprogramma", "interventie", "Mentorprogramma Eigen Koers voor jongeren met risico op criminaliteit",
     "Een vrijwillige mentor trekt een jaar lang op met een jongere van 12 tot 18 jaar bij wie risico's op "
     "criminaliteit zich opstapelen.",
     "Mentor en jongere zien elkaar wekelijks. De mentor wordt geworven, getraind en begeleid door een "
     "professionele coördinator, die ook met ouders en school contact houdt.",
     {"evidence_status": "effectief_eerste", "setting": "Wijk en school", "publication_date": "2025-04-14",
      "factors": ["positieve identiteitsontwikkeling", "ondersteunende gezinsstructuren"],
      "target_groups": ["jongeren", "ouders"],
      "aim": "Minder schooluitval en minder politiecontacten bij jongeren van 12 tot 18 jaar met een opstapeling "
             "van risicofactoren.",
      "approach": "Een jaar lang wekelijks contact met een getrainde vrijwillige mentor; een coördinator begeleidt "
                  "de mentoren en betrekt ouders en school.",
      "active_ingredients": "Een stabiele band met een volwassene van buiten het gezin; activiteiten die de "
                            "jongere kiest; samenwerking met ouders en school.",
      "implementers": ["Welzijnsorganisaties", "Jongerenwerk"],
      "tested_at": "Twee gemeenten in Noord-Brabant (2022–2024), met een voor- en nameting bij 84 jongeren.",
      "manual": "Werkboek voor coördinatoren en een training voor mentoren.",
      "track": "Preventie van jeugdcriminaliteit", "effect": ["effect-mentor"]}),
    ("effect-mentor", "evaluatie", "Eerste effecten van het Mentorprogramma Eigen Koers",
     "Een voor- en nameting bij 84 jongeren: na een jaar minder schoolverzuim en meer vertrouwen in de toekomst.",
     "Het onderzoek had geen controlegroep: de resultaten zijn eerste aanwijzingen dat het programma werkt. "
     "Een studie met een vergelijkingsgroep is in voorbereiding.",
     {"publication_date": "2025-04-14", "factors": ["positieve identiteitsontwikkeling"],
      "target_groups": ["jongeren"], "tags": ["effectonderzoek", "mentoring"],
      "track": "Preventie van jeugdcriminaliteit"}),
    ("oudercursus", "interventie", "Oudercursus Samen Sterk Thuis",
     "Een groepscursus van acht bijeenkomsten voor ouders van kinderen van 8 tot 14 jaar over opvoeden, grenzen "
     "stellen en praten over wat kinderen online en op straat meemaken.",
     "Ouders oefenen met elkaar onder leiding van twee getrainde begeleiders; tussen de bijeenkomsten passen zij "
     "thuis toe wat zij leerden.",
     {"evidence_status": "effectief_goede", "setting": "Wijkcentrum en school", "publication_date": "2025-05-20",
      "factors": ["ondersteunende gezinsstructuren"], "target_groups": ["ouders"],
      "aim": "Ouders voelen zich zekerder in het opvoeden en het gezin heeft minder spanningen.",
      "approach": "Acht wekelijkse groepsbijeenkomsten met oefeningen en huiswerk; een terugkombijeenkomst na drie "
                  "maanden.",
      "active_ingredients": "Oefenen in de groep; positieve aandacht en duidelijke grenzen; steun van andere ouders.",
      "implementers": ["Centra voor Jeugd en Gezin", "Welzijnsorganisaties"],
      "tested_at": "Zes gemeenten (2021–2024), onderzocht met een vergelijkingsgroep.",
      "manual": "Handboek voor begeleiders en een werkmap voor ouders.",
      "databank_url": "https://www.nji.nl/interventies",
      "track": "Netwerken en participatie"}),
    ("dialoogavonden", "interventie", "Dialoogavonden over het tegengaan van polarisatie",
     "Avonden waarop inwoners met elkaar in gesprek gaan over onderwerpen die verdelen, begeleid door "
     "professionals.",
     "Een van de activiteiten die gemeenten met de Decentrale Uitkering Veerkracht en Weerbaarheid organiseren.",
     {"evidence_status": "nog_niet_beoordeeld", "setting": "Buurthuis en bibliotheek",
      "publication_date": "2024-11-26",
      "factors": ["sociale cohesie", "democratisch burgerschap"], "target_groups": ["inwoners"],
      "track": "Netwerken en participatie", "process": ["evaluatie-du"]}),
    ("evaluatie-du", "evaluatie", "Ervaringen met de Decentrale Uitkering Veerkracht en Weerbaarheid",
     "Een eerste evaluatie van activiteiten in gemeenten met een Decentrale Uitkering: weerbaarheidstrainingen, "
     "gastlessen mediawijsheid en dialoogavonden.",
     "De evaluatie beschrijft de ervaringen van deelnemers en uitvoerders in de praktijk. Effecten op langere "
     "termijn zijn nog niet gemeten: na de ontwikkelfase beoordeelt het ministerie welk type interventie het "
     "meest effectief is.",
     {"publication_date": "2025-03-01", "factors": ["digitale weerbaarheid", "sociale cohesie"],
      "target_groups": ["gemeenten", "professionals"], "tags": ["Decentrale Uitkering", "evaluatie"]}),
    ("raad", "nieuws", "Maatschappelijke Raad voor de Agenda aangesteld",
     "Zeven onafhankelijke leden met een breed netwerk en diverse achtergronden adviseren gevraagd en ongevraagd "
     "over de uitvoering van de Agenda.",
     "De leden komen uit verschillende regio's van Nederland, hun leeftijden variëren van 20 tot 70 jaar en zij "
     "zijn voor twee jaar benoemd. De Raad denkt ook mee over de doorontwikkeling van de Agenda na 2025.",
     {"publication_date": "2024-11-26", "tags": ["Maatschappelijke Raad"]}),
    ("congres-2024", "mijlpaal", "Eerste Congres Veerkrachtige & Weerbare Samenleving",
     "In mei 2024 werd het eerste congres gehouden: het delen van opgedane kennis is een belangrijk element van "
     "de Agenda.",
     "Experts van ministeries, gemeenten, maatschappelijke organisaties, burgers en wetenschappers gingen in "
     "gesprek over digitale weerbaarheid, zelfbeschikking en emancipatie, preventie van jeugdcriminaliteit en "
     "netwerken en participatie.",
     {"publication_date": "2024-05-23", "tags": ["congres"]}),
    ("spuk", "mijlpaal", "Ruim € 28 miljoen voor veerkracht en weerbaarheid in twintig wijken",
     "Veel gemeenten zetten de integrale middelen van de SPUK Kansrijke Wijk in voor veerkracht en "
     "weerbaarheid: niet € 6,3 miljoen maar ruim € 28 miljoen komt zo beschikbaar.",
     "De Ministeries van SZW, VWS, OCW en BZK stelden samen € 256 miljoen beschikbaar voor de twintig kwetsbare "
     "stedelijke gebieden van het Nationaal Programma Leefbaarheid en Veiligheid.",
     {"publication_date": "2024-11-26", "factors": ["sociale cohesie"], "tags": ["SPUK Kansrijke Wijk"]}),
]


# Published once and withdrawn later: the public page says so, and harvesters (OAI-PMH) get it as deleted.
WITHDRAWN = ("factsheet-2023", "rapport", "Factsheet digitale weerbaarheid van jongeren (2023)",
             "Een eerste overzicht van wat gemeenten in 2023 deden aan mediawijsheid en digitale weerbaarheid.",
             "De factsheet bundelde de eerste ervaringen van gemeenten met gastlessen mediawijsheid.",
             {"publication_date": "2023-10-02", "factors": ["digitale weerbaarheid"],
              "target_groups": ["gemeenten"], "tags": ["mediawijsheid"], "track": "Digitale weerbaarheid"},
             "Vervangen door de evaluatie van de Decentrale Uitkering Veerkracht en Weerbaarheid (maart 2025).")


def _publish(item: KnowledgeItem) -> None:
    if item.status == ItemStatus.DRAFT.value:
        services.set_status(item, ItemStatus.IN_REVIEW.value)
    if item.status == ItemStatus.IN_REVIEW.value:
        services.set_status(item, ItemStatus.PUBLISHED.value)


# The search's synonym list as an editor starts it: the Agenda's own pairs of words.
SYNONYMS = [
    "jongeren, jeugd",
    "radicalisering, extremisme",
    "weerbaarheid, veerkracht",
    "mediawijsheid, digitale geletterdheid",
    "jeugdcriminaliteit, criminaliteit onder jongeren",
    "sleutelfiguren, sleutelpersonen",
]


def load(report: list[str]) -> None:
    edition = congress_by_slug("congres-2024")
    if edition is None:
        return
    if not services.synonyms():
        for words in SYNONYMS:
            services.save_synonym(words)
        report.append(f"Knowledge base search: {len(SYNONYMS)} groups of synonyms.")
    if db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeItem)):
        report.append("Knowledge base has items; demo items left as they are.")
        demo_recordings.load(report)
        return
    outcome = services.archive_sessions(edition, invite=False, today=date.today())  # the past edition has ended
    for item in outcome.items:
        summary, body, factors, tags = SESSION_TEXTS_2024.get(item.title, (item.summary, "", [], []))
        services.update_item(item, summary=summary, body=body, factors=factors, tags=tags,
                             note="verslag van de redactie")
        if item.title.startswith("Opening"):
            services.add_file(item, io.BytesIO(sample_pdf(SLIDES_TEXT)), "opening-dia.pdf", description="Dia's",
                              uploaded_by="demo", licence="CC BY-SA 4.0")
            # A speaker's notes, uploaded without consent to publish: the editors see them, nobody else.
            services.add_file(item, io.BytesIO(sample_pdf("Aantekeningen van de spreker bij de opening")),
                              "aantekeningen-spreker.pdf", description="Aantekeningen", uploaded_by="speaker:demo",
                              publication_consent=False)
        _publish(item)
    tracks = {t.name_nl: t.id for t in edition.tracks}
    by_key: dict[str, KnowledgeItem] = {}
    for key, item_type, title, summary, body, fields in ITEMS:
        fields = dict(fields)
        relations = {kind: fields.pop(kind, []) for kind in ("related", "process", "effect")}
        track = fields.pop("track", None)
        title_en, summary_en = ENGLISH.get(key, ("", ""))
        item = services.create_item(item_type, title, summary=summary, body=body, note="demo",
                                    title_en=title_en, summary_en=summary_en,
                                    track_id=tracks.get(track) if track else None,
                                    congress_id=edition.id if track else None, **fields)
        by_key[key] = item
        item._demo_related = relations  # type: ignore[attr-defined]
    for item in by_key.values():
        relations = item._demo_related  # type: ignore[attr-defined]
        if any(relations.values()):
            ids = {kind: [by_key[k].id for k in keys] for kind, keys in relations.items()}
            services.set_related(item, ids["related"], process_ids=ids["process"], effect_ids=ids["effect"])
        _publish(item)
    _key, item_type, title, summary, body, fields, reason = WITHDRAWN
    fields = dict(fields)
    track = fields.pop("track")
    withdrawn = services.create_item(item_type, title, summary=summary, body=body, note="demo",
                                     track_id=tracks.get(track), congress_id=edition.id, **fields)
    _publish(withdrawn)
    services.set_status(withdrawn, ItemStatus.WITHDRAWN.value, reason=reason)
    db.session.flush()
    report.append(f"Knowledge base: {len(outcome.items)} session items of congres-2024 and {len(by_key)} "
                  "interventions, evaluations, reports, news and milestones published, one report withdrawn.")
    demo_recordings.load(report)
