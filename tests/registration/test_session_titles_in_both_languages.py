"""An attendee reads the sessions in their own language (issue 18, item 8): the registration form, the
confirmation mail, the e-ticket, the personal page and the online-join page give the English title to
an English registrant and the Dutch one to a Dutch registrant, each with the other as fallback (a
session with only a Dutch title shows it to both, marked with its language on the pages)."""

from __future__ import annotations

import io

import pypdfium2
from lxml import html as lxml_html

from congress.badges import services as badges
from congress.extensions import db
from tests.registration.factories import add_round, open_congress, registered


def _congress():
    congress = open_congress("titels-tweetalig")
    _, (both, dutch) = add_round(congress, capacities=(30, 30))
    both.title, both.title_en = "Weerbaar online", "Resilient online"
    dutch.title = "Buurtnetwerken die blijven"
    db.session.commit()
    return congress, both, dutch


def _pdf_text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    return " ".join(page.get_textpage().get_text_range() for page in document)


def test_the_registration_form_names_the_workshops_in_the_readers_language(client):
    congress, both, dutch = _congress()
    english = client.get(f"/{congress.slug}/register?lang=en").get_data(as_text=True)
    assert "Resilient online" in english and "Weerbaar online" not in english
    fallback = lxml_html.fromstring(english).xpath("//strong[@lang='nl']")
    assert [e.text for e in fallback] == ["Buurtnetwerken die blijven"]  # WCAG 3.1.2: its own language
    dutch_page = client.get(f"/{congress.slug}/register?lang=nl").get_data(as_text=True)
    assert "Weerbaar online" in dutch_page and "Resilient online" not in dutch_page


def test_the_mail_ticket_and_personal_page_of_an_english_registrant_say_the_english_title(app, client, mailbox):
    congress, both, dutch = _congress()
    english = registered(congress, [both.id], n=1, confirmed=True, locale="en")
    dutch_person = registered(congress, [both.id], n=2, confirmed=True, locale="nl")
    bodies = {m["To"]: m.get_body(("plain",)).get_content() for m in mailbox}
    assert "Resilient online" in bodies["deelnemer1@example.org"]
    assert "Weerbaar online" not in bodies["deelnemer1@example.org"]
    assert "Weerbaar online" in bodies["deelnemer2@example.org"]
    assert "Resilient online" not in bodies["deelnemer2@example.org"]

    ticket = _pdf_text(badges.ticket_pdf(english.registration, "en"))
    assert "Resilient online" in ticket and "Weerbaar online" not in ticket
    assert "Weerbaar online" in _pdf_text(badges.ticket_pdf(dutch_person.registration, "nl"))

    page = client.get(f"/my/{english.link}?lang=en").get_data(as_text=True)
    assert "Resilient online" in page and "Weerbaar online" not in page
    assert "Weerbaar online" in client.get(f"/my/{dutch_person.link}?lang=nl").get_data(as_text=True)


def test_a_session_with_only_a_dutch_title_is_named_in_dutch_to_everyone(app, client, mailbox):
    congress, both, dutch = _congress()
    english = registered(congress, [dutch.id], n=3, confirmed=True, locale="en")
    assert "Buurtnetwerken die blijven" in mailbox[0].get_body(("plain",)).get_content()
    page = lxml_html.fromstring(client.get(f"/my/{english.link}?lang=en").get_data(as_text=True))
    assert [e.text for e in page.xpath("//strong[@lang='nl']")] == ["Buurtnetwerken die blijven"]
