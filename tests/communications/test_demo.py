"""The demo's mailings: the past edition's sent mailing (history with counts), the upcoming one's draft."""

from __future__ import annotations

import sqlalchemy as sa
from markupsafe import escape

from congress.communications import mailings, schedules
from congress.communications.mailings import Mailing
from congress.communications.mailtexts import MailText
from congress.core import queries as core
from congress.demo import load_demo
from congress.extensions import db
from tests.factories import make_user


def test_the_demo_has_a_sent_mailing_and_a_draft_and_loads_once(app):
    load_demo()
    load_demo()  # idempotent
    past, upcoming = core.congress_by_slug("congres-2024"), core.congress_by_slug("congres-2025")
    sent = db.session.scalars(sa.select(Mailing).where(Mailing.congress_id == past.id)).all()
    drafts = db.session.scalars(sa.select(Mailing).where(Mailing.congress_id == upcoming.id)).all()
    assert [m.status for m in sent] == ["sent"] and [m.status for m in drafts] == ["draft"]
    counts = mailings.counts(sent[0].id)
    assert counts.sent > 10 and counts.skipped == 1 and counts.percent == 100
    organiser = make_user("organiser")
    client = app.test_client(user=organiser)
    history = client.get("/manage/congres-2024/mailings").get_data(as_text=True)
    assert "Uitnodiging: terugblik en presentaties" in history
    page = client.get(f"/manage/congres-2025/mailings/{drafts[0].id}")
    assert page.status_code == 200 and "Praktische informatie" in page.get_data(as_text=True)
    assert mailings.preview(drafts[0]).count > 0


def test_the_demo_edition_has_an_edited_confirmation_text(app):
    load_demo()
    load_demo()
    upcoming = core.congress_by_slug("congres-2025")
    texts = db.session.scalars(sa.select(MailText).where(MailText.congress_id == upcoming.id)).all()
    assert [(t.kind, t.locale) for t in texts] == [("registration/confirmed", "nl")]
    assert "{{ manage_url }}" in texts[0].text


def test_the_demo_has_scheduled_mails_one_sent_two_waiting(app):
    load_demo()
    load_demo()
    past, upcoming = core.congress_by_slug("congres-2024"), core.congress_by_slug("congres-2025")
    fired = schedules.rules_of(past)
    assert [(r.moment, r.days, r.state()) for r in fired] == [("after_end", 4, "fired")]
    assert fired[0].mailing.subject_nl == "Uitnodiging: terugblik en presentaties"
    waiting = schedules.rules_of(upcoming)
    assert sorted((r.moment, r.days) for r in waiting) == [("after_end", 1), ("before_start", 3)]
    client = app.test_client(user=make_user("organiser"))
    page = client.get("/manage/congres-2025/mailings/scheduled").get_data(as_text=True)
    assert "Over een paar dagen: {{ edition }}" in page and "3 dagen voor de start" in page
    detail = client.get(f"/manage/congres-2025/mailings/scheduled/{waiting[0].id}")
    assert detail.status_code == 200
    after = next(r for r in waiting if r.moment == "after_end")  # the evaluations and the certificate linked
    assert "{{ evaluations_url }}" in after.text_nl and "{{ certificate_url }}" in after.text_en
    edit = client.get(f"/manage/congres-2025/mailings/scheduled/{after.id}/edit").get_data(as_text=True)
    assert "{% if certificate_url %}" in edit and "certificate_url" in edit
def test_the_demo_shows_its_edited_text_with_a_preview_for_a_real_registration(app):
    load_demo()
    upcoming = core.congress_by_slug("congres-2025")
    client = app.test_client(user=make_user("organiser"))
    index = client.get(f"/manage/{upcoming.slug}/mail-texts").get_data(as_text=True)
    assert index.count("Aangepast</span>") == 1 and "Tot ziens op {{ edition }}, {{ name }}" in index
    page = client.get(f"/manage/{upcoming.slug}/mail-texts/registration.confirmed/nl")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Aangepast</span>" in html
    assert f"Tot ziens op {escape(upcoming.title_nl)}, " in html and "Voor " in html and "Voorbeeldpersoon" not in html
