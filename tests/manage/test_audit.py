"""The readable audit log at /manage/audit: names, filters (errors next to the fields, kept while
paging), the CSV of the filtered list (itself an audit event) and the guards."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from congress.audit.models import AuditEvent
from congress.audit.services import record
from congress.database import write_transaction
from congress.extensions import db
from congress.manage import views
from congress.registration.models import Registration
from tests.factories import make_user
from tests.registration.factories import open_congress, registered


def _at(event_id: int, when: datetime) -> None:
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == event_id).values(occurred_at=when))
    db.session.commit()


def _last() -> AuditEvent:
    return db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()


@pytest.fixture
def trail(app, organiser):
    """A small trail: an edition, two registrations (one cancelled by the organiser), a login."""
    congress = open_congress("congres-log")
    first = registered(congress, n=1, name="Anouk Jansen")
    second = registered(congress, n=2, name="Bram Peters")
    with write_transaction():
        record("registration.cancel", db.session.get(Registration, second.id), actor=organiser, reason="organiser")
    return congress, first, second


def body(response) -> str:
    """The table of events (the filter's options name every action too)."""
    return response.get_data(as_text=True).split("<tbody", 1)[1].split("</tbody>", 1)[0]


def test_the_log_reads_as_sentences_with_named_linked_objects(app, organiser, trail):
    congress, first, _second = trail
    client = app.test_client(user=organiser)
    page = body(client.get("/manage/audit"))
    assert "Aangemeld" in page and "Aanmelding geannuleerd" in page
    assert "registration.create" not in page and "registration.cancel" not in page
    assert f'href="/manage/registrations/congres-log/{first.id}">Anouk Jansen (congres-log)</a>' in page
    assert "Olga Organisator" in page or organiser.email in page
    assert "systeem" in page  # an attendee's own registration is not a person's act in the back office
    english = body(client.get("/manage/audit?lang=en"))
    assert "Registration cancelled" in english and "Registered" in english


def test_filters_by_actor_action_kind_edition_and_dates(app, organiser, trail):
    congress, _first, second = trail
    client = app.test_client(user=organiser)
    only_me = body(client.get(f"/manage/audit?actor={organiser.id}"))
    assert "Aanmelding geannuleerd" in only_me and "Anouk Jansen" not in only_me
    system = body(client.get("/manage/audit?actor=system&action=registration.create"))
    assert "Anouk Jansen" in system and "Bram Peters" in system and "Aanmelding geannuleerd" not in system
    grouped = body(client.get("/manage/audit?action=registration."))
    assert "Editie aangemaakt" not in grouped and "Aangemeld" in grouped
    kinds = body(client.get("/manage/audit?kind=Congress"))
    assert "Editie aangemaakt" in kinds and "Anouk Jansen" not in kinds
    other = open_congress("congres-ander")
    edition = body(client.get(f"/manage/audit?edition={other.id}"))
    assert "Anouk Jansen" not in edition and "Editie aangemaakt" in edition

    cancelled = db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "registration.cancel",
                                                                  AuditEvent.actor_user_id == organiser.id))
    _at(cancelled, datetime(2025, 3, 1, 23, 30, tzinfo=UTC))  # 2 March 00:30 in Amsterdam
    day = body(client.get("/manage/audit?date_from=2025-03-02&date_to=2025-03-02"))
    assert "Aanmelding geannuleerd" in day and "Anouk Jansen" not in day
    before = body(client.get("/manage/audit?date_to=2025-03-01"))
    assert "Aanmelding geannuleerd" not in before and "Geen gebeurtenissen" in before


def test_one_objects_history(app, organiser, trail):
    _congress, first, second = trail
    client = app.test_client(user=organiser)
    page = body(client.get(f"/manage/audit?kind=Registration&object={second.id}"))
    assert "Bram Peters" in page and "Anouk Jansen" not in page
    assert "Anouk Jansen" in body(client.get(f"/manage/audit?kind=Registration&object={first.id}"))
    for hostile in ("object=x", "object=99999999999999", "object=-1"):
        response = client.get(f"/manage/audit?kind=Registration&{hostile}")
        assert response.status_code == 200 and "Bram Peters" in body(response), hostile  # ignored, the whole log


def test_wrong_filters_are_told_next_to_their_field_never_a_500(app, organiser, trail):
    client = app.test_client(user=organiser)
    response = client.get("/manage/audit?date_from=2025-05-01&date_to=2025-04-01")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="date_to-error"' in page and 'aria-invalid="true"' in page
    for query in ("date_from=gisteren", "edition=99999999999999999999", "actor=%00", "action=" + "x" * 5000,
                  "date_to=9999-12-31", "date_from=0001-01-01", "page=99999999999999999", "kind=<script>"):
        response = client.get(f"/manage/audit?{query}")
        assert response.status_code == 200, query
    assert client.get("/manage/audit.csv?date_from=gisteren").status_code == 200  # the page, with the error


def test_paging_keeps_the_filters(app, organiser, monkeypatch, trail):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    client = app.test_client(user=organiser)
    page = client.get("/manage/audit?action=registration.create").get_data(as_text=True)
    assert "action=registration.create" in page.split('class="pager"', 1)[1]


def test_the_csv_holds_the_filtered_list_and_is_itself_audited(app, organiser, trail):
    congress, _first, _second = trail
    client = app.test_client(user=organiser)
    response = client.get("/manage/audit.csv?action=registration.create&lang=nl")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Tijdstip", "Wie", "Actie"]
    assert sorted(r[5] for r in rows[1:]) == ["Anouk Jansen (congres-log)", "Bram Peters (congres-log)"]
    assert {r[2] for r in rows[1:]} == {"Aangemeld"}
    event = _last()
    assert event.action == "export.audit" and event.data["count"] == 2 and event.data["format"] == "csv"
    assert event.actor_user_id == organiser.id and event.data["filters"] == {"action": "registration.create"}


def test_only_organisers_read_the_log(app, trail):
    reviewer = make_user("reviewer")
    for url in ("/manage/audit", "/manage/audit.csv"):
        assert app.test_client().get(url).status_code in (302, 401)
        assert app.test_client(user=reviewer).get(url).status_code == 403
