"""Scheduled mails: a rule fires once at its moment (09:00 local, N days before the start or after the
end), to its audience only, each address once (real SMTP through ``mailbox``); paused or too late, it
does not fire; the organiser's pages create, preview, pause and delete; cloning copies the rules."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from threading import Barrier, Thread
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from congress.checkin import services as checkin
from congress.communications import schedules
from congress.communications.mailings import Mailing
from congress.communications.schedules import Rule, ScheduledMail
from congress.core.cloning import clone_congress
from congress.database import end_transaction, utcnow
from congress.extensions import db
from tests.checkin.factories import checkin_edition
from tests.factories import make_user
from tests.registration.factories import open_congress, registered


def mailing_messages(mailbox) -> list:
    return [m for m in mailbox if m["List-Unsubscribe"]]


def _in_days(congress, days: int) -> None:
    """The congress starts ``days`` from today in its own time zone (one day long). Today by UTC would be
    yesterday in Amsterdam between 23:00 and 01:00 UTC: a congress "tomorrow" would then start at the
    coming midnight, already past, and its rules be missed."""
    today = datetime.now(ZoneInfo(congress.timezone)).date()
    congress.starts_on = congress.ends_on = today + timedelta(days=days)
    db.session.commit()


def _before(days: int = 3, **texts) -> Rule:
    rule = schedules.default_rule("before_start")
    return Rule("before_start", days, texts.get("subject_nl", rule.subject_nl), texts.get("text_nl", rule.text_nl),
                rule.subject_en, rule.text_en)


def test_the_moment_is_nine_oclock_local_n_days_before_the_start_or_after_the_end(app):
    congress = open_congress("gepland-moment")
    congress.starts_on, congress.ends_on = datetime(2027, 3, 10).date(), datetime(2027, 3, 11).date()
    db.session.commit()
    before = schedules.create_rule(congress, _before(3))
    after = schedules.create_rule(congress, Rule("after_end", 1, "Bedankt", "Beste {{ name }}"))
    assert before.due_at == datetime(2027, 3, 7, 8, 0, tzinfo=UTC)  # 09:00 CET
    assert after.due_at == datetime(2027, 3, 12, 8, 0, tzinfo=UTC)
    assert before.closes_at == congress.starts_at
    assert after.closes_at == after.due_at + timedelta(days=schedules.LATE_DAYS)
    assert before.state(datetime(2027, 3, 1, tzinfo=UTC)) == "waiting"
    assert before.state(datetime(2027, 3, 10, 12, tzinfo=UTC)) == "missed"


def test_a_rule_before_the_start_reaches_the_confirmed_once_whatever_runs_again(app, mailbox):
    congress = open_congress("gepland-voor")
    _in_days(congress, 2)
    for i in range(3):
        registered(congress, name=f"Deelnemer {i}", email=f"voor{i}@gemeente.nl", confirmed=True)
    registered(congress, name="Onbevestigd", email="onbevestigd@gemeente.nl")  # not confirmed: not mailed
    rule = schedules.create_rule(congress, _before(3, text_nl="Beste {{ name }}, uw pagina: {{ manage_url }}"))
    mailbox.clear()

    started = schedules.fire_due()
    assert len(started) == 1
    received = mailing_messages(mailbox)
    assert Counter(m["To"] for m in received) == Counter({f"voor{i}@gemeente.nl": 1 for i in range(3)})
    assert "Beste Deelnemer 0, uw pagina: http" in next(
        m for m in received if m["To"] == "voor0@gemeente.nl").get_body(("plain",)).get_content()

    registered(congress, name="Laat", email="laat@gemeente.nl", confirmed=True)
    assert schedules.fire_due() == [] and schedules.fire(rule.id) is None  # fired once: never again
    assert len(mailing_messages(mailbox)) == 3
    db.session.expire_all()
    stored = db.session.get(ScheduledMail, rule.id)
    assert stored.fired_at is not None and stored.state() == "fired"
    assert db.session.get(Mailing, stored.mailing_id).status == "sent"


def test_two_workers_firing_at_once_start_one_mailing(app, mailbox):
    congress = open_congress("gepland-tweemaal")
    _in_days(congress, 1)
    registered(congress, name="Deelnemer", email="tweemaal@gemeente.nl", confirmed=True)
    rule_id = schedules.create_rule(congress, _before(3)).id
    end_transaction()
    mailbox.clear()
    barrier, results = Barrier(2), []

    def worker() -> None:
        with app.app_context():
            barrier.wait()
            results.append(schedules.fire(rule_id))
            db.session.remove()

    threads = [Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(r is not None for r in results) == [False, True]
    end_transaction()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mailing)) == 1
    assert [m["To"] for m in mailing_messages(mailbox)] == ["tweemaal@gemeente.nl"]


def test_after_the_end_only_those_checked_in_receive_it(app, mailbox):
    congress, _sessions, people, codes = checkin_edition("gepland-na", people=3)
    checkin.scan(checkin.Scan(code=codes[0], congress=congress))
    checkin.scan(checkin.Scan(code=codes[2], congress=congress))
    congress.starts_on = congress.ends_on = utcnow().date() - timedelta(days=2)
    db.session.commit()
    schedules.create_rule(congress, Rule("after_end", 1, "Bedankt, {{ name }}", "Evalueer via {{ manage_url }}"))
    mailbox.clear()
    assert len(schedules.fire_due()) == 1
    assert sorted(m["To"] for m in mailing_messages(mailbox)) == sorted([people[0].email, people[2].email])


def test_a_paused_rule_waits_and_a_late_one_is_missed(app, mailbox):
    congress = open_congress("gepland-pauze")
    _in_days(congress, 1)
    registered(congress, email="pauze@gemeente.nl", confirmed=True)
    rule = schedules.create_rule(congress, _before(3))
    schedules.set_paused(rule.id, True)
    mailbox.clear()
    assert schedules.fire_due() == [] and mailing_messages(mailbox) == []
    schedules.set_paused(rule.id, False)
    late = schedules.create_rule(congress, Rule("after_end", 0, "Te laat", "Beste {{ name }}"))
    after_the_window = db.session.get(ScheduledMail, late.id).closes_at + timedelta(minutes=1)
    assert schedules.fire(late.id, after_the_window) is None
    assert db.session.get(ScheduledMail, late.id).state(after_the_window) == "missed"
    assert len(schedules.fire_due()) == 1  # the resumed one


def test_a_fired_rule_cannot_change_and_an_empty_audience_fires_without_a_mailing(app, mailbox):
    congress = open_congress("gepland-leeg")
    _in_days(congress, 1)
    rule = schedules.create_rule(congress, _before(3))
    assert schedules.fire(rule.id) is None  # nobody confirmed: fired, nothing sent
    db.session.expire_all()
    assert db.session.get(ScheduledMail, rule.id).fired_at is not None
    with pytest.raises(schedules.ScheduleConflict):
        schedules.update_rule(rule.id, _before(5))
    with pytest.raises(schedules.ScheduleConflict):
        schedules.delete_rule(rule.id)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("days", "abc", "Not a valid integer value."),
    ("days", "99999999999999999999999", "Number must be between 0 and 90."),
    ("text_nl", "Beste {{ name ", "Line 1"),
    ("subject_nl", "", "This field is required."),
])
def test_the_form_refuses_bad_input_next_to_the_field_and_saves_nothing(app, organiser, field, value, message):
    congress = open_congress("gepland-fout")
    client = app.test_client(user=organiser)
    data = {"moment": "before_start", "days": "3", "subject_nl": "Bijna", "text_nl": "Beste {{ name }}",
            "subject_en": "", "text_en": ""}
    data[field] = value
    response = client.post(f"/manage/{congress.slug}/mailings/scheduled/new?lang=en", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and f'id="{field}-error"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScheduledMail)) == 0


def test_the_pages_create_preview_pause_and_delete(app, organiser):
    congress = open_congress("gepland-paginas")
    _in_days(congress, 10)
    registered(congress, name="Voorbeeld Persoon", email="voorbeeld@gemeente.nl", confirmed=True)
    client = app.test_client(user=organiser)
    base = f"/manage/{congress.slug}/mailings/scheduled"
    new = client.get(f"{base}/new?moment=after_end")
    assert new.status_code == 200 and "Bedankt voor uw komst naar {{ edition }}" in new.get_data(as_text=True)
    created = client.post(f"{base}/new", data={"moment": "before_start", "days": "2",
                                               "subject_nl": "Bijna: {{ edition }}",
                                               "text_nl": "Beste {{ name }}, {{ onbekend }}"})
    assert created.status_code == 303
    rule = db.session.scalar(sa.select(ScheduledMail))
    page = client.get(f"{base}/{rule.id}").get_data(as_text=True)
    assert "Voorbeeld Persoon" in page and "onbekend" in page  # the sample and the unknown placeholder
    assert client.get(f"{base}/{rule.id}/preview.html").status_code == 200
    assert "Bijna: {{ edition }}" in client.get(base).get_data(as_text=True)
    assert client.post(f"{base}/{rule.id}/pause").status_code == 303
    assert db.session.get(ScheduledMail, rule.id).paused is True
    assert client.post(f"{base}/{rule.id}/resume").status_code == 303
    db.session.expire_all()
    assert db.session.get(ScheduledMail, rule.id).paused is False
    assert client.post(f"{base}/{rule.id}/delete").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScheduledMail)) == 0
    other = open_congress("gepland-ander")
    theirs = schedules.create_rule(other, _before(3))
    assert client.get(f"{base}/{theirs.id}").status_code == 404  # another edition's rule


def test_only_organisers_see_the_scheduled_mails(app):
    congress = open_congress("gepland-rollen")
    reviewer = make_user("reviewer", email="gepland-reviewer@example.org")
    assert app.test_client(user=reviewer).get(f"/manage/{congress.slug}/mailings/scheduled").status_code == 403


def test_cloning_an_edition_copies_its_rules_unfired(app):
    source = open_congress("gepland-kloon")
    _in_days(source, 1)
    registered(source, email="kloon@gemeente.nl", confirmed=True)
    rule = schedules.create_rule(source, _before(3))
    schedules.fire(rule.id)
    clone = clone_congress(source, "gepland-kloon-2", source.starts_on + timedelta(days=365))
    copied = schedules.rules_of(clone)
    assert [(r.moment, r.days, r.fired_at, r.mailing_id) for r in copied] == [("before_start", 3, None, None)]
