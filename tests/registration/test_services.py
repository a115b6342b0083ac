"""The registration rules, without HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from congress.audit.models import AuditEvent
from congress.database import utcnow
from congress.extensions import db
from congress.mail.models import OutboxMessage
from congress.registration import services
from congress.registration.models import Enrolment, Registration
from congress.registration.questions import add_question
from congress.registration.tasks import expire_unconfirmed_registrations
from tests.factories import make_session
from tests.registration.factories import add_round, data, open_congress, registered


def statuses(registration):
    db.session.expire_all()
    return {e.session_id: e.status for e in db.session.get(Registration, registration.id).enrolments}


def test_register_holds_seats_and_sends_the_double_opt_in(app, mailbox):
    congress = open_congress()
    _, (small, big) = add_round(congress)
    result = registered(congress, [small.id], n=1)
    assert result.created
    r = result.registration
    assert r.status == "pending"
    assert r.expires_at > utcnow() + timedelta(hours=47)
    assert statuses(r) == {small.id: "enrolled"}
    assert len(mailbox) == 1
    body = mailbox[0].get_body(("plain",)).get_content()
    assert "/my/" in body and "/confirm" in body
    assert result.link not in r.manage_secret_hash and len(result.link) >= 43  # 256 bits, only a hash stored
    assert services.find_by_secret(result.link).id == r.id
    assert services.find_by_secret("x" * 43) is None


def test_the_worker_composes_the_mail_with_the_configured_links(app, mailbox):
    """Registering writes the outbox row in its own transaction and renders nothing; the mail worker
    composes it, with the links on PUBLIC_BASE_URL (never on the Host the request came with)."""
    congress = open_congress()
    _, (small, _big) = add_round(congress)
    app.config["PUBLIC_BASE_URL"], before = "https://congres.example.nl", app.config.get("PUBLIC_BASE_URL")
    try:
        with app.test_request_context("/", base_url="http://evil.example/"):
            result = registered(congress, [small.id], n=1, confirmed=True)
    finally:
        app.config["PUBLIC_BASE_URL"] = before
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.compose_later == {"kind": "registration", "argument": str(result.id)}
    body = mailbox[0].get_body(("plain",)).get_content()
    assert f"https://congres.example.nl/my/{result.link}" in body and "evil.example" not in body
    assert "Deelnemer 1" in body and mailbox[0]["Subject"] == message.subject != ""
    assert [part.get_filename() for part in mailbox[0].iter_attachments()][0].endswith(".pdf")  # the e-ticket


def test_full_session_puts_people_on_the_waiting_list_in_order(app):
    congress = open_congress()
    _, (small, _big) = add_round(congress)
    people = [registered(congress, [small.id], n=i).registration for i in range(5)]
    assert [statuses(p)[small.id] for p in people] == ["enrolled", "enrolled", "waitlisted", "waitlisted",
                                                       "waitlisted"]
    ranks = [services.waiting_rank(p.enrolments[0]) for p in people[2:]]
    assert ranks == [1, 2, 3]


def test_cancel_promotes_the_first_waiting_at_once_and_mails_them(app, mailbox):
    congress = open_congress()
    _, (small, _big) = add_round(congress)
    a, _b, c, d = (registered(congress, [small.id], n=i).registration for i in range(4))
    mailbox.clear()
    assert services.cancel(a)
    assert statuses(c) == {small.id: "enrolled"}
    assert statuses(d) == {small.id: "waitlisted"}
    assert services.waiting_rank(db.session.get(Registration, d.id).enrolments[0]) == 1
    subjects = [m["Subject"] for m in mailbox]
    assert any(small.title in s for s in subjects)  # the promoted person is told
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "registration.waitlist_promoted")) == 1
    assert not services.cancel(a)  # once


def test_changed_choice_frees_the_seat_for_the_waiting_list(app):
    congress = open_congress()
    _, (small, big) = add_round(congress)
    a, _b, c = (registered(congress, [small.id], n=i).registration for i in range(3))
    services.change_sessions(a, [big.id])
    assert statuses(a) == {big.id: "enrolled"}
    assert statuses(c) == {small.id: "enrolled"}


def test_unchanged_choice_keeps_its_waiting_place(app):
    congress = open_congress()
    _, (small, _big) = add_round(congress)
    _r2, _s2 = add_round(congress, "Ronde 2", capacities=(10,), start="13:00", end="14:00")
    people = [registered(congress, [small.id], n=i).registration for i in range(4)]
    last = people[3]
    services.change_sessions(last, [small.id, _s2[0].id])
    assert services.waiting_rank(db.session.get(Registration, last.id).enrolments[0]) == 2


def test_raised_capacity_promotes(app):
    congress = open_congress()
    _, (small, _big) = add_round(congress)
    people = [registered(congress, [small.id], n=i).registration for i in range(4)]
    promoted = services.set_session_capacity(small, 3)
    assert len(promoted) == 1
    assert statuses(people[2]) == {small.id: "enrolled"}
    assert statuses(people[3]) == {small.id: "waitlisted"}


def test_expiry_releases_unconfirmed_seats_and_promotes(app, mailbox):
    congress = open_congress()
    _, (small, _big) = add_round(congress)
    a = registered(congress, [small.id], n=1).registration
    b = registered(congress, [small.id], n=2, confirmed=True).registration
    c = registered(congress, [small.id], n=3).registration
    assert services.expire_unconfirmed(utcnow() + timedelta(hours=47)) == 0
    assert services.expire_unconfirmed(utcnow() + timedelta(hours=49)) == 2  # a and c (c waited, unconfirmed)
    db.session.expire_all()
    assert db.session.get(Registration, a.id).status == "cancelled"
    assert db.session.get(Registration, b.id).status == "confirmed"
    assert db.session.get(Registration, c.id).status == "cancelled"


def test_expiry_job_promotes_a_confirmed_waiting_person(app):
    congress = open_congress()
    _, (small, _big) = add_round(congress)
    a = registered(congress, [small.id], n=1).registration
    registered(congress, [small.id], n=2, confirmed=True)
    c = registered(congress, [small.id], n=3, confirmed=True).registration
    assert statuses(c) == {small.id: "waitlisted"}

    services.expire_unconfirmed(utcnow() + timedelta(hours=49))
    assert statuses(c) == {small.id: "enrolled"}
    assert db.session.get(Registration, a.id).status == "cancelled"
    assert expire_unconfirmed_registrations.call_local() == 0


def test_confirm_is_exactly_once(app, mailbox):
    congress = open_congress()
    r = registered(congress, n=1).registration
    assert services.confirm(r)
    assert not services.confirm(r)
    r = db.session.get(Registration, r.id)
    assert r.status == "confirmed" and r.expires_at is None


def test_one_registration_per_email_per_edition(app):
    congress = open_congress()
    first = registered(congress, n=1).registration
    again = services.register(congress, data(congress, 1, email="  Deelnemer1@EXAMPLE.org "), [])
    assert not again.created and again.registration.id == first.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1
    services.cancel(first)
    third = registered(congress, n=1)
    assert third.created  # after a cancellation one may register again
    other = open_congress("ander-congres")
    assert registered(other, n=1).created  # another edition is another registration


def test_one_session_per_round(app):
    congress = open_congress()
    _, (small, big) = add_round(congress)
    with pytest.raises(services.RegistrationError) as exc:
        registered(congress, [small.id, big.id], n=1)
    assert "sessions" in exc.value.errors


def test_validation_messages_per_field(app):
    congress = open_congress()
    bad = data(congress, 1, name="", email="not-an-address", consent_privacy=False, organisation="x" * 201,
               sector_id=None)
    with pytest.raises(services.RegistrationError) as exc:
        services.register(congress, bad, [])
    assert set(exc.value.errors) == {"name", "email", "consent_privacy", "organisation", "sector"}


def test_closed_not_open_and_full(app):
    congress = open_congress(capacity=1)
    registered(congress, n=1)
    with pytest.raises(services.RegistrationError) as exc:
        registered(congress, n=2)
    assert exc.value.code == "full"
    assert services.registration_state(congress) == "full"
    # The one who has a place, registering again, is answered with their registration, not "full" …
    first_again = services.register(congress, data(congress, 1), [])
    assert not first_again.created
    congress.registration_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(services.RegistrationError) as exc:
        registered(congress, n=3)
    assert exc.value.code == "closed"
    assert not services.register(congress, data(congress, 1), []).created  # … nor "closed"
    congress.registration_opens_at = utcnow() + timedelta(days=1)
    congress.registration_closes_at = None
    db.session.commit()
    assert services.registration_state(congress) == "not_open"


def test_organiser_override_goes_over_capacity_and_is_audited(app):
    congress = open_congress()
    _, (small, _big) = add_round(congress, capacities=(1, 5))
    registered(congress, [small.id], n=1)
    late = registered(congress, [], n=2, confirmed=True).registration
    with pytest.raises(services.RegistrationError):
        services.move_enrolment(late, small, "enrolled")
    services.move_enrolment(late, small, "enrolled", override=True)
    assert statuses(late) == {small.id: "enrolled"}
    assert services.enrolled_counts([small.id])[small.id]["enrolled"] == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "registration.enrolment_override")) == 1


def test_organiser_moves_to_waiting_list_and_out(app):
    congress = open_congress()
    _, (small, big) = add_round(congress, capacities=(1, 5))
    a = registered(congress, [small.id], n=1).registration
    b = registered(congress, [small.id], n=2).registration
    services.move_enrolment(a, small, "waitlisted")
    assert statuses(b) == {small.id: "enrolled"}
    assert statuses(a) == {small.id: "waitlisted"}
    services.move_enrolment(a, big, "enrolled")
    assert statuses(a) == {big.id: "enrolled"}
    services.move_enrolment(a, big, "none")
    assert statuses(a) == {}


def test_register_speaker_is_idempotent_confirmed_and_speaker(app, mailbox):
    congress = open_congress(capacity=0)  # even a full edition takes its speakers
    congress.registration_opens_at = None  # and a closed one
    db.session.commit()
    r1 = services.register_speaker(congress, name="Dr. Sanne Vermeulen", email="sanne@example.org",
                                   organisation="Kennisinstituut")
    r2 = services.register_speaker(congress, name="Sanne Vermeulen", email="SANNE@example.org", organisation="")
    assert r1.id == r2.id
    assert r1.status == "confirmed" and r1.role == "spreker" and r1.source == "speaker"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1
    assert len(mailbox) == 1 and "/my/" in mailbox[0].get_body(("plain",)).get_content()


def test_register_speaker_upgrades_an_attendee(app):
    congress = open_congress()
    attendee = registered(congress, n=1).registration
    speaker = services.register_speaker(congress, name="x", email=attendee.email)
    assert speaker.id == attendee.id and speaker.role == "spreker" and speaker.status == "confirmed"


def test_personal_data_and_erase_keep_the_counts(app):
    congress = open_congress()
    _, (small, _big) = add_round(congress)
    a = registered(congress, [small.id], n=1, dietary="vegan").registration
    b = registered(congress, [small.id], n=2).registration
    c = registered(congress, [small.id], n=3).registration
    secret = registered(congress, n=1).link  # the duplicate returns the same link
    exported = services.personal_data(a)
    assert exported["email"] == "deelnemer1@example.org" and exported["dietary_wishes"] == "vegan"
    assert exported["sessions"][0]["status"] == "enrolled"
    sector_id = a.sector_id
    services.erase(a)
    db.session.expire_all()
    erased = db.session.get(Registration, a.id)
    assert erased.name == services.ERASED_NAME and erased.email == "" and erased.dietary == ""
    assert erased.status == "cancelled" and erased.sector_id == sector_id
    assert services.find_by_secret(secret) is None
    assert statuses(c) == {small.id: "enrolled"}
    assert statuses(b) == {small.id: "enrolled"}


def test_send_link_only_to_registered_addresses(app, mailbox):
    congress = open_congress()
    r = registered(congress, n=1, confirmed=True).registration
    mailbox.clear()
    services.send_link(congress, "nobody@example.org")
    services.send_link(congress, "not an address")
    assert mailbox == []
    services.send_link(congress, r.email.upper())
    assert len(mailbox) == 1
    assert services.manage_secret(r) in mailbox[0].get_body(("plain",)).get_content()


def test_custom_questions_are_validated(app):
    congress = open_congress()
    text = services.add_question(congress, kind="short_text", label_nl="Vraag", required=True)
    single = services.add_question(congress, kind="single_choice", label_nl="Keuze", options=[("A", "A"), ("B", "B")])
    multi = services.add_question(congress, kind="multiple_choice", label_nl="Meer", options=[("A", "A"), ("B", "B")])
    check = services.add_question(congress, kind="checkbox", label_nl="Akkoord", required=True)
    with pytest.raises(services.RegistrationError) as exc:
        registered(congress, n=1, answers={str(single.id): "9", str(multi.id): ["1", "7"]})
    assert set(exc.value.errors) == {f"q_{text.id}", f"q_{single.id}", f"q_{multi.id}", f"q_{check.id}"}
    r = registered(congress, n=1, answers={str(text.id): " ja ", str(single.id): "2", str(multi.id): ["1", "2"],
                                          str(check.id): True}).registration
    assert r.answers == {str(text.id): "ja", str(single.id): "2", str(multi.id): ["1", "2"], str(check.id): True}


def test_sectors_are_editable(app):
    congress = open_congress()
    names = [s.name_nl for s in services.sectors(congress)]
    assert names[0] == "gemeente" and "Rijksoverheid" in names and len(names) == 7
    services.save_sectors(congress, [("gemeente", "municipality"), ("bedrijf", "company")])
    assert [s.name_nl for s in services.sectors(congress)] == ["gemeente", "bedrijf"]


def test_enrolment_positions_are_unique_per_session(app):
    """The database refuses two people on the same waiting place."""
    congress = open_congress()
    _, (small, _big) = add_round(congress, capacities=(0, 1))
    a = registered(congress, [small.id], n=1).registration
    b = registered(congress, n=2).registration
    db.session.add(Enrolment(registration_id=b.id, session_id=small.id, status="waitlisted",
                             position=db.session.get(Registration, a.id).enrolments[0].position))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_duplicate_is_caught_by_the_unique_constraint(app):
    """No read before storing: INSERT … ON CONFLICT on (edition, e-mail) decides, so that two
    registrations of one address at the same moment are one; the second is answered with the first."""
    congress = open_congress()
    first = registered(congress, n=1).registration
    again = services.register(congress, data(congress, 1), [])
    assert not again.created and again.registration.id == first.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1
    creates = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "registration.create"))
    assert creates == 1  # the second one rolled back whatever it had written


def test_expiry_command(app, runner):
    congress = open_congress()
    r = registered(congress, n=1).registration
    r.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = runner.invoke(args=["registration", "expire-unconfirmed"])
    assert result.exit_code == 0 and "1 unconfirmed" in result.output
    db.session.expire_all()
    assert db.session.get(Registration, r.id).status == "cancelled"


def test_register_speaker_needs_no_answers_or_sector(app):
    congress = open_congress()
    services.add_question(congress, kind="short_text", label_nl="Verplicht", required=True)
    speaker = services.register_speaker(congress, name="Ruben Bakker", email="ruben@example.org",
                                        organisation="Homebase")
    assert speaker.status == "confirmed" and speaker.role == "spreker" and speaker.sector_id is None
    assert speaker.organisation == "Homebase"


def test_programme_hooks_seats_left_and_change_mail(app, mailbox):
    congress = open_congress()
    _, (small, big) = add_round(congress)
    a = registered(congress, [small.id], n=1, confirmed=True).registration
    registered(congress, [small.id], n=2, confirmed=True)
    waiting = registered(congress, [small.id], n=3, confirmed=True).registration
    cancelled = registered(congress, [big.id], n=4, confirmed=True).registration
    services.cancel(cancelled, notify=False)
    assert services.seats_left_for_session(small) == 0
    assert services.seats_left_for_session(big) == 30

    plenary = make_session(congress, start="09:00", end="09:30")
    assert services.seats_left_for_session(plenary) is None
    mailbox.clear()
    small.is_cancelled = True
    db.session.commit()
    assert services.notify_enrolled_of_changes(congress, [small.id, big.id]) == 3
    db.session.commit()
    assert sorted(m["To"] for m in mailbox) == sorted([a.email, "deelnemer2@example.org", waiting.email])
    assert "geannuleerd" in mailbox[0].get_body(("plain",)).get_content()


def test_personal_data_gives_answers_as_the_form_showed_them(app):
    congress = open_congress("eigen-gegevens")
    how = add_question(congress, kind="single_choice", label_nl="Hoe hoorde u ervan?", label_en="How did you hear?",
                       options=[("Via een collega", "Through a colleague"),
                                ("Via de nieuwsbrief", "Through the newsletter")])
    themes = add_question(congress, kind="multiple_choice", label_nl="Thema's", label_en="Themes",
                          options=[("Wonen", "Housing"), ("Zorg", "Care"), ("Veiligheid", "Safety")])
    remark = add_question(congress, kind="short_text", label_nl="Opmerking", label_en="Remark")
    registration = registered(congress, n=1, answers={str(how.id): "2", str(themes.id): ["1", "3"],
                                                      str(remark.id): "Graag een stopcontact"}).registration
    assert registration.answers[str(how.id)] == "2"  # stored as the option's key
    answers = services.personal_data(registration)["answers"]
    assert answers == {"Hoe hoorde u ervan?": "Via de nieuwsbrief", "Thema's": "Wonen, Veiligheid",
                       "Opmerking": "Graag een stopcontact"}
    english = services.personal_data(registration, "en")["answers"]
    assert english["How did you hear?"] == "Through the newsletter" and english["Themes"] == "Housing, Safety"
