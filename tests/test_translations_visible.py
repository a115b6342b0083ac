"""Every back-office page of the demo, in Dutch, shows Dutch: no English-only words and no raw codes
(``single_choice``, ``queued``, ``None``) in the text a person sees.

The crawler starts at ``/manage/`` as an admin and follows the back office's own links (GET only, no
downloads). It fails on words from a short list of English that has no business in a Dutch screen and on
raw enum values; proper names that look English are allowed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from congress.communications.mailtext_kinds import MEANINGS
from congress.communications.sandbox import PLACEHOLDERS
from congress.demo import load_demo
from congress.registration import services as registrations
from tests.factories import make_user
from tests.registration.factories import open_congress, registered

# English words a Dutch screen never needs (whole words, case-sensitive where capitalised).
ENGLISH = ["the", "and", "with", "queued", "cancelled", "confirmed", "pending", "waitlisted", "enrolled",
           "submitted", "accepted", "rejected", "withdrawn", "failed", "sent", "sending", "draft", "published",
           "None", "True", "False", "Call for proposals", "Save", "Edit", "Remove", "Settings", "Questions",
           "required", "Delete", "Cancel", "Registrations", "Sectors", "Yes", "No"]
# Raw codes: snake_case identifiers and dotted audit codes.
RAW = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[a-z]+\.[a-z_]+_[a-z_]+\b")
# Proper names and fixed terms that look like the above but belong on a Dutch page.
ALLOWED = {"Congres", "Chart.js", "OpenAPI", "OAI-PMH", "Utrecht", "Prometheus", "workshop", "Workshop",
           "Europe/Amsterdam", "e-mail", "Nederlands", "English", "No-show",
           "manage_url"}  # a mailing's placeholder, {{ manage_url }}, shown as it is typed
ALLOWED |= set(MEANINGS)  # the mail texts' placeholders, {{ contact_email }}, shown as they are typed
ALLOWED |= set(PLACEHOLDERS)  # a mailing's placeholders, {{ certificate_url }}, shown as they are typed
# Pages whose words are another part of issue 14 (the audit log's action names, the outbox's statuses):
# checked once those parts are merged; remove a prefix here when its part lands.
OTHERS: tuple[str, ...] = ("/manage/audit", "/manage/outbox", "/manage/mail")
# Pages not worth fetching: downloads and actions.
SKIP = re.compile(r"\.(csv|json|xlsx|pdf|ics|png|svg|zip)$|/export|/download|/logout")
LIMIT = 400


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Text(HTMLParser):
    """The text a reader sees (no scripts, styles or hidden templates; not what a textarea holds: the
    English texts an organiser wrote; not what is marked as another language, such as the preview of an
    English mail) and the page's links."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        self._foreign = 0  # depth inside an element with lang="…" other than Dutch

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template", "textarea"):
            self._skip += 1
        if tag not in VOID:
            lang = dict(attrs).get("lang") or ""
            if self._foreign:
                self._foreign += 1
            elif tag != "html" and lang and not lang.startswith("nl"):
                self._foreign = 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template", "textarea") and self._skip:
            self._skip -= 1
        if self._foreign and tag not in VOID:
            self._foreign -= 1

    def handle_data(self, data):
        if not self._skip and not self._foreign:
            self.parts.append(data)


def problems_in(text: str) -> list[str]:
    found = []
    for word in ENGLISH:
        if re.search(rf"(?<![\w@/.-]){re.escape(word)}(?![\w@/.-])", text):
            found.append(word)
    found += [m for m in RAW.findall(text) if m not in ALLOWED]
    return found


def test_the_word_check_itself():
    assert problems_in("Status: queued") == ["queued"]
    assert problems_in("Meerkeuze (single_choice)") == ["single_choice"]
    assert problems_in("Bewijskracht: None") == ["None"]
    assert problems_in("De workshop is vol; org@example.org schreef the-end.") == []


def test_every_back_office_page_of_the_demo_reads_dutch(app):
    load_demo()
    client = app.test_client(user=make_user("admin", email="beheer@example.org"))
    todo, seen, bad = ["/manage/"], set(), {}
    while todo and len(seen) < LIMIT:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url + ("&" if "?" in url else "?") + "lang=nl")
        assert response.status_code < 500, url
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        parser = _Text()
        parser.feed(response.get_data(as_text=True))
        if not url.startswith(OTHERS):
            text = re.sub(r"\s+", " ", " ".join(parser.parts))
            found = problems_in(text)
            if found:
                bad[url] = sorted(set(found))
        for href in parser.links:
            path = urldefrag(href)[0]
            parts = urlsplit(path)
            if parts.netloc or not parts.path.startswith("/manage/") or SKIP.search(parts.path):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query and "page=" not in parts.query else "")
            target = re.sub(r"[?&]lang=\w+", "", target)
            if target not in seen:
                todo.append(target)
    assert len(seen) > 20
    assert bad == {}, "\n".join(f"{u}: {w}" for u, w in sorted(bad.items()))


def test_check_in_search_names_a_cancelled_registration_in_dutch(app):
    congress = open_congress()
    person = registered(congress, name="Anna Geannuleerd", confirmed=True).registration
    registrations.cancel(person, reason="organiser")
    client = app.test_client(user=make_user("checkin", email="balie@example.org"))
    page = client.get(f"/manage/checkin/{congress.slug}/search?q=Anna&lang=nl").get_data(as_text=True)
    parser = _Text()
    parser.feed(page)
    text = " ".join(parser.parts)
    assert "Anna Geannuleerd" in text and "Geannuleerd" in text.replace("Anna Geannuleerd", "")
    assert "cancelled" not in text
