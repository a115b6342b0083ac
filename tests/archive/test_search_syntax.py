"""The query syntax people type (phrases, OR, -word, AND), word forms, the editors' synonyms and
"did you mean": the issue's examples, hostile input, and a brute-force comparison over the demo
archive (plain Python evaluation of the parsed query against the items' stemmed texts), on SQLite
and on PostgreSQL alike."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from congress.archive import search, services
from congress.archive import text as textmod
from congress.archive.models import ItemStatus, KnowledgeItem, SearchSynonym, SearchWord
from congress.archive.search import parse_query
from congress.extensions import db
from tests.archive.factories import make_item


@pytest.fixture
def corpus(app):
    return {
        "polarisatie": make_item("Polarisatie in de klas", summary="Hoe leraren polarisatie bespreekbaar maken."),
        "jongeren": make_item("Jongeren en desinformatie", summary="Jongeren leren nepnieuws herkennen."),
        "both": make_item("Polarisatie onder jongeren", summary="Een gesprek met jongeren over tegenstellingen."),
        "jeugd": make_item("Jeugd in de wijk", summary="Ontmoeting voor de jeugd in Woensel Zuid."),
        "ouders": make_item("Ouders en jongeren", summary="Ouders praten met jongeren over online gedrag."),
        "draft": make_item("Polarisatie concept", status="draft", summary="Nog niet gepubliceerd."),
    }


def titles(query: str) -> set[str]:
    return {hit.item.title for hit in search.search(query, per_page=100).hits}


def test_a_verb_finds_the_noun(corpus):
    """The issue's example: "polariseren" found nothing although "polarisatie" items exist."""
    assert titles("polariseren") == {"Polarisatie in de klas", "Polarisatie onder jongeren"}
    assert titles("polarisering") == titles("polarisatie") == titles("polariseren")


def test_and_is_a_plain_conjunction(corpus):
    """The issue's example: a query with AND gave 0 results."""
    assert titles("polarisatie AND jongeren") == {"Polarisatie onder jongeren"}
    assert titles("polarisatie EN jongeren") == titles("polarisatie jongeren") == titles("polarisatie AND jongeren")


def test_or_minus_and_phrases(corpus):
    assert titles("polarisatie OR desinformatie") == {
        "Polarisatie in de klas", "Polarisatie onder jongeren", "Jongeren en desinformatie"}
    assert titles("jongeren -polarisatie") == {"Jongeren en desinformatie", "Ouders en jongeren"}
    assert titles('jongeren -"online gedrag"') == {"Jongeren en desinformatie", "Polarisatie onder jongeren"}
    assert titles('"nepnieuws herkennen"') == {"Jongeren en desinformatie"}
    assert titles('"herkennen nepnieuws"') == set()
    # OR binds the words beside it; the other words still must match.
    assert titles("ouders OR klas polarisatie") == {"Polarisatie in de klas"}


def test_the_editors_synonyms_widen_a_search(corpus):
    assert "Jeugd in de wijk" not in titles("jongeren")
    services.save_synonym("jongeren, jeugd")
    assert "Jeugd in de wijk" in titles("jongeren")
    assert "Jongeren en desinformatie" in titles("jeugd")
    # An excluded word excludes its synonyms too.
    assert titles("wijk -jongeren") == set()
    # A phrase can be a member.
    services.save_synonym("nepnieuws, online gedrag")
    assert titles("nepnieuws") == {"Jongeren en desinformatie", "Ouders en jongeren"}


@pytest.mark.parametrize("words", ["jongeren", "jongeren,", ", ,", "!!, ??", "a" * 300 + ", " + "b" * 300])
def test_a_synonym_group_needs_two_members(app, words):
    with pytest.raises(services.ArchiveError) as refused:
        services.save_synonym(words)
    assert refused.value.field == "words"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchSynonym)) == 0


def test_did_you_mean(corpus):
    assert search.search("polarsatie").total == 0
    assert search.suggestion("polarsatie") == "polarisatie"
    assert search.suggestion("jongren AND polarisatei") == "jongeren AND polarisatie"
    assert search.suggestion("polarisatie") is None  # a known word
    assert search.suggestion("qqqqqqq") is None  # nothing near
    # Only a suggestion that finds something (the draft's words are in the vocabulary too).
    assert search.suggestion("concepr") is None
    assert db.session.get(SearchWord, "concept") is not None


def test_did_you_mean_on_the_page(client, corpus):
    page = client.get("/kennisbank/", query_string={"q": "polarsatie"}).get_data(as_text=True)
    assert "Bedoelde u:" in page and "q=polarisatie" in page
    english = client.get("/kennisbank/", query_string={"q": "polarsatie", "lang": "en"}).get_data(as_text=True)
    assert "Did you mean:" in english
    found = client.get("/kennisbank/", query_string={"q": "polarisatie"}).get_data(as_text=True)
    assert "Bedoelde u:" not in found


def test_parsing_is_forgiving():
    assert parse_query("a OR b c").include == ((("a",), ("b",)), (("c",),))
    assert parse_query("OR OR x OR").include == ((("x",),),)
    assert parse_query("- x").include == ((("x",),),)
    assert parse_query("-x").empty  # only exclusions: nothing to exclude from
    assert parse_query('"unbalanced y').include == ((("unbalanced",),), (("y",),))
    assert parse_query("de OR het").empty  # stop words only
    assert parse_query('"de"').include == ((("de",),),)  # quoted, a stop word is asked for
    assert parse_query("ouder-netwerken").include == ((("ouder", "netwerken"),),)
    assert parse_query("x -y -y").exclude == ((("y",),),)
    assert parse_query("or and").include == ((("or",),), (("and",),))  # operators are capitals


@pytest.mark.parametrize("query", [
    '"', '""', '"""', "-", "--", "- -", "OR", "OR OR", "AND", "AND OR NOT", "-OR", '-"', '-""', "a OR -b",
    "NOT x", "x NOT y", "(x OR y)", "x:y", "'x' | 'y' & !z", "x <-> y", "x:* & y", "\\'x", "'", "''", "*",
    "NEAR(a b)", "^x", "{a b}", "a + b", "title:x", "\x00x", "%", "_", "é" * 600, "-" * 600, '"' * 600,
    "OR " * 300, "x OR " * 200, '"a b" ' * 100, "\u200b\u202e", "💥 OR jongeren",
])
def test_hostile_input_gives_results_or_nothing(client, corpus, query):
    result = search.search(query)
    assert result.total >= 0 and isinstance(result.hits, list)
    assert client.get("/kennisbank/", query_string={"q": query}).status_code == 200
    assert client.get("/api/v1/knowledge", query_string={"q": query}).status_code == 200


def test_injection_attempts_are_words(corpus):
    # Engine syntax typed by a user is read as words: these find nothing rather than everything.
    for query in ["polarisatie | klas", "polarisatie' | 'klas", 'polarisatie" OR "klas', "polarisatie:* | x"]:
        parsed = parse_query(query)
        assert all(w.isalnum() for clause in parsed.include for m in clause for w in m)
    assert titles("'polarisatie' | 'wijk'") == set()  # "polarisatie" and "wijk" both needed, none has both


# The brute force: what the engines must return, evaluated here without them.

def _fields(item: KnowledgeItem) -> list[list[str]]:
    document = search.document_for(item)
    return [[textmod.stem(w) for w in textmod.words(document[f] or "")] for f in ("title", "summary", "body")]


def _has(fields: list[list[str]], match: tuple[str, ...]) -> bool:
    stems = [textmod.stem(w) for w in match]
    n = len(stems)
    return any(field[i:i + n] == stems for field in fields for i in range(len(field) - n + 1))


def _brute_force(query: str, documents: dict[int, list[list[str]]]) -> set[int]:
    parsed = parse_query(query).expanded(search.synonym_groups())
    if parsed.empty:
        return set(documents)
    return {item_id for item_id, fields in documents.items()
            if all(any(_has(fields, m) for m in clause) for clause in parsed.include)
            and not any(_has(fields, m) for clause in parsed.exclude for m in clause)}


BRUTE_FORCE_QUERIES = [
    "polariseren", "polarisatie", "weerbaarheid", "weerbaar", "jongeren", "jeugd", "radicalisering",
    "extremisme", "veerkracht", "polarisatie AND jongeren", "jongeren AND ouders", "weerbaarheid EN digitale",
    "polarisatie OR radicalisering", "desinformatie OR nepnieuws OR mediawijsheid", "jongeren -ouders",
    "weerbaarheid -digitale", "jongeren -polarisatie -school", '"digitale weerbaarheid"',
    '"sociale cohesie"', '"digitale weerbaarheid" -jongerenwerkers', '"sociale cohesie" OR polarisatie',
    "preventie jeugdcriminaliteit", "jeugdcriminaliteit", "mentorprogramma OR dialoogavonden -wijk",
    "evalueren", "evaluatie", "participatie", "participeren", "netwerken OR participatie gemeenten",
    'jongeren OR jeugd "in de wijk"', "mediawijsheid", "sleutelfiguren", "AND OR", '"unbalanced polarisatie',
    "- jongeren", "OR OR weerbaarheid", "Woensel", "Yilmaz", "-polarisatie",
]


def test_brute_force_equals_the_engine_on_the_demo_archive(runner):
    result = runner.invoke(args=["congress", "demo"])
    assert result.exit_code == 0, result.output
    published = db.session.scalars(
        sa.select(KnowledgeItem).where(KnowledgeItem.status == ItemStatus.PUBLISHED.value)).all()
    assert len(published) >= 15
    documents = {item.id: _fields(item) for item in published}
    assert search.synonym_groups(), "the demo seeds synonyms"
    nonempty = 0
    for query in BRUTE_FORCE_QUERIES:
        expected = _brute_force(query, documents)
        for sort in ("relevance", "date"):
            found = search.search(query, sort=sort, per_page=1000, facets=True)
            ids = [hit.item.id for hit in found.hits]
            assert len(ids) == len(set(ids)) == found.total, (query, sort)
            assert set(ids) == expected, (query, sort, sorted(set(ids) ^ expected))
        nonempty += bool(expected) and expected != set(documents)
    # The comparison is not vacuous: most queries find some but not all items.
    assert nonempty >= len(BRUTE_FORCE_QUERIES) - 6
    # The examples on the demo: a verb finds the noun, AND is a conjunction.
    assert _brute_force("polariseren", documents) and search.search("polariseren").total
    assert search.search("polarisatie AND jongeren").total


def test_the_synonyms_page(app, organiser, corpus):
    editor = app.test_client(user=organiser)
    assert editor.get("/manage/kennisbank/synoniemen").status_code == 200
    assert editor.post("/manage/kennisbank/synoniemen", data={"words": "jongeren, jeugd"}).status_code == 302
    synonym = db.session.scalars(sa.select(SearchSynonym)).one()
    assert "Jeugd in de wijk" in titles("jongeren")
    refused = editor.post(f"/manage/kennisbank/synoniemen/{synonym.id}", data={f"s{synonym.id}-words": "jongeren"})
    assert refused.status_code == 422 and "Geef twee of meer" in refused.get_data(as_text=True)
    assert editor.post(f"/manage/kennisbank/synoniemen/{synonym.id}",
                       data={f"s{synonym.id}-words": "wijk, klas"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(SearchSynonym, synonym.id).words == "wijk, klas"
    assert "Jeugd in de wijk" not in titles("jongeren") and "Polarisatie in de klas" in titles("wijk")
    assert editor.post(f"/manage/kennisbank/synoniemen/{synonym.id}/delete").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchSynonym)) == 0
    assert editor.post("/manage/kennisbank/synoniemen/999/delete").status_code == 404
    assert app.test_client().get("/manage/kennisbank/synoniemen").status_code in (302, 401, 403)
