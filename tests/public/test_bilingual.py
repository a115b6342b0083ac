"""Both languages in what search engines read (issue 18, item 8): JSON-LD gives ``name`` and
``description`` in the page's language with the other as fallback and the title's other language as a
language-tagged ``alternateName`` (expanded with pyld), for the edition, a session and a knowledge item
that has only Dutch, only an English summary, or both; the sitemap lists each URL's language versions
(``xhtml:link`` alternates) as the pages themselves name them."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from lxml import etree
from lxml import html as lxml_html

from congress.archive.models import KnowledgeItem
from congress.core.models import Congress
from congress.extensions import db
from tests.archive.factories import make_item
from tests.factories import make_congress, make_session
from tests.programme.factories import publish
from tests.public.test_structured_data import S, blocks, expanded, value
from tests.urls_support import BASE

SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


@pytest.fixture
def edition(app):
    congress = make_congress("tweetalig-2027", day=date(2027, 6, 10))
    congress.description_nl, congress.description_en = "Twee dagen over weerbaarheid.", "Two days on resilience."
    dutch = make_session(congress, title="Weerbaar online", start="10:00", end="11:00")
    dutch.abstract = "Jongeren leren nepnieuws herkennen."
    both = make_session(congress, title="Zelfbeschikking in de praktijk", start="13:00", end="14:00")
    both.title_en, both.abstract, both.abstract_en = ("Self-determination in practice", "Over eigen regie.",
                                                      "On being in charge of one's life.")
    db.session.commit()
    publish(congress)
    return congress, dutch, both


def _tagged(node: dict, name: str) -> list[tuple[str | None, str]]:
    return [(v.get("@language"), v["@value"]) for v in node.get(S + name, [])]


def test_a_session_in_json_ld_in_either_language(client, edition):
    congress, dutch, both = edition
    [english] = blocks(client.get(f"/{congress.slug}/programme/sessions/{both.id}?lang=en"))
    node = expanded(english)
    assert value(node, "name") == "Self-determination in practice"
    assert value(node, "description") == "On being in charge of one's life."
    assert _tagged(node, "alternateName") == [("nl", "Zelfbeschikking in de praktijk")]
    [dutch_data] = blocks(client.get(f"/{congress.slug}/programme/sessions/{both.id}?lang=nl"))
    node = expanded(dutch_data)
    assert (value(node, "name"), value(node, "description")) == ("Zelfbeschikking in de praktijk",
                                                                 "Over eigen regie.")
    assert _tagged(node, "alternateName") == [("en", "Self-determination in practice")]
    # Only Dutch: the English page falls back to it, and there is no other language to name.
    [fallback] = blocks(client.get(f"/{congress.slug}/programme/sessions/{dutch.id}?lang=en"))
    node = expanded(fallback)
    assert value(node, "name") == "Weerbaar online" and S + "alternateName" not in node
    assert value(node, "inLanguage") == "nl"  # the language the session is given in


def test_the_edition_in_json_ld_names_itself_and_its_sessions_in_the_asked_language(client, edition):
    congress, _dutch, both = edition
    [data] = blocks(client.get(f"/{congress.slug}/?lang=en"))
    node = expanded(data)
    assert value(node, "name") == congress.title_en and value(node, "description") == "Two days on resilience."
    assert _tagged(node, "alternateName") == [("nl", congress.title_nl)]
    names = {value(sub, "name") for sub in node[S + "subEvent"]}
    assert names == {"Weerbaar online", "Self-determination in practice"}
    assert {v["@value"] for v in node[S + "inLanguage"]} == {"nl", "en"}


def test_a_knowledge_item_in_json_ld_with_only_dutch_only_english_and_both(client, app):
    dutch = make_item("Weerbaar online", summary="Jongeren leren nepnieuws herkennen.")
    english_only = make_item("Buurtnetwerken", summary_en="Neighbourhood networks that last.")
    both = make_item("Zelfbeschikking in de praktijk", title_en="Self-determination in practice",
                     summary="Over eigen regie.", summary_en="On being in charge of one's life.")

    def node(item, lang):
        [data] = blocks(client.get(f"/kennisbank/item/{item.key}?lang={lang}"))
        return expanded(data)

    english = node(both, "en")
    assert (value(english, "name"), value(english, "description")) == ("Self-determination in practice",
                                                                       "On being in charge of one's life.")
    assert _tagged(english, "alternateName") == [("nl", "Zelfbeschikking in de praktijk")]
    assert value(node(both, "nl"), "name") == "Zelfbeschikking in de praktijk"
    assert value(node(dutch, "en"), "description") == "Jongeren leren nepnieuws herkennen."
    assert S + "alternateName" not in node(dutch, "en")
    only_english = node(english_only, "nl")
    assert (value(only_english, "name"), value(only_english, "description")) == (
        "Buurtnetwerken", "Neighbourhood networks that last.")


def test_the_sitemap_names_every_urls_language_versions_as_its_page_does(client, edition):
    congress, _dutch, both = edition
    item = make_item("Zelfbeschikking", title_en="Self-determination")
    root = etree.fromstring(client.get("/sitemap.xml").data)
    urls = root.findall("s:url", SITEMAP)
    assert len(urls) > 5
    for url in urls:
        loc = url.findtext("s:loc", namespaces=SITEMAP)
        alternates = {link.get("hreflang"): link.get("href") for link in url.findall("x:link", SITEMAP)}
        assert all(link.get("rel") == "alternate" for link in url.findall("x:link", SITEMAP))
        assert alternates == {"nl": f"{loc}?lang=nl", "en": f"{loc}?lang=en"}, loc
    # The page names the same alternates in its head (hreflang), and the English one is in English.
    for path in (f"/{congress.slug}/programme/sessions/{both.id}", f"/kennisbank/item/{item.key}"):
        page = lxml_html.fromstring(client.get(f"{path}?lang=en").data)
        named = {link.get("hreflang"): link.get("href") for link in page.iterfind(".//link[@rel='alternate']")
                 if link.get("hreflang")}
        assert named["en"] == f"{BASE}{path}?lang=en" and named["nl"] == f"{BASE}{path}?lang=nl"
        assert page.findtext(".//h1").strip().startswith("Self-determination")


def test_the_demo_speaks_english_where_it_has_english_texts(runner, client):
    result = runner.invoke(args=["congress", "demo"])
    assert result.exit_code == 0, result.output
    congress = db.session.scalar(sa.select(Congress).where(Congress.slug == "congres-2025"))
    english = [s for s in congress.sessions if s.title_en]
    assert len(english) >= 5 and all(s.abstract_en for s in english)
    assert all(t.name_en and t.description_en for t in congress.tracks) and congress.description_en
    session = next(s for s in english if s.title == "Gastlessen mediawijsheid die blijven hangen")
    page = lxml_html.fromstring(client.get(f"/congres-2025/programme/sessions/{session.id}?lang=en").data)
    assert page.findtext(".//h1").strip() == "Media literacy guest lessons that stick"
    programme = client.get("/congres-2025/programme?lang=en").get_data(as_text=True)
    assert "Closing debate: resilience after 2025" in programme
    items = db.session.scalars(sa.select(KnowledgeItem).where(KnowledgeItem.title_en != "")).all()
    assert len(items) >= 5
    homebase = next(i for i in items if i.title.startswith("Homebase"))
    page = lxml_html.fromstring(client.get(f"/kennisbank/item/{homebase.key}?lang=en").data)
    assert page.findtext(".//h1").strip() == "Homebase. A basis for interventions to prevent youth crime"
    assert "Homebase. A basis for interventions" in client.get("/kennisbank/feed.atom?lang=en").get_data(as_text=True)
