"""Objects in the audit log are named by the capability that owns them (``audit.signals.objects_described``),
one query per kind, with a clear fallback once they are gone or anonymised."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event

from congress.accounts import services as accounts
from congress.audit import queries
from congress.audit.details import readable
from congress.audit.labels import KINDS
from congress.audit.models import AuditEvent
from congress.audit.services import record
from congress.audit.signals import objects_described
from congress.badges import services as badges
from congress.checkin import services as checkin
from congress.core.models import Person
from congress.database import write_transaction
from congress.extensions import db
from congress.programme.models import ProgrammeSession, ProgrammeVersion
from congress.registration import services as registration
from congress.registration.models import Registration
from tests.cfp.factories import make_proposal, make_speaker, open_call
from tests.factories import make_session
from tests.mail.test_outbox import failed_message
from tests.programme.factories import publish
from tests.registration.factories import add_round, open_congress, registered


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_every_kind_has_exactly_one_namer(app):
    for kind in KINDS:
        assert len(list(objects_described.receivers_for(kind))) == 1, kind


def test_registrations_editions_and_sessions_are_named_and_linked(app):
    congress = open_congress("congres-namen")
    session = make_session(congress, title="Weerbaarheid in de wijk")
    result = registered(congress, n=7, name="Fatima El Amrani")
    with app.test_request_context("/"):
        named = queries.describe_objects([("Registration", str(result.id)), ("Congress", str(congress.id)),
                                          ("ProgrammeSession", str(session.id))], "nl")
    assert named[("Registration", str(result.id))] == (
        "Fatima El Amrani (congres-namen)", f"/manage/registrations/congres-namen/{result.id}")
    assert named[("Congress", str(congress.id))][0] == congress.title_nl
    assert named[("ProgrammeSession", str(session.id))] == (
        "Weerbaarheid in de wijk", f"/manage/programme/congres-namen/sessions/{session.id}")


def test_one_query_per_kind_whatever_the_number_of_rows(app):
    congress = open_congress("congres-veel")
    ids = [str(registered(congress, n=100 + i).id) for i in range(12)]
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    db.session.expire_all()
    with app.test_request_context("/"):
        db.session.get(type(congress), congress.id)  # the edition is loaded once, as on any page
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            named = queries.describe_objects([("Registration", i) for i in ids], "nl")
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert len(named) == 12
    assert len([s for s in statements if "registrations" in s]) == 1


def test_an_anonymised_registration_says_so(app):
    congress = open_congress("congres-wis")
    result = registered(congress, n=8, name="Jan de Vries")
    registration.erase(db.session.get(Registration, result.id))
    db.session.commit()
    with app.test_request_context("/"):
        rows = queries.rows(_events("registration.erase"), "nl")
    assert rows[0].object_label == f"Geanonimiseerde aanmelding {result.id}"
    assert "Jan de Vries" not in rows[0].object_label


def test_a_deleted_object_falls_back_to_its_kind_and_number(app):
    congress = open_congress("congres-weg")
    session = make_session(congress, title="Vervalt")
    session_id = session.id
    with write_transaction():
        record("programme.session.delete", session, title="Vervalt")
        db.session.delete(db.session.get(ProgrammeSession, session_id))
    with app.test_request_context("/"):
        nl = queries.rows(_events("programme.session.delete"), "nl")[0]
        en = queries.rows(_events("programme.session.delete"), "en")[0]
    assert nl.object_label == f"Sessie {session_id} (verwijderd of geanonimiseerd)" and nl.object_url is None
    assert en.object_label == f"Session {session_id} (deleted or anonymised)"
    assert ("Titel", "Vervalt") in nl.details and nl.action == "Sessie verwijderd"


def test_details_read_as_words():
    assert readable({"status": "confirmed", "reason": None, "override": True, "sessions": [3, 4]}, "nl") == [
        ("Status", "bevestigd"), ("Reden", "—"), ("Boven capaciteit", "ja"), ("Sessies", "3, 4")]
    assert readable({"evidence_status": None}, "en") == [("Recognition level", "—")]
    assert readable({"evidence_status": "effectief_eerste"}, "nl") == [
        ("Erkenningsniveau", "effectief – eerste aanwijzingen")]


def test_every_kind_is_named_with_a_working_link(app, monkeypatch, tmp_path, organiser):
    """One object of each kind the log records, named by its owner (a broken link would be a 500)."""
    monkeypatch.setitem(app.config, "BADGE_DIR", str(tmp_path))
    congress = open_congress("congres-alles")
    signup_round, (workshop, _other) = add_round(congress)
    person = registered(congress, [workshop.id], n=300, confirmed=True)
    run = badges.start_print_run(congress, "a6", "everyone")
    station, _secret = checkin.create_station(congress, "Hoofdingang")
    token = accounts.create_api_token("Scanner-app", "read").token
    speaker = Person(name="Sanne Spreker", email="sanne@example.org")
    db.session.add(speaker)
    db.session.commit()
    with app.test_request_context("/"):
        open_call(congress)
        proposal = make_proposal(congress, make_speaker())
    publish(congress)
    version = db.session.scalars(sa.select(ProgrammeVersion).where(ProgrammeVersion.congress_id == congress.id)).first()
    message_id = failed_message()
    question = registration.add_question(congress, kind="short_text", label_nl="Allergieën", label_en="Allergies")
    db.session.commit()
    wanted = {
        "Registration": person.id, "Congress": congress.id, "User": organiser.id, "ApiToken": token.id,
        "Track": congress.tracks[0].id, "Room": congress.rooms[0].id, "SignupRound": signup_round.id,
        "ProgrammeSession": workshop.id, "ProgrammeVersion": version.id, "Person": speaker.id,
        "Question": question.id, "PrintRun": run.id, "Station": station.id, "Proposal": proposal.id,
        "OutboxMessage": message_id,
    }
    with app.test_request_context("/"):
        named = queries.describe_objects([(kind, str(i)) for kind, i in wanted.items()], "nl")
        for kind, object_id in wanted.items():
            label, _url = named[(kind, str(object_id))]
            assert label and "None" not in label, kind
        assert named[("Question", str(question.id))][0] == "Allergieën"
        assert named[("Station", str(station.id))][0] == "Hoofdingang (congres-alles)"
