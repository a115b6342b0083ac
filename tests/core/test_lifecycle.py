"""The edition lifecycle: which moves are allowed, the audited services, archived editions read-only,
drafts for staff only, and the registration window's default close (the edition's start)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from congress.audit.models import AuditEvent
from congress.core import services
from congress.core.models import Congress, CongressStatus
from congress.database import utcnow
from congress.errors import Conflict, InvalidInput, NotPermitted
from congress.extensions import db
from congress.registration import queries as registration
from tests.factories import make_congress, make_user

D, P, C, A = "draft", "published", "closed", "archived"


@pytest.mark.parametrize(("current", "moves"), [(D, (P,)), (P, (C,)), (C, (P, A)), (A, ()), ("nonsense", ())])
def test_allowed_moves_draft_published_closed_archived_and_back_from_closed(current, moves):
    assert services.allowed_moves(current) == moves


def test_every_status_has_its_moves_and_labels():
    for status in CongressStatus:
        assert status.value in services.STATUS_LABELS
        assert all(move in services.MOVE_EFFECTS for move in services.allowed_moves(status.value))


def test_change_status_follows_the_lifecycle_and_is_audited(app):
    congress = make_congress("levensloop", status=D)
    for new in (P, C, P, C, A):
        before = congress.programme_changed_at
        services.change_status(congress, new)
        assert congress.status == new
        assert before is None or congress.programme_changed_at > before  # public caches start afresh
    db.session.commit()
    moves = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "congress.status")
                               .order_by(AuditEvent.id)).all()
    assert [(e.data["old"], e.data["new"]) for e in moves] == [(D, P), (P, C), (C, P), (P, C), (C, A)]


@pytest.mark.parametrize(("start", "target"), [(D, C), (D, A), (P, A), (P, D), (A, P), (A, C), (C, D), (P, "x")])
def test_moves_outside_the_lifecycle_are_refused(app, start, target):
    congress = make_congress("weigering", status=start)
    with pytest.raises(Conflict) as refused:
        services.change_status(congress, target)
    assert refused.value.code == "not_allowed"
    db.session.rollback()
    assert db.session.get(Congress, congress.id).status == start


def test_a_move_confirmed_on_a_stale_status_is_refused(app):
    congress = make_congress("verouderd", status=P)
    services.change_status(congress, C)
    with pytest.raises(Conflict) as refused:
        services.change_status(congress, C, expected=P)  # the second organiser saw "published"
    assert refused.value.code == "changed"
    db.session.rollback()
    assert db.session.get(Congress, congress.id).status == C


def test_update_congress_cleans_checks_and_audits(app):
    congress = make_congress("bewerken")
    services.update_congress(congress, title_nl="  Nieuwe titel\x00 ", title_en="", contact_email="info@congres.nl",
                             starts_at_time=time(9, 30), ends_at_time=time(17, 0), capacity=300)
    db.session.commit()
    assert congress.title_nl == "Nieuwe titel"
    assert congress.title_en == "Nieuwe titel"  # empty English: the Dutch one
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "congress.update"))
    assert set(event.data["fields"]) >= {"title_nl", "contact_email", "capacity", "starts_at_time"}


@pytest.mark.parametrize(("fields", "field"), [
    ({"title_nl": ""}, "title_nl"),
    ({"title_nl": "x" * 201}, "title_nl"),
    ({"ends_on": date(2000, 1, 1)}, "ends_on"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"capacity": -1}, "capacity"),
    ({"capacity": 10**30}, "capacity"),
    ({"contact_email": "geen adres"}, "contact_email"),
    ({"starts_at_time": time(17), "ends_at_time": time(9)}, "ends_at_time"),
    ({"registration_opens_at": datetime(2030, 1, 2, tzinfo=UTC),
      "registration_closes_at": datetime(2030, 1, 1, tzinfo=UTC)}, "registration_closes_at"),
    ({"registration_opens_at": datetime(2030, 1, 2)}, "registration_opens_at"),
])
def test_update_congress_refuses_with_a_message_per_field(app, fields, field):
    congress = make_congress("fout")
    with pytest.raises(InvalidInput) as refused:
        services.update_congress(congress, **fields)
    assert field in refused.value.errors and refused.value.errors[field][0]


def test_create_refuses_duplicates_and_reserved_slugs_with_the_field(app):
    make_congress("bestaat")
    with pytest.raises(Conflict) as duplicate:
        services.create_congress("bestaat", title_nl="x", title_en="", starts_on=date(2030, 1, 1),
                                 ends_on=date(2030, 1, 1))
    assert duplicate.value.field == "slug"
    with pytest.raises(InvalidInput) as reserved:
        services.create_congress("editions", title_nl="x", title_en="", starts_on=date(2030, 1, 1),
                                 ends_on=date(2030, 1, 1))
    assert reserved.value.field == "slug"


def test_an_archived_edition_refuses_updates(app):
    congress = make_congress("archief", status=A)
    with pytest.raises(NotPermitted) as refused:
        services.update_congress(congress, title_nl="Anders")
    assert refused.value.code == "archived"


def test_registration_closes_at_the_start_of_the_edition_by_default(app):
    day = date.today() + timedelta(days=10)
    congress = make_congress("venster", day=day)
    congress.timezone = "Europe/Amsterdam"
    congress.starts_at_time = time(9, 30)
    congress.registration_opens_at = utcnow() - timedelta(days=1)
    congress.registration_closes_at = None
    db.session.commit()
    assert congress.registration_closes == congress.starts_at
    assert congress.starts_at.astimezone(services.ZoneInfo("Europe/Amsterdam")).time() == time(9, 30)
    assert registration.window_state(congress) == "open"
    assert registration.window_state(congress, congress.starts_at - timedelta(minutes=1)) == "open"
    assert registration.window_state(congress, congress.starts_at) == "closed"


@pytest.mark.parametrize(("status", "state"), [(D, "closed"), (P, "open"), (C, "closed"), (A, "closed")])
def test_only_a_published_edition_takes_registrations(app, status, state):
    congress = make_congress("status-" + status, status=status)
    congress.registration_opens_at = utcnow() - timedelta(days=1)
    db.session.commit()
    assert registration.window_state(congress) == state


def test_a_draft_is_found_for_staff_only(app, client):
    make_congress("concept", status=D)
    assert client.get("/concept/").status_code == 404
    speaker = make_user("speaker", email="spreker@example.org")
    assert app.test_client(user=speaker).get("/concept/").status_code == 404
    organiser = make_user("organiser", email="org2@example.org")
    page = app.test_client(user=organiser).get("/concept/")
    assert page.status_code == 200
    assert "Draft preview" in page.get_data(as_text=True) or "Conceptweergave" in page.get_data(as_text=True)


def test_a_published_page_has_no_draft_banner(app, client):
    make_congress("gepubliceerd", status=P)
    page = client.get("/gepubliceerd/").get_data(as_text=True)
    assert "draft-preview" not in page


def test_concurrent_status_changes_apply_once(app):
    """Eight organisers confirm "close" at the same moment, each from the "published" they saw: the
    conditional update lets one win; the others are told it changed meanwhile (SQLite and PostgreSQL)."""
    congress_id = make_congress("gelijktijdig", status=P).id
    answers: list[str] = []
    barrier = threading.Barrier(8)

    def organiser() -> None:
        with app.app_context():
            try:
                mine = db.session.get(Congress, congress_id)
                assert mine.status == P
                db.session.rollback()  # end the read; the move runs in its own write transaction
                barrier.wait()
                services.change_status(mine, C, expected=P)
                answers.append("moved")
            except Conflict as exc:
                answers.append(exc.code)
            except Exception as exc:  # reported in the assertion below
                answers.append(f"error: {exc!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=organiser) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == ["changed"] * 7 + ["moved"], answers
    db.session.rollback()
    assert db.session.get(Congress, congress_id).status == C
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "congress.status")) == 1
