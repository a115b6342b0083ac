"""The cockpit of an edition (congress.manage.cockpit, cockpit_queries), its CSV figures, the lists for
the day, and the fixes of issue 14: one seat read for the statistics and the check-in dashboard, and the
attendance list of who was scanned in."""

from __future__ import annotations

import csv
import io
import itertools
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from congress.cfp.models import Proposal, Review
from congress.checkin.models import CheckIn, list_key
from congress.core.models import Congress
from congress.database import utcnow
from congress.demo import load_demo
from congress.extensions import db
from congress.mail.models import OutboxMessage
from congress.manage import cockpit_queries as figures
from congress.manage import demo_after
from congress.registration import services
from congress.registration.models import Registration
from congress.tokens import hash_secret, new_secret
from tests.factories import make_session, make_user
from tests.registration.factories import add_round, open_congress, registered

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
_n = itertools.count(1)


def check_in(congress, registration, *, session=None, at: datetime | None = None, out: bool = False) -> CheckIn:
    row = CheckIn(congress_id=congress.id, registration_id=registration.id, list_key=list_key(session.id if session
                                                                                               else None),
                  session_id=session.id if session else None, station_name="Ingang", scanned_at=at or utcnow(),
                  checked_out_at=utcnow() if out else None)
    db.session.add(row)
    db.session.commit()
    return row


def mail(congress, status: str, *, created: datetime | None = None) -> OutboxMessage:
    row = OutboxMessage(to_address=f"m{next(_n)}@example.org", template="registration/confirm", subject="Onderwerp",
                        body_text="Tekst", body_html="<p>Tekst</p>", status=status, congress_id=congress.id,
                        created_at=created or utcnow())
    db.session.add(row)
    db.session.commit()
    return row


def proposal(congress, status: str, *, reviewed: bool = False) -> Proposal:
    reviewer = make_user("reviewer") if reviewed else None
    row = Proposal(congress_id=congress.id, guid=str(uuid.uuid4()), status=status, title=f"Voorstel {next(_n)}")
    db.session.add(row)
    db.session.flush()
    if reviewer is not None:
        db.session.add(Review(proposal_id=row.id, reviewer_id=reviewer.id, scores={}))
    db.session.commit()
    return row


@pytest.fixture
def edition(app):
    """An open edition (capacity 10) with a workshop of 2 seats and one of 30, people in every state."""
    congress = open_congress("cockpit-congres", capacity=10)
    _, (small, big) = add_round(congress)
    sectors = services.sectors(congress)
    people = [registered(congress, [small.id], n=i, confirmed=i < 3, sector_id=sectors[i % 2].id,
                         dietary=["Vegetarisch", " vegetarisch ", "halal", ""][i % 4],
                         accessibility="rolstoel" if i == 1 else "").registration for i in range(5)]
    services.cancel(people[4], notify=False)
    return congress, small, big, people


def test_the_cockpit_figures(edition):
    congress, small, big, people = edition
    check_in(congress, people[0])
    check_in(congress, people[1], out=True)
    check_in(congress, people[0], session=small)
    mail(congress, "queued", created=datetime(2026, 1, 2, 9, 0, tzinfo=UTC))
    mail(congress, "queued", created=datetime(2026, 1, 1, 9, 0, tzinfo=UTC))
    mail(congress, "failed")
    mail(congress, "sent")
    proposal(congress, "draft")
    proposal(congress, "submitted", reviewed=True)
    proposal(congress, "accepted", reviewed=True)
    proposal(congress, "rejected")
    proposal(congress, "withdrawn")

    data = figures.cockpit(congress, "nl")
    assert (data.confirmed, data.unconfirmed, data.cancelled) == (3, 1, 1)
    assert data.capacity_left == 10 - 4
    assert [(w.session.id, w.enrolled, w.waiting, w.seats_left) for w in data.workshops] == [
        (small.id, 2, 2, 0), (big.id, 0, 0, 30)]
    assert data.waiting_people == 2
    assert sum(n for _name, n in data.sectors) == 4
    assert data.days[-1][2] == 5  # the running total counts every registration made, cancelled too
    assert data.outbox.waiting == 2 and data.outbox.failed == 1 and data.outbox.sent >= 1  # + the confirmations
    assert data.outbox.oldest_waiting == datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    assert (data.submitted, data.reviewed, data.decided) == (4, 2, 2)
    assert (data.arrived, data.present) == (2, 1)
    assert sum(n for _hour, n in data.arrivals) == 2


def test_hours_are_grouped_in_the_database_and_folded_into_local_days(app):
    congress = open_congress("tijden")
    # 23:30 UTC on 1 December is 00:30 on 2 December in Amsterdam; nothing on 3 December; one on the 4th.
    people = [registered(congress).registration for _ in range(4)]
    for person, at in zip(people, (datetime(2026, 12, 1, 22, 59, tzinfo=UTC), datetime(2026, 12, 1, 23, 30, tzinfo=UTC),
                                   datetime(2026, 12, 1, 23, 45, tzinfo=UTC), datetime(2026, 12, 4, 10, 0, tzinfo=UTC)),
                          strict=True):
        person.created_at = at
    db.session.commit()
    hours = figures.per_utc_hour(sa.select(Registration.created_at).where(Registration.congress_id == congress.id))
    assert hours == [(datetime(2026, 12, 1, 22, tzinfo=UTC), 1), (datetime(2026, 12, 1, 23, tzinfo=UTC), 2),
                     (datetime(2026, 12, 4, 10, tzinfo=UTC), 1)]
    assert figures.per_local_day(hours, AMSTERDAM) == [
        (date(2026, 12, 1), 1, 1), (date(2026, 12, 2), 2, 3), (date(2026, 12, 3), 0, 3), (date(2026, 12, 4), 1, 4)]
    assert figures.local_hours(hours, AMSTERDAM)[0] == (datetime(2026, 12, 1, 23, tzinfo=AMSTERDAM), 1)
    assert figures.per_local_day([], AMSTERDAM) == []


def test_the_cockpit_page_in_dutch_and_english(app, organiser, edition):
    congress, small, _big, people = edition
    client = app.test_client(user=organiser)
    page = client.get(f"/manage/{congress.slug}/?lang=nl")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in ("Bevestigd", "Nog niet bevestigd", "Geannuleerd", "Plaatsen over", "Wachten op een workshop",
                 "Aanmeldingen in de tijd", "Download als CSV", "Binnengekomen per uur"):
        assert text in html
    assert 'data-table="workshops-table"' in html and small.title in html
    assert "40%" in html  # 4 of 10 places taken, formatted per locale
    english = client.get(f"/manage/{congress.slug}/?lang=en").get_data(as_text=True)
    assert "Registrations over time" in english and "Places left" in english


def test_numbers_are_formatted_per_locale(app, organiser):
    congress = open_congress("groot")
    bulk_registrations(congress, 1234)
    client = app.test_client(user=organiser)
    assert ">1.234<" in client.get(f"/manage/{congress.slug}/?lang=nl").get_data(as_text=True)
    assert ">1,234<" in client.get(f"/manage/{congress.slug}/?lang=en").get_data(as_text=True)


def bulk_registrations(congress, n: int, *, start: datetime | None = None) -> None:
    """``n`` registrations straight into the table (the services would take minutes), spread over days."""
    start = start or utcnow() - timedelta(days=30)
    sector = services.sectors(congress)[0].id
    rows = [dict(congress_id=congress.id, name=f"Bulk {i}", email=f"bulk{i}@example.org", organisation="Gemeente",
                 sector_id=sector, status=("confirmed", "pending", "cancelled")[i % 3], locale="nl",
                 manage_secret_hash=hash_secret(new_secret()), manage_nonce=f"n{i}", role="deelnemer",
                 answers={}, dietary="vegetarisch" if i % 7 == 0 else "", accessibility="",
                 created_at=start + timedelta(minutes=13 * i), updated_at=start)
            for i in range(n)]
    db.session.execute(sa.insert(Registration), rows)
    db.session.commit()


@contextmanager
def counted_statements():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def test_the_cockpit_aggregates_in_sql_on_5000_registrations(app, organiser):
    congress = open_congress("vijfduizend")
    add_round(congress)
    bulk_registrations(congress, 10)
    db.session.expire_all()
    with counted_statements() as few:
        small = figures.cockpit(congress, "nl")
    start = utcnow() - timedelta(days=60)
    bulk_registrations(congress, 4990, start=start)
    db.session.expire_all()
    with counted_statements() as many:
        data = figures.cockpit(congress, "nl")
    assert len(many) == len(few) <= 20
    assert data.active + data.cancelled == 5000 and small.active + small.cancelled == 10
    assert data.days[0][0] == start.astimezone(AMSTERDAM).date() and data.days[-1][2] == 5000
    client = app.test_client(user=organiser)
    with counted_statements() as page:
        assert client.get(f"/manage/{congress.slug}/").status_code == 200
    assert len(page) <= len(many) + 10  # the user, the edition, the navigation: no query per registration


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))


@pytest.mark.parametrize("part", ["status", "days", "sectors", "workshops", "outbox", "proposals", "arrivals",
                                  "headcount", "catering"])
def test_every_figure_as_csv(app, organiser, edition, part):
    congress, *_ = edition
    mail(congress, "failed")
    response = app.test_client(user=organiser).get(f"/manage/{congress.slug}/figures.csv?part={part}&lang=en")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f"{congress.slug}-{part}.csv" in response.headers["Content-Disposition"]
    rows = rows_of(response)
    assert len(rows[0]) >= 2
    if part == "status":
        assert ["Confirmed", "3"] in rows and ["Cancelled", "1"] in rows
    if part == "workshops":
        assert rows[1][2:] == ["2", "0", "2"]


def test_guards_and_hostile_input(app, organiser, edition):
    congress, *_ = edition
    assert app.test_client().get(f"/manage/{congress.slug}/").status_code in (302, 401)
    reviewer = app.test_client(user=make_user("reviewer"))
    assert reviewer.get(f"/manage/{congress.slug}/").status_code == 403
    desk = app.test_client(user=make_user("checkin"))
    assert desk.get(f"/manage/{congress.slug}/").status_code == 403
    assert desk.get(f"/manage/{congress.slug}/lists/headcount").status_code == 200
    assert desk.get(f"/manage/{congress.slug}/figures.csv?part=headcount").status_code == 200
    assert desk.get(f"/manage/{congress.slug}/figures.csv?part=status").status_code == 403
    client = app.test_client(user=organiser)
    assert client.get("/manage/bestaat-niet/").status_code == 404
    assert client.get(f"/manage/{congress.slug}/figures.csv?part=nonsense").status_code == 404
    assert client.get(f"/manage/{congress.slug}/figures.csv?part=%00").status_code == 404
    assert client.get(f"/manage/{congress.slug}/figures.csv").status_code == 404
    assert client.get(f"/manage/{congress.slug}/lists/headcount.doc").status_code == 404
    assert client.get(f"/manage/{congress.slug}/lists/catering.xlsx").status_code == 404
    assert client.get(f"/manage/{congress.slug}/?lang=" + "x" * 5000).status_code == 200
    # The back-office sections keep their URLs next to /manage/<slug>/.
    assert client.get("/manage/audit").status_code == 200
    assert client.get("/manage/users").status_code == 200


def test_headcount_per_session(app, organiser, edition):
    congress, small, big, people = edition
    plenary = make_session(congress, start="09:00", end="10:00", title="Opening plenair")
    check_in(congress, people[0], session=small)
    check_in(congress, people[3], session=small)  # admitted at the door without a seat
    rows = {h.session.id: h for h in figures.headcounts(congress)}
    assert (rows[small.id].enrolled, rows[small.id].waiting, rows[small.id].checked_in) == (2, 2, 2)
    assert (rows[big.id].enrolled, rows[plenary.id].enrolled, rows[plenary.id].capacity) == (0, 0, 30)
    assert list(rows) == [plenary.id, small.id, big.id]
    client = app.test_client(user=organiser)
    html = client.get(f"/manage/{congress.slug}/lists/headcount?lang=nl").get_data(as_text=True)
    assert "Aantallen per sessie" in html and "Opening plenair" in html
    assert f"/sessions/{small.id}/attendance.pdf?list=scanned" in html
    csv_rows = rows_of(client.get(f"/manage/{congress.slug}/figures.csv?part=headcount"))
    assert csv_rows[2][1:] == [small.title, congress.rooms[0].name, "2", "2", "2", "2"]


def test_catering_and_venue(app, organiser, edition):
    congress, *_ = edition
    data = figures.catering(congress)
    # Case and spaces do not split a wish; a cancelled registration does not eat.
    assert data.dietary == [("Vegetarisch", 2), ("halal", 1)]
    assert data.accessibility == [("rolstoel", 1)]
    assert (data.active, data.without_dietary_wishes) == (4, 1)
    html = app.test_client(user=organiser).get(f"/manage/{congress.slug}/lists/catering?lang=nl").get_data(
        as_text=True)
    assert "Dieetwensen" in html and "rolstoel" in html


def test_the_lists_for_the_day_as_pdf(app, organiser, edition):
    congress, small, *_ = edition
    client = app.test_client(user=organiser)
    for url in (f"/manage/{congress.slug}/lists/headcount.pdf", f"/manage/{congress.slug}/lists/catering.pdf",
                f"/manage/registrations/{congress.slug}/sessions/{small.id}/attendance.pdf?list=scanned"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")


# --- the defects of issue 14 -----------------------------------------------------------------------

def test_the_statistics_count_the_workshop_waiting_lists_as_the_checkin_dashboard_does(app, organiser):
    """Before: "Op de wachtlijst: 0" while 18 waited, and the check-in dashboard counted other seats."""
    congress = open_congress("wachtlijst")
    _, (small, _big) = add_round(congress, capacities=(2, 30))
    for i in range(20):
        registered(congress, [small.id], n=100 + i, confirmed=i % 2 == 0)
    client = app.test_client(user=organiser)
    html = client.get(f"/manage/registrations/{congress.slug}/statistics?lang=nl").get_data(as_text=True)
    assert "Op de wachtlijst" not in html  # the edition-wide list's status, which nobody holds
    assert 'id="waiting-people">18<' in html
    dashboard = client.get(f"/manage/checkin/{congress.slug}/dashboard.json").get_json()
    workshop = next(w for w in dashboard["workshops"] if w["id"] == small.id)
    stats = next(s for s in figures.workshops(congress) if s.session.id == small.id)
    assert (workshop["enrolled"], workshop["waiting"]) == (stats.enrolled, stats.waiting) == (2, 18)


def test_the_attendance_list_of_who_was_scanned_in(app, organiser):
    congress = open_congress("gescand")
    _, (small, _big) = add_round(congress, capacities=(2, 30))
    seated = [registered(congress, [small.id], n=200 + i, confirmed=True).registration for i in range(2)]
    walk_in = registered(congress, n=210, confirmed=True).registration
    check_in(congress, seated[0], session=small)
    check_in(congress, walk_in, session=small)
    gone = check_in(congress, seated[1], session=small)
    gone.undone_at = utcnow()
    db.session.commit()
    client = app.test_client(user=organiser)
    base = f"/manage/registrations/{congress.slug}/sessions/{small.id}/attendance.csv"
    enrolled = [row[1] for row in rows_of(client.get(base))[1:]]
    assert enrolled == [seated[0].name, seated[1].name]
    scanned = rows_of(client.get(base + "?list=scanned&lang=en"))
    assert [(row[0], row[-1]) for row in scanned[1:]] == [(seated[0].name, "yes"), (walk_in.name, "no")]


def test_the_demo_makes_both_cockpits_look_alive(app, organiser):
    load_demo()
    load_demo()  # idempotent
    for congress in db.session.scalars(sa.select(Congress)):
        data = figures.cockpit(congress, "nl")
        assert len([day for day, n, _total in data.days if n]) >= 10, congress.slug
        # as many as the edition holds (the past one is full: the registration demo's waiting list)
        assert data.cancelled and data.confirmed >= min(100, congress.capacity or 100)
        assert data.outbox.sent and data.outbox.failed and data.outbox.waiting
        assert figures.catering(congress).dietary and figures.catering(congress).accessibility
        assert all(w.enrolled <= w.capacity for w in data.workshops if w.capacity is not None)
        if congress.starts_on <= date.today():
            assert data.arrived > 0.8 * data.confirmed and len(data.arrivals) >= 2
        assert app.test_client(user=organiser).get(f"/manage/{congress.slug}/").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.email.like(f"%{demo_after.DOMAIN}"))) == demo_after.PEOPLE  # the full past edition gets none
    someone = db.session.scalar(sa.select(Registration).where(Registration.email.like(f"%{demo_after.DOMAIN}")))
    assert services.find_by_secret(services.manage_secret(someone)) == someone  # their personal link works
