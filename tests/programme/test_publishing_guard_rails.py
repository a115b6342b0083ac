"""Guard rails of publishing: an empty version is refused, a capacity change alone mails nobody, and the
confirmation step says how many people a version will e-mail before it does."""

from __future__ import annotations

import pytest

from congress.audit.models import AuditEvent
from congress.extensions import db
from congress.programme import services as programme
from congress.registration import services as registration
from tests.factories import make_congress, make_session
from tests.programme.factories import make_speaker
from tests.registration.factories import data


@pytest.fixture
def published(app, organiser):
    congress = make_congress("gepubliceerd")
    speaker = make_speaker("Petra Spreker", "petra@example.org")
    workshop = make_session(congress, title="Workshop Weerbaarheid", start="10:00", end="11:00", speakers=[speaker])
    workshop.signup_required = True
    workshop.capacity = 1
    plenary = make_session(congress, title="Plenaire opening", start="09:00", end="09:45", room_index=1)
    db.session.commit()
    programme.publish(congress, organiser, "Eerste versie")
    db.session.commit()
    return congress, workshop, plenary


def enrol(congress, session, n: int):
    return registration.register(congress, data(congress, n, sector_id=None), [session.id], ignore_window=True,
                                 notify=False).registration


def test_an_empty_version_is_refused(published, organiser, mailbox):
    congress, *_ = published
    with pytest.raises(programme.NothingToPublish) as refused:
        programme.publish(congress, organiser, "Niets nieuws")
    assert refused.value.code == "no_changes" and refused.value.status == 409
    db.session.rollback()
    assert [v.number for v in programme.versions(congress)] == [1]
    assert mailbox == []


def test_a_capacity_change_alone_is_no_version_and_mails_nobody(published, organiser, mailbox):
    congress, workshop, _ = published
    first, waiting = enrol(congress, workshop, 1), enrol(congress, workshop, 2)
    mailbox.clear()
    registration.set_session_capacity(workshop, 2)  # the waiting person is promoted (and told so) …
    assert [m["To"] for m in mailbox] == [waiting.email]
    mailbox.clear()
    assert programme.pending_changes(congress)[0] == []  # … but the programme did not change
    with pytest.raises(programme.NothingToPublish):
        programme.publish(congress, organiser)
    db.session.rollback()
    assert mailbox == []  # neither the speaker nor the enrolled attendees are mailed
    assert first.email not in [m["To"] for m in mailbox]


def test_a_capacity_change_with_a_real_change_mails_about_the_real_change(published, organiser, mailbox):
    congress, workshop, _ = published
    enrol(congress, workshop, 3)
    workshop.capacity = 5
    workshop.title = "Workshop Weerbaarheid (nieuwe titel)"
    db.session.commit()
    mailbox.clear()
    version = programme.publish(congress, organiser)
    db.session.commit()
    assert [c["kinds"] for c in version.changes] == [["changed"]]
    assert sorted(m["To"] for m in mailbox) == ["deelnemer3@example.org", "petra@example.org"]


def test_the_preview_counts_whom_the_version_will_mail(published, organiser):
    congress, workshop, plenary = published
    assert programme.mail_preview(congress) == programme.MailPreview(speakers=0, attendees=0, changes=0)
    enrol(congress, workshop, 4)
    enrol(congress, workshop, 5)  # waiting for the workshop: mailed too
    plenary.title = "Plenaire opening door de burgemeester"
    db.session.commit()
    assert programme.mail_preview(congress) == programme.MailPreview(speakers=0, attendees=0, changes=1)
    workshop.room_id = congress.rooms[1].id
    db.session.commit()
    preview = programme.mail_preview(congress)
    assert preview == programme.MailPreview(speakers=1, attendees=2, changes=2) and preview.mails_anyone


def test_the_publish_page_asks_before_mailing_and_says_how_many(app, published, organiser, mailbox):
    congress, workshop, _ = published
    enrol(congress, workshop, 6)
    workshop.starts_at = workshop.starts_at.replace(hour=workshop.starts_at.hour + 3)
    workshop.ends_at = workshop.ends_at.replace(hour=workshop.ends_at.hour + 3)
    db.session.commit()
    client = app.test_client(user=organiser)
    url = f"/manage/programme/{congress.slug}/publish"
    page = client.get(url).get_data(as_text=True)
    assert "Deze versie publiceren mailt 1 deelnemers en 1 sprekers" in page
    mailbox.clear()
    step = client.post(url, data={"note": "Workshop later"})
    html = step.get_data(as_text=True)
    assert step.status_code == 200 and 'id="publish-confirmation"' in html
    assert "1 deelnemer die is ingeschreven voor een gewijzigde sessie krijgt een e-mail." in html
    assert "1 spreker van een gewijzigde sessie krijgt een e-mail." in html
    assert 'name="mails" value="1/1"' in html
    assert [v.number for v in programme.versions(congress)] == [1] and mailbox == []
    # Someone enrols meanwhile: the numbers shown are stale, so the step asks again.
    enrol(congress, workshop, 7)
    again = client.post(url, data={"note": "Workshop later", "mails": "1/1"})
    assert again.status_code == 200 and 'name="mails" value="1/2"' in again.get_data(as_text=True)
    done = client.post(url, data={"note": "Workshop later", "mails": "1/2"})
    assert done.status_code == 302
    db.session.expire_all()
    assert [v.number for v in programme.versions(congress)] == [2, 1]
    assert len(mailbox) == 3


def test_the_publish_page_refuses_an_empty_version_clearly(app, published, organiser):
    congress, *_ = published
    client = app.test_client(user=organiser)
    url = f"/manage/programme/{congress.slug}/publish"
    page = client.get(url).get_data(as_text=True)
    assert "er is niets te publiceren" in page and "Versie 2 publiceren" not in page
    response = client.post(url, data={"note": ""})
    assert response.status_code == 409 and "er is niets te publiceren" in response.get_data(as_text=True)
    assert db.session.query(AuditEvent).filter_by(action="programme.publish").count() == 1
