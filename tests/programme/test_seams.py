"""The programme's seams (issue 13): its face and queries, its errors in the ServiceError hierarchy,
the one "name unique per edition" rule, ``Congress.sessions`` declared from the programme side, and
the response cache."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest

from congress import errors
from congress.core.models import Congress
from congress.extensions import db
from congress.programme import queries
from congress.programme import services as programme
from congress.programme.caching import ResponseCache
from congress.programme.models import ProgrammeSession
from tests.factories import make_congress, make_session
from tests.programme.factories import publish


def test_errors_derive_from_the_service_error_hierarchy():
    refused = programme.ProgrammeError("Nee.", "title")
    assert isinstance(refused, errors.ServiceError) and refused.status == 422
    assert (refused.message, refused.field, refused.errors) == ("Nee.", "title", {"title": ["Nee."]})
    assert isinstance(refused, ValueError)  # caught as before
    not_allowed = programme.NotAllowed()
    assert isinstance(not_allowed, errors.NotPermitted) and not_allowed.status == 403
    assert isinstance(not_allowed, PermissionError)  # caught as before
    hard = programme.PublishRefused([])
    assert isinstance(hard, errors.Conflict) and hard.status == 409 and hard.conflicts == []
    assert isinstance(programme.BadFilter("x"), errors.InvalidInput)


@pytest.mark.parametrize("kind", ["track", "room", "round"])
def test_a_name_is_unique_per_edition(app, kind):
    congress, other = make_congress(), make_congress()

    def save(edition, row=None, name="Uniek"):
        if kind == "track":
            return programme.save_track(edition, row, name_nl=name, name_en="Unique", colour="#123456")
        if kind == "room":
            return programme.save_room(edition, row, name=name, capacity=10)
        return programme.save_signup_round(edition, row, name_nl=name)

    first = save(congress)
    assert save(congress, first).id == first.id  # saving a row under its own name is fine
    assert save(other).id != first.id  # another edition may use the name
    with pytest.raises(programme.ProgrammeError) as refused:
        save(congress, name="  Uniek ")
    assert refused.value.field == ("name" if kind == "room" else "name_nl")
    second = save(congress, name="Tweede")
    with pytest.raises(programme.ProgrammeError):
        save(congress, second, name="Uniek")
    db.session.refresh(second)
    assert (second.name if kind == "room" else second.name_nl) == "Tweede"


def test_the_forms_show_the_name_rule_next_to_the_field(app, organiser):
    congress = make_congress()
    staff = app.test_client(user=organiser)
    track = staff.post(f"/manage/programme/{congress.slug}/tracks/new",
                       data={"name_nl": "Spoor 1", "name_en": "Track 1", "colour": "#aa0000"})
    assert track.status_code == 200
    assert 'id="name_nl-error"' in track.get_data(as_text=True)
    room = staff.post(f"/manage/programme/{congress.slug}/rooms/new", data={"name": "Zaal 1", "capacity": "40"})
    assert room.status_code == 200
    assert 'id="name-error"' in room.get_data(as_text=True)
    assert len(congress.tracks) == 2 and len(congress.rooms) == 2


def test_wrong_edition_is_404_in_the_management_pages(app, organiser):
    congress, other = make_congress(), make_congress()
    session = make_session(congress)
    staff = app.test_client(user=organiser)
    assert staff.get(f"/manage/programme/{other.slug}/sessions/{session.id}").status_code == 404
    assert staff.get(f"/manage/programme/{other.slug}/tracks/{congress.tracks[0].id}").status_code == 404
    assert staff.get(f"/manage/programme/{other.slug}/rooms/{congress.rooms[0].id}").status_code == 404
    assert staff.get("/manage/programme/no-such-edition/").status_code == 404


def test_queries_are_the_programme_reads_for_other_capabilities(app):
    congress = make_congress()
    a = make_session(congress, title="Alfa")
    assert queries.public_sessions(congress) == []
    publish(congress)
    assert [s.id for s in queries.public_sessions(congress)] == [a.id]
    assert queries.latest_version(congress).number == 1
    assert queries.zone(congress).key == congress.timezone
    assert queries.public_sessions is programme.public_sessions
    assert queries.seats_left(a) is None


FOUNDATION = {"extensions", "database", "i18n", "errors", "storage", "tokens", "signals", "urls", "sanitize",
              "spreadsheets", "schemas", "jobs", "tasks", "capabilities"}


def test_core_imports_nothing_above_it():
    """core (layer 3) imports only the foundation, audit and mail, and itself: not the programme."""
    core = Path(__file__).resolve().parents[2] / "congress" / "core"
    found = set()
    for path in core.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("congress."):
                found.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("congress."))
    assert found <= FOUNDATION | {"audit", "mail", "core"}, found
    # The relationship exists all the same, declared by the programme's model.
    assert Congress.__mapper__.relationships["sessions"].mapper.class_ is ProgrammeSession


def test_congress_sessions_is_declared_by_the_programme_with_its_order_and_cascade(app):
    congress = make_congress()
    late = make_session(congress, start="15:00", end="16:00")
    early = make_session(congress, start="09:00", end="10:00", room_index=1)
    db.session.expire_all()
    congress = db.session.get(Congress, congress.id)
    assert [s.id for s in congress.sessions] == [early.id, late.id]
    assert early.congress is congress
    db.session.delete(congress)
    db.session.commit()
    assert db.session.query(ProgrammeSession).filter(ProgrammeSession.id.in_([early.id, late.id])).count() == 0


def test_the_response_cache_keeps_the_most_recent_entries():
    cache = ResponseCache(2)
    entry = (b"x", "text/plain", {}, None)
    cache.put("a", entry)
    cache.put("b", entry)
    assert cache.get("a") == entry  # "a" is now the most recent
    cache.put("c", entry)
    assert cache.get("b") is None and cache.get("a") == entry and cache.get("c") == entry
    cache.clear()
    assert cache.get("a") is None


def test_a_changed_programme_is_a_new_etag_and_the_old_one_is_not_304(client, app):
    congress = make_congress()
    session = make_session(congress, title="Alfa")
    publish(congress)
    url = f"/{congress.slug}/schedule.json"
    first = client.get(url)
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    session.starts_at += timedelta(minutes=30)
    session.ends_at += timedelta(minutes=30)
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
