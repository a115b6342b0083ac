"""Retention across capabilities (congress.manage.retention): the dry run counts, the real run
anonymises registrations, speakers' private fields and check-in logs, keeps the counts and the
archive, records one audit event, and a second run does nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from congress.archive.models import KnowledgeItem
from congress.audit.models import AuditEvent
from congress.badges.models import PrintRun
from congress.badges.print_runs import badge_storage
from congress.cfp.models import CoSpeakerInvitation, Proposal, ProposalSpeaker
from congress.checkin.models import VENUE, CheckIn, ScanEvent
from congress.core.models import Person
from congress.database import utcnow
from congress.extensions import db
from congress.legal import services as legal
from congress.mail.models import OutboxMessage
from congress.manage import retention
from congress.registration import queries as registration_queries
from congress.registration import services as registration
from congress.registration.models import Registration
from tests.factories import make_congress, make_session, make_user
from tests.registration.factories import data

END = date(2024, 5, 23)
DUE = date(2025, 5, 23)  # 12 months after the end


def _edition_with_people(slug: str = "congres-oud", day: date = END):
    congress = make_congress(slug, day=day)
    registration.ensure_default_sectors(congress)
    db.session.commit()
    sectors = registration.sectors(congress)
    people = [registration.register(congress, data(congress, n=i, sector_id=sectors[i % 2].id, dietary="vegetarisch",
                                                   accessibility="rolstoel"), [], confirmed=i != 2,
                                    ignore_window=True).registration for i in range(3)]
    staff = make_user("checkin", email=f"scan-{slug}@example.org")
    speaker = Person(name="Sanne Spreker", email=f"sanne-{slug}@example.org", bio="Onderzoeker weerbaarheid")
    db.session.add(speaker)
    db.session.flush()
    session = make_session(congress, speakers=[speaker], title="Weerbare wijken")
    proposal = Proposal(congress_id=congress.id, guid=str(uuid.uuid4()), title="Weerbare wijken", status="accepted",
                        notes="Bel mij op 06-12345678", answers={"1": "privé antwoord"}, session_id=session.id)
    db.session.add(proposal)
    db.session.flush()
    db.session.add(ProposalSpeaker(proposal_id=proposal.id, person_id=speaker.id, is_owner=True))
    db.session.add(CoSpeakerInvitation(proposal_id=proposal.id, email="mede@example.org", token_hash=uuid.uuid4().hex,
                                       expires_at=utcnow() + timedelta(days=3)))
    scanned = datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC)
    for person in people[:2]:
        db.session.add(CheckIn(congress_id=congress.id, registration_id=person.id, list_key=VENUE,
                               scanned_at=scanned, by_user_id=staff.id))
        db.session.add(ScanEvent(congress_id=congress.id, registration_id=person.id, result="ok",
                                 response={"name": person.name}, scanned_at=scanned))
    db.session.add(CheckIn(congress_id=congress.id, registration_id=people[0].id, list_key=f"session:{session.id}",
                           session_id=session.id, scanned_at=scanned, by_user_id=staff.id))
    db.session.add(OutboxMessage(to_address=people[0].email, template="registration/confirm", subject="Bevestiging",
                                 body_text="Beste Deelnemer 0", body_html="", status="sent", congress_id=congress.id))
    db.session.add(OutboxMessage(to_address=people[1].email, template="registration/confirm", subject="Bevestiging",
                                 body_text="Beste Deelnemer 1", body_html="", status="queued", congress_id=congress.id))
    badge_storage().put(f"run-{slug}.pdf", b"%PDF-1.4 Deelnemer 0")
    db.session.add(PrintRun(congress_id=congress.id, layout="a6", status="done", total=2, done=2,
                            file_name=f"run-{slug}.pdf"))
    db.session.add(KnowledgeItem(key=f"k{slug[-6:]}", type="sessieverslag", status="published",
                                 title="Verslag: Weerbare wijken", body="Sanne Spreker vertelde…",
                                 authors=["Sanne Spreker"], congress_id=congress.id))
    db.session.commit()
    return congress, people, speaker


def _by(slug: str, results):
    return next(r for r in results if r.slug == slug)


def test_nothing_is_due_before_the_retention_period_has_passed(app):
    congress, people, _ = _edition_with_people()
    result = _by(congress.slug, retention.run(today=DUE - timedelta(days=1)))
    assert (result.due, result.due_on, result.months, result.total) == (False, DUE, 12, 0)
    assert db.session.get(Registration, people[0].id).email == "deelnemer0@example.org"


def test_dry_run_counts_and_changes_nothing(app):
    congress, people, speaker = _edition_with_people()
    delivered = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.status.in_(("sent", "failed"))))
    result = _by(congress.slug, retention.run(dry_run=True, today=DUE))
    assert result.due and delivered >= 1
    assert result.counts == {"registrations": 3, "mail_messages": delivered, "proposals": 1, "invitations": 1,
                             "speakers": 1, "checkins": 3, "scan_events": 2, "print_files": 1, "register_numbers": 0,
                             "network_messages": 0}
    db.session.expire_all()
    assert db.session.get(Registration, people[0].id).dietary == "vegetarisch"
    assert db.session.get(Person, speaker.id).email is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScanEvent)) == 2
    assert badge_storage().exists(f"run-{congress.slug}.pdf")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "retention.anonymised")) == 0


def test_real_run_anonymises_keeps_counts_and_archive_and_a_second_run_does_nothing(app):
    congress, people, speaker = _edition_with_people()
    statuses = registration_queries.counts_by_status(congress)
    sectors = registration_queries.counts_by_sector(congress)
    result = _by(congress.slug, retention.run(today=DUE))
    assert result.counts["registrations"] == 3 and result.counts["checkins"] == 3
    db.session.expire_all()
    for person in db.session.scalars(sa.select(Registration).where(Registration.congress_id == congress.id)):
        assert (person.name, person.email, person.organisation, person.dietary, person.accessibility,
                person.answers) == (registration.ERASED_NAME, "", "", "", "", {})
        assert person.erased_at is not None
    # the counts stay: per status, per sector, check-ins per list
    assert registration_queries.counts_by_status(congress) == statuses
    assert registration_queries.counts_by_sector(congress) == sectors
    checkins = db.session.scalars(sa.select(CheckIn).where(CheckIn.congress_id == congress.id)).all()
    assert len(checkins) == 3 and all(c.by_user_id is None for c in checkins)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScanEvent)) == 0
    # mail delivered is gone, mail still queued stays (the worker needs it)
    assert {m.status for m in db.session.scalars(sa.select(OutboxMessage))} == {"queued"}
    # the printed badges' PDF is gone, the run (how many, when) stays
    run = db.session.scalar(sa.select(PrintRun))
    assert (run.file_name, run.total) == ("", 2) and not badge_storage().exists(f"run-{congress.slug}.pdf")
    # speakers: private fields gone, the public profile and the archive untouched
    proposal = db.session.scalar(sa.select(Proposal))
    assert (proposal.notes, proposal.answers, proposal.title) == ("", {}, "Weerbare wijken")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CoSpeakerInvitation)) == 0
    person = db.session.get(Person, speaker.id)
    assert (person.email, person.name, person.bio) == (None, "Sanne Spreker", "Onderzoeker weerbaarheid")
    item = db.session.scalar(sa.select(KnowledgeItem))
    assert (item.title, item.body, item.authors) == ("Verslag: Weerbare wijken", "Sanne Spreker vertelde…",
                                                     ["Sanne Spreker"])
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "retention.anonymised")).all()
    assert len(events) == 1 and events[0].congress_id == congress.id and events[0].data["registrations"] == 3
    assert legal.settings_of(congress).anonymised_at is not None

    again = _by(congress.slug, retention.run(today=DUE + timedelta(days=1)))
    assert again.due and again.total == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "retention.anonymised")) == 1


def test_the_period_is_per_edition_and_a_later_edition_is_left_alone(app):
    old, _, speaker = _edition_with_people()
    legal.save_privacy(old, privacy_nl="", privacy_en="", retention_months=24)
    recent, recent_people, _ = _edition_with_people("congres-nieuw", day=date.today() + timedelta(days=30))
    assert _by(old.slug, retention.run(dry_run=True, today=DUE)).due is False
    results = retention.run(today=date(2026, 5, 23))
    assert _by(old.slug, results).counts["registrations"] == 3
    assert _by(recent.slug, results).due is False
    db.session.expire_all()
    assert db.session.get(Registration, recent_people[0].id).email == "deelnemer0@example.org"


def test_a_speaker_at_a_later_edition_keeps_the_address_until_that_one_is_due(app):
    old, _, speaker = _edition_with_people()
    later = make_congress("congres-later", day=date.today() + timedelta(days=30))
    make_session(later, speakers=[speaker])
    assert _by(old.slug, retention.run(today=DUE)).counts["speakers"] == 0
    assert db.session.get(Person, speaker.id).email is not None


def test_the_command_prints_what_it_would_do_and_did(app, runner):
    congress, _, _ = _edition_with_people()
    out = runner.invoke(args=["congress", "retention", "--dry-run", "--today", DUE.isoformat()])
    assert out.exit_code == 0, out.output
    assert f"{congress.slug}: due since 2025-05-23; would anonymise registrations: 3" in out.output
    out = runner.invoke(args=["congress", "retention", "--today", DUE.isoformat()])
    assert "anonymised registrations: 3" in out.output and "would" not in out.output
    out = runner.invoke(args=["congress", "retention", "--today", DUE.isoformat()])
    assert "nothing left to anonymise" in out.output
    out = runner.invoke(args=["congress", "retention", "--today", "2024-01-01"])
    assert "due on 2025-05-23; nothing to do yet" in out.output


def test_the_nightly_job_runs_the_retention(app):
    from congress.manage.tasks import anonymise_due_editions  # noqa: PLC0415 - the task module, as the worker does

    _edition_with_people()
    assert anonymise_due_editions.call_local() > 0
    assert anonymise_due_editions.call_local() == 0


def test_two_runs_at_once_anonymise_once(app):
    """The nightly job and an organiser's command at the same moment: the edition's row lock (SQLite:
    the one writer) makes the second wait, and it then finds nothing left; one audit event."""
    import threading  # noqa: PLC0415

    congress, _, _ = _edition_with_people()
    slug = congress.slug
    barrier = threading.Barrier(2)
    totals: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                totals.append(_by(slug, retention.run(today=DUE)).counts["registrations"])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(totals) == [0, 3]
    db.session.rollback()  # a fresh snapshot (SQLite WAL readers see the database as their transaction began)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "retention.anonymised")) == 1
