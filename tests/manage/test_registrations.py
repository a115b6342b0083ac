"""The back-office screens that combine capabilities (congress.manage.registrations) and the reads of
registration they are built on (registration.queries)."""

from __future__ import annotations

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from congress.extensions import db
from congress.mail.models import MailStatus, OutboxMessage
from congress.registration import queries, services
from congress.registration.models import Registration
from tests.registration.factories import add_round, open_congress, registered


def names(query) -> list[str]:
    return [r.name for r in db.session.scalars(query)]


def test_search_filters_sorts_and_takes_ids_to_keep_or_leave_out(app):
    congress = open_congress()
    _, (small, _big) = add_round(congress)
    people = [registered(congress, [small.id], n=i, confirmed=i % 2 == 0).registration for i in range(4)]
    services.cancel(people[3], notify=False)
    search = queries.search
    filters = queries.RegistrationFilters
    assert names(search(congress, filters())) == ["Deelnemer 0", "Deelnemer 1", "Deelnemer 2", "Deelnemer 3"]
    assert names(search(congress, filters(sort="-name"))) == ["Deelnemer 3", "Deelnemer 2", "Deelnemer 1",
                                                             "Deelnemer 0"]
    assert names(search(congress, filters(q="DEELNEMER1@"))) == ["Deelnemer 1"]
    assert names(search(congress, filters(confirmed="no"))) == ["Deelnemer 1"]
    assert names(search(congress, filters(status="cancelled"))) == ["Deelnemer 3"]
    assert names(search(congress, filters(status="nonsense"))) == names(search(congress, filters()))
    assert names(search(congress, filters(session_id=small.id, place="waitlisted"))) == ["Deelnemer 2"]
    some = sa.select(Registration.id).where(Registration.id.in_([people[0].id, people[2].id]))
    assert names(search(congress, filters(), only_ids=some)) == ["Deelnemer 0", "Deelnemer 2"]
    assert names(search(congress, filters(), except_ids=some)) == ["Deelnemer 1", "Deelnemer 3"]
    other = open_congress("ander")
    assert names(search(other, filters())) == []


def test_filters_from_the_query_string(app):
    args = MultiDict({"q": "  utrecht ", "sector": "3", "session": "x", "sort": "-created", "status": "pending"})
    assert queries.RegistrationFilters.from_args(args) == queries.RegistrationFilters(
        q="utrecht", status="pending", sector_id=3, session_id=None, sort="-created")


def test_statistics_reads(app):
    congress = open_congress()
    sectors = services.sectors(congress)
    registered(congress, n=1, sector_id=sectors[1].id)
    registered(congress, n=2, sector_id=sectors[1].id, confirmed=True)
    gone = registered(congress, n=3, sector_id=sectors[0].id).registration
    services.cancel(gone, notify=False)
    assert queries.counts_by_status(congress) == {"pending": 1, "confirmed": 1, "cancelled": 1}
    assert queries.counts_by_sector(congress) == [(sectors[1].name_nl, sectors[1].name_en, 2)]
    assert queries.active_counts_by_edition() == {congress.id: 2}


def test_attendance_lists_the_enrolled_by_name_then_the_waiting_list_in_its_order(app):
    congress = open_congress()
    _, (small, _big) = add_round(congress)
    for i in (3, 1, 2, 4):
        registered(congress, [small.id], n=i, confirmed=True)
    assert [(e.registration.name, e.status) for e in queries.attendance(small)] == [
        ("Deelnemer 1", "enrolled"), ("Deelnemer 3", "enrolled"), ("Deelnemer 2", "waitlisted"),
        ("Deelnemer 4", "waitlisted")]


def test_the_combined_screens_keep_their_urls(app, organiser):
    congress = open_congress()
    _, (small, _big) = add_round(congress)
    endpoints = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    assert endpoints["manage.registrations.index"] == "/manage/registrations/<slug>/"
    assert endpoints["manage.registrations.statistics"] == "/manage/registrations/<slug>/statistics"
    assert endpoints["manage.registrations.attendance"] == (
        "/manage/registrations/<slug>/sessions/<int:session_id>/attendance.<fmt>")
    assert endpoints["manage.registrations.chart_js"] == "/manage/registrations/chart.js"
    client = app.test_client(user=organiser)
    assert client.get(f"/manage/registrations/{congress.slug}/?checked_in=yes").status_code == 200
    other = open_congress("ander")
    _, (elsewhere, _) = add_round(other)
    assert client.get(f"/manage/registrations/{congress.slug}/sessions/{elsewhere.id}/attendance.csv"
                      ).status_code == 404
    assert client.get("/manage/registrations/nope/statistics").status_code == 404
    assert client.get(f"/manage/registrations/{congress.slug}/sessions/{small.id}/attendance.doc").status_code == 404


def test_the_list_marks_an_address_whose_mail_bounces(app, organiser):
    congress = open_congress("stuitert")
    people = [registered(congress, n=i).registration for i in range(2)]
    refusal = "550 5.1.1 Recipient address rejected: User unknown"
    db.session.add(OutboxMessage(to_address=people[0].email.upper(), template="x", subject="s", body_text="t",
                                 body_html="h", status=MailStatus.FAILED.value, smtp_code=550, smtp_reply=refusal,
                                 congress_id=congress.id))
    db.session.commit()
    client = app.test_client(user=organiser)
    for lang, label in (("nl", "mail komt niet aan"), ("en", "mail bounces")):
        html = client.get(f"/manage/registrations/{congress.slug}/?lang={lang}").get_data(as_text=True)
        assert html.count(f">{label}</span>") == 1, lang
        assert f'title="{refusal}"' in html
