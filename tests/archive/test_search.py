"""Search quality on SQLite (FTS5 + Snowball) and PostgreSQL (`dutch`): the same expectations."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from congress.archive import search, services
from congress.archive.models import KnowledgeItem
from congress.archive.search import SearchFilters, parse_query
from congress.extensions import db
from tests.archive.factories import make_item


@pytest.fixture
def corpus(app):
    return {
        "weerbaarheid": make_item("Digitale weerbaarheid in de klas",
                                  summary="Over de weerbaarheid van leerlingen tegen desinformatie."),
        "jongere": make_item("Werken met een jongere in de wijk", summary="Hoe een jongere zijn weg vindt."),
        "accent": make_item("Gecreëerde ontmoetingsplekken", summary="Café-avonden voor bewoners in Woensel Zuid."),
        "phrase": make_item("Van testen naar doen",
                            summary="Na testen wat werkt volgt doen wat werkt: interventies landelijk gebruiken."),
        "other": make_item("Ouder-netwerken", summary="Ondersteunende gezinsstructuren als beschermende factor."),
        "draft": make_item("Weerbaarheid concept", status="draft", summary="Nog niet gepubliceerd."),
    }


def titles(result) -> set[str]:
    return {hit.item.title for hit in result.hits}


def test_stemming_finds_word_forms(corpus):
    assert "Digitale weerbaarheid in de klas" in titles(search.search("weerbaar"))
    assert "Werken met een jongere in de wijk" in titles(search.search("jongeren"))


def test_drafts_are_not_public(corpus):
    assert "Weerbaarheid concept" not in titles(search.search("weerbaarheid"))


def test_accents_are_folded_both_ways(corpus):
    assert "Gecreëerde ontmoetingsplekken" in titles(search.search("gecreeerde"))
    assert "Gecreëerde ontmoetingsplekken" in titles(search.search("cafe"))
    assert "Digitale weerbaarheid in de klas" in titles(search.search("désinformatie"))


def test_phrase_queries(corpus):
    assert titles(search.search('"interventies landelijk gebruiken"')) == {"Van testen naar doen"}
    assert titles(search.search('"landelijke interventie"')) == set()  # both words occur, not as a phrase
    assert titles(search.search('"gebruiken landelijk"')) == set()  # the order matters
    assert titles(search.search('interventies "testen wat werkt"')) == {"Van testen naar doen"}


def test_all_words_must_match(corpus):
    assert titles(search.search("weerbaarheid leerlingen")) == {"Digitale weerbaarheid in de klas"}
    assert titles(search.search("weerbaarheid bewoners")) == set()


@pytest.mark.parametrize("query", [
    '"unbalanced', 'weer"baar"heid"', "*", "weer*", "jonger* NEAR/3 wijk", "NEAR(a b)", "a AND OR NOT b",
    "title:weerbaar", "^weerbaar", "(((", ")", "-weerbaar", "'; DROP TABLE knowledge_items; --", "\\", "\x00",
    "x" * 5000, "weerbaarheid " * 600, "é" * 5000, '"' * 999, "\u200b\u202e", "💥 jongeren",
])
def test_any_syntax_gives_results_or_nothing(corpus, query):
    result = search.search(query)
    assert result.total >= 0
    assert isinstance(result.hits, list)


@pytest.mark.parametrize("query", ['"unbalanced', "*", "jonger* NEAR/3 wijk", "x" * 5000, '""'])
def test_any_syntax_through_http(client, corpus, query):
    assert client.get("/kennisbank/", query_string={"q": query}).status_code == 200
    assert client.get("/api/v1/knowledge", query_string={"q": query}).status_code == 200


def test_operators_are_plain_words(corpus):
    assert titles(search.search("weerbaar*")) == titles(search.search("weerbaar"))
    assert titles(search.search("jongere NEAR")) == set()  # "near" must be present as a word


def test_parse_query_is_bounded():
    parsed = parse_query("woord " * 2000)
    assert parsed.terms[0] == "woord" and len(parsed.terms) <= 2  # cut at 500 characters
    parsed = parse_query(" ".join(f"w{i}" for i in range(100)))
    assert len(parsed.terms) == search.MAX_TERMS


def test_ranking_prefers_title_matches(app):
    body_only = make_item("Verslag A", summary="Iets over jeugd.", body="Hier komt het woord polarisatie voor.")
    in_title = make_item("Polarisatie voorkomen", summary="Een aanpak.")
    result = search.search("polarisatie")
    assert [h.item.id for h in result.hits][:2] == [in_title.id, body_only.id]


def test_snippet_is_escaped_then_marked(app):
    make_item("Veilig", summary="<script>alert(1)</script> over weerbaarheid & veerkracht")
    hit = search.search("weerbaar").hits[0]
    html = str(hit.snippet)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>weerbaarheid</mark>" in html and "&amp;" in html


def test_facets_count_and_filter(app):
    make_item("A", summary="weerbaarheid", item_type="interventie", factors=["digitale weerbaarheid"],
              publication_date="2024-05-23")
    make_item("B", summary="weerbaarheid", item_type="evaluatie", factors=["sociale cohesie"],
              publication_date="2025-01-10")
    make_item("C", summary="weerbaarheid", item_type="interventie", factors=["sociale cohesie"],
              publication_date="2025-02-10")
    result = search.search("weerbaar")
    assert result.total == 3
    assert dict(result.facets["type"]) == {"interventie": 2, "evaluatie": 1}
    assert dict(result.facets["year"]) == {2025: 2, 2024: 1}
    assert dict(result.facets["factor"]) == {"sociale cohesie": 2, "digitale weerbaarheid": 1}
    filtered = search.search("weerbaar", SearchFilters(types=["interventie"], factors=["sociale cohesie"]))
    assert titles(filtered) == {"C"}
    # The type facet still shows the alternatives within the other filters.
    assert dict(filtered.facets["type"]) == {"interventie": 1, "evaluatie": 1}


def test_sort_by_date_and_pagination(app):
    for day in range(1, 26):
        make_item(f"Item {day:02d}", summary="veerkracht", publication_date=f"2025-03-{day:02d}")
    first = search.search("veerkracht", sort="date", per_page=10)
    assert first.total == 25 and first.pages == 3
    assert [h.item.title for h in first.hits][:2] == ["Item 25", "Item 24"]
    last = search.search("veerkracht", sort="date", per_page=10, page=3)
    assert [h.item.title for h in last.hits] == [f"Item {d:02d}" for d in range(5, 0, -1)]
    beyond = search.search("veerkracht", page=10_000)
    assert beyond.hits == []


def test_empty_query_lists_everything_newest_first(corpus):
    result = search.search("")
    assert result.total == 5


def test_withdrawn_and_deleted_items_leave_the_results(app):
    item = make_item("Interventie weerbaarheid")
    services.set_status(item, "withdrawn", reason="Onjuist")
    db.session.commit()
    assert search.search("weerbaarheid").total == 0
    db.session.delete(item)
    db.session.commit()
    assert search.search("weerbaarheid").total == 0


def test_the_query_strategies_agree(app, monkeypatch):
    """Few matches are counted in Python, more in SQL with their ids, very many with the match
    inside each query, and on PostgreSQL everything in one statement over the search rows: all
    give the same totals, facets and order."""

    rng = random.Random(7)
    words = ["weerbaarheid", "jongeren", "wijk", "ouders", "school", "cohesie"]
    for i in range(40):
        make_item(f"Item {i} {rng.choice(words)}", summary=" ".join(rng.sample(words, 3)),
                  item_type=rng.choice(["interventie", "evaluatie", "rapport"]),
                  factors=rng.sample(["sociale cohesie", "digitale weerbaarheid", "democratisch burgerschap"], 1),
                  target_groups=rng.sample(["jongeren", "ouders"], rng.randint(0, 2)),
                  publication_date=f"202{rng.randint(3, 5)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}")
    cases = [
        ("weerbaarheid", SearchFilters(), "relevance"),
        ("jongeren wijk", SearchFilters(types=["interventie", "rapport"]), "relevance"),
        ("school", SearchFilters(factors=["sociale cohesie"], years=[2024, 2025]), "date"),
        ('"jongeren wijk"', SearchFilters(target_groups=["ouders"]), "relevance"),
        ("jongeren", SearchFilters(types=["interventie", "evaluatie"], years=[2024], target_groups=["ouders"]),
         "relevance"),
        ("wijk ouders", SearchFilters(tracks=[""], factors=["sociale cohesie"]), "date"),
    ]

    def run():
        out = []
        for q, f, sort in cases:
            r = search.search(q, f, sort=sort, per_page=7, page=2)
            out.append((r.total, [h.item.id for h in r.hits], r.facets))
        return out

    default = run()
    assert any(total > 7 for total, _, _ in default)
    monkeypatch.setattr(search.PostgresEngine, "one_statement", False)
    assert run() == default
    monkeypatch.setattr(search, "SMALL_MATCH", 0)
    assert run() == default
    monkeypatch.setattr(search.Engine, "max_ids", 0)
    monkeypatch.setattr(search.PostgresEngine, "max_ids", 0)
    assert run() == default
    # Scores fetched with the ids, the page ranked from them in chunks (PostgreSQL's way).
    monkeypatch.setattr(search.Engine, "max_ids", 10_000)
    monkeypatch.setattr(search.PostgresEngine, "max_ids", 10_000)
    monkeypatch.setattr(search.Engine, "scores_at_once", True)
    assert run() == default


def _facet_rows():
    rows = db.session.execute(sa.select(search.facet_rows)).mappings().all()
    return {r["item_id"]: (r["status"], r["type"], r["year"], r["language"], r["track_name"],
                           r["publication_date"], sorted(search._split(r["factors"])),
                           sorted(search._split(r["target_groups"])), r["evidence_status"]) for r in rows}


def _expected_rows():
    db.session.expire_all()
    return {i.id: (i.status, i.type, i.year, i.language, i.track_name, i.publication_date, sorted(i.factors),
                   sorted(i.target_groups), i.evidence_status) for i in db.session.scalars(sa.select(KnowledgeItem))}


def _search_rows():
    """On PostgreSQL, the facet columns the full-text rows carry (migration archive_0003)."""

    columns = [c for c in search.search_rows.c if c.name != "document"]
    rows = db.session.execute(sa.select(*columns)).mappings().all()
    return {r["item_id"]: (r["status"], r["type"], r["year"], r["language"], r["track_name"],
                           r["publication_date"], sorted(search._split(r["factors"])),
                           sorted(search._split(r["target_groups"])), r["evidence_status"]) for r in rows}


def test_facet_table_follows_every_change(app):
    """The narrow facet table is kept by database triggers: whatever changes an item or its terms
    (services, a status change that does not reindex, raw SQL, deletes) is reflected at once; on
    PostgreSQL also in the copy the full-text rows carry."""

    postgres = db.engine.dialect.name == "postgresql"

    def check():
        expected = _expected_rows()
        assert _facet_rows() == expected
        if postgres:
            assert _search_rows() == expected

    item = make_item("Een", summary="weerbaarheid", item_type="interventie", factors=["sociale cohesie"],
                     target_groups=["ouders", "jongeren"], publication_date="2024-05-23")
    other = make_item("Twee", summary="weerbaarheid", status="draft")
    check()
    services.update_item(item, factors=["digitale weerbaarheid", "sociale cohesie"], target_groups=["ouders"],
                         publication_date="2025-01-02", evidence_status="goed_onderbouwd")
    services.set_status(item, "withdrawn", reason="Oud")
    db.session.commit()
    check()
    db.session.execute(sa.text("UPDATE knowledge_items SET type = 'rapport', track_name = 'Netwerken', "
                               "evidence_status = 'effectief_goede' WHERE id = :i"),
                       {"i": other.id})
    db.session.execute(sa.text("DELETE FROM knowledge_terms WHERE item_id = :i AND kind = 'factor'"), {"i": item.id})
    db.session.commit()
    check()
    assert search.search("weerbaar", SearchFilters(statuses=["draft"])).facets["type"] == [("rapport", 1)]
    search.reindex_all()  # an index write takes the current facet values
    db.session.commit()
    check()
    db.session.delete(item)
    db.session.commit()
    assert set(_facet_rows()) == {other.id}
    if postgres:
        assert set(_search_rows()) == {other.id}


def test_facet_counts_equal_a_brute_force_count(app, monkeypatch):
    """Totals, facets (each without its own filter) and the ranked page agree with a count and a
    sort over the items in Python (scores straight from the engine's match), for every strategy
    (on PostgreSQL the single statement, then the small and the large ones) and without a text
    query."""

    rng = random.Random(11)
    words = ["weerbaarheid", "jongeren", "wijk", "ouders"]
    factors = ["sociale cohesie", "digitale weerbaarheid", "democratisch burgerschap"]
    groups = ["jongeren", "ouders", "Ouders"]
    levels = ["nog_niet_beoordeeld", "goed_beschreven", "effectief_eerste", "effectief_sterke"]
    for i in range(30):
        item_type = rng.choice(["interventie", "evaluatie", "rapport"])
        item = make_item(f"Item {i}", summary=" ".join(rng.sample(words, 2)),
                         status=rng.choice(["published"] * 4 + ["draft"]), item_type=item_type,
                         evidence_status=rng.choice(levels + [None]) if item_type == "interventie" else None,
                         language=rng.choice(["nl", "en"]), factors=rng.sample(factors, rng.randint(0, 2)),
                         target_groups=rng.sample(groups, rng.randint(0, 2)),
                         publication_date=f"202{rng.randint(3, 5)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}")
        item.track_name = rng.choice(["", "Netwerken", "Preventie"])
        db.session.commit()
    items = [h.item for h in search.search("", SearchFilters(statuses=["published", "draft"]), per_page=100).hits]
    cases = [("weerbaar", SearchFilters()), ("", SearchFilters(types=["interventie"], factors=["sociale cohesie"])),
             ("jongeren", SearchFilters(years=[2024, 2025], target_groups=["ouders"],
                                        tracks=["Netwerken", "Preventie"])),
             ("wijk", SearchFilters(languages=["en"], types=["rapport", "evaluatie"])),
             ("ouders", SearchFilters(tracks=[""], factors=["sociale cohesie", "digitale weerbaarheid"],
                                      languages=["nl"])),
             ("", SearchFilters(levels=["goed_beschreven", "effectief_eerste"])),
             ("weerbaar", SearchFilters(levels=["effectief_sterke"], factors=["sociale cohesie"])),
             ("jongeren", SearchFilters(levels=["nog_niet_beoordeeld", "goed_beschreven"], languages=["nl"]))]

    def values(item, name):
        return {"type": {item.type}, "track": {item.track_name} - {""}, "year": {item.year} - {None},
                "language": {item.language}, "factor": set(item.factors), "target_group": set(item.target_groups),
                "level": {item.evidence_status} - {None}}[name]

    def expected(q, f):
        if q:
            matches = search.engine().matches(parse_query(q), ranked=True)
            scores = dict(db.session.execute(sa.select(matches.c.item_id, matches.c.score)).all())
        else:
            scores = {i.id: 0.0 for i in items}
        found = set(scores)
        wanted = {"type": f.types, "track": f.tracks, "year": f.years, "language": f.languages,
                  "factor": f.factors, "target_group": f.target_groups, "level": f.levels}
        pool = [i for i in items if i.id in found and i.status == "published"]

        def passes(item, skip=None):
            return all(not wanted[n] or values(item, n) & set(wanted[n]) or (n == "track" and "" in wanted[n]
                       and item.track_name == "") for n in wanted if n != skip)
        facets = {}
        for name in search.FACETS:
            counts = {}
            for item in pool:
                if passes(item, name):
                    for v in values(item, name):
                        counts[v] = counts.get(v, 0) + 1
            facets[name] = sorted(counts.items(), key=lambda vn: (-vn[1], str(vn[0])))
        ranked = sorted((i for i in pool if passes(i)),
                        key=lambda i: (-scores[i.id], -i.publication_date.toordinal(), -i.id))
        return sum(1 for i in pool if passes(i)), facets, [i.id for i in ranked]

    for strategy in ("default", "small", "large"):
        if strategy != "default":
            monkeypatch.setattr(search.PostgresEngine, "one_statement", False)
        if strategy == "large":
            monkeypatch.setattr(search, "SMALL_MATCH", 0)
        for q, f in cases:
            result = search.search(q, f, per_page=100)
            total, facets, order = expected(q, f)
            assert (result.total, result.facets, [h.item.id for h in result.hits]) == (total, facets, order), \
                (q, f, strategy)
            second = search.search(q, f, per_page=3, page=2)
            assert [h.item.id for h in second.hits] == order[3:6], (q, f, strategy)
