"""The catalogue of interventions (/kennisbank/interventies): its counts and pages equal a brute-force
count over the database, its filters are GET parameters that survive any value, in both languages."""

from __future__ import annotations

import itertools
import math
import random
import re

import sqlalchemy as sa

from congress.archive import catalogue as catalogue_module
from congress.archive.catalogue import FILTERS, CatalogueFilters, catalogue
from congress.archive.labels import EVIDENCE_RANKS
from congress.archive.models import KnowledgeItem
from congress.extensions import db
from tests.archive.factories import make_item

LEVELS = list(EVIDENCE_RANKS)
TRACKS = ["", "Digitale weerbaarheid", "Preventie van jeugdcriminaliteit"]
FACTORS = ["digitale weerbaarheid", "sociale cohesie", "ondersteunende gezinsstructuren"]
GROUPS = ["jongeren", "ouders", "Ouders", "jongerenwerkers"]
SETTINGS = ["", "Jongerenwerk", "School", "Wijk"]


def _world(n: int = 36) -> None:
    rng = random.Random(17)
    for i in range(n):
        item_type = "interventie" if i % 6 else rng.choice(["evaluatie", "sessieverslag"])
        item = make_item(f"Interventie {i:02d}", item_type=item_type,
                         status=rng.choice(["published"] * 5 + ["draft", "withdrawn"]),
                         evidence_status=rng.choice(LEVELS + [None]) if item_type == "interventie" else None,
                         factors=rng.sample(FACTORS, rng.randint(0, 2)),
                         target_groups=rng.sample(GROUPS, rng.randint(0, 2)), setting=rng.choice(SETTINGS))
        item.track_name = rng.choice(TRACKS)
        db.session.commit()


def _values(item: KnowledgeItem, name: str) -> set[str]:
    return {"level": {item.evidence_status} - {None}, "track": {item.track_name} - {""},
            "factor": set(item.factors), "target_group": set(item.target_groups),
            "setting": {item.setting} - {""}}[name]


def _expected(filters: CatalogueFilters):
    """Counts and order by brute force: every item read, the rules applied in Python."""
    db.session.expire_all()
    pool = [i for i in db.session.scalars(sa.select(KnowledgeItem))
            if i.status == "published" and i.type == "interventie"]

    def passes(item, skip=None):
        return all(not getattr(filters, n) or _values(item, n) & set(getattr(filters, n)) or
                   (n in ("track", "setting") and "" in getattr(filters, n) and not _values(item, n))
                   for n in FILTERS if n != skip)

    facets = {}
    for name in FILTERS:
        counts: dict[str, int] = {}
        for item in pool:
            if passes(item, name):
                for value in _values(item, name):
                    counts[value] = counts.get(value, 0) + 1
        for chosen in getattr(filters, name):
            counts.setdefault(chosen, 0)
        facets[name] = counts
    ordered = sorted((i for i in pool if passes(i)),
                     key=lambda i: (-EVIDENCE_RANKS.get(i.evidence_status or "", 0), i.title, i.id))
    return len(ordered), facets, [i.id for i in ordered]


def test_counts_and_pages_equal_a_brute_force_count(app):
    _world()
    cases = [CatalogueFilters()]
    cases += [CatalogueFilters(**{name: (value,)}) for name, values in
              (("level", LEVELS), ("track", TRACKS[1:]), ("factor", FACTORS), ("target_group", GROUPS),
               ("setting", SETTINGS[1:])) for value in values]
    cases += [CatalogueFilters(level=("goed_beschreven", "effectief_eerste"), factor=("sociale cohesie",)),
              CatalogueFilters(track=("Digitale weerbaarheid",), target_group=("jongeren", "ouders"),
                               setting=("School", "Wijk")),
              CatalogueFilters(level=tuple(LEVELS), track=tuple(TRACKS[1:]), factor=tuple(FACTORS),
                               target_group=tuple(GROUPS), setting=tuple(SETTINGS[1:])),
              CatalogueFilters(level=("effectief_sterke",), target_group=("niemand",))]
    for filters in cases:
        total, facets, order = _expected(filters)
        result = catalogue(filters, per_page=100)
        assert result.total == total, filters
        assert {name: dict(values) for name, values in result.facets.items()} == facets, filters
        assert [i.id for i in result.items] == order, filters
        # The level's values come in the scale's order; a chosen value that nothing has stays listed.
        assert [v for v, _ in result.facets["level"]] == sorted(facets["level"], key=EVIDENCE_RANKS.get)
        last = max(math.ceil(total / 4), 1)
        pages = [catalogue(filters, page=p, per_page=4) for p in range(1, last + 2)]
        assert list(itertools.chain.from_iterable([i.id for i in p.items] for p in pages[:-1])) == order
        assert pages[-1].page == last and pages[-1].pages == last  # past the last page: the last page


def test_filters_from_hostile_values(app):
    filters = CatalogueFilters.from_values({
        "level": ["getest", "goed_beschreven", "goed_beschreven", "", "x" * 10_000],
        "track": ["a" * 500] + [f"t{i}" for i in range(40)], "factor": ["'; DROP TABLE knowledge_items; --"],
    })
    assert filters.level == ("goed_beschreven",)
    assert len(filters.track) == catalogue_module.MAX_VALUES and len(filters.track[0]) == catalogue_module.MAX_CHARS
    assert catalogue(filters).total == 0


def test_the_page(client, app):
    _world(48)
    html = client.get("/kennisbank/interventies").get_data(as_text=True)
    total, facets, order = _expected(CatalogueFilters())
    assert f"{total} interventies" in html and "Erkenningsniveau" in html and "Beschermende factor" in html
    assert "Wat de erkenningsniveaus betekenen" in html
    first = db.session.get(KnowledgeItem, order[0])
    assert f'/kennisbank/item/{first.key}"' in html
    # The count of each level on its checkbox equals the brute-force count.
    for value, count in facets["level"].items():
        assert re.search(rf'value="{value}">\s*<label[^>]*>[^<]+<span class="archive-count">\({count}\)', html), value
    level = next(iter(facets["level"]))
    filtered = client.get(f"/kennisbank/interventies?level={level}").get_data(as_text=True)
    expected_total, _, _ = _expected(CatalogueFilters(level=(level,)))
    assert f"{expected_total} interventie" in filtered and f'value="{level}" checked' in filtered
    assert "Filter Erkenningsniveau:" in filtered and "Alle filters weghalen" in filtered
    english = client.get(f"/kennisbank/interventies?level={level}&lang=en").get_data(as_text=True)
    assert "Recognition level" in english and "Remove all filters" in english
    assert "What the recognition levels mean" in english
    paged = client.get("/kennisbank/interventies?page=2&lang=nl").get_data(as_text=True)
    assert total > 20 and "Pagina 2 van" in paged and "Vorige" in paged
    for query in ("page=abc", "page=-1", "page=99999999999999999999", "level=%00", "track=%ED%A0%80",
                  "setting=" + "x" * 5000, "factor=a&factor=b&" + "&".join(f"level={i}" for i in range(100)),
                  "target_group[]=x", "level=goed_beschreven&level=goed_beschreven"):
        assert client.get(f"/kennisbank/interventies?{query}").status_code == 200, query
    assert "/kennisbank/interventies" in client.get("/kennisbank/").get_data(as_text=True)  # the navigation
