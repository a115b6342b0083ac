"""Mailings against a real SMTP server on 127.0.0.1 (aiosmtpd, the ``mailbox`` fixture): a filtered
audience receives exactly one message each, whoever clicks twice or whatever job runs again; texts
are sandboxed and checked; every message carries the unsubscribe headers and link."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from congress.communications import mailings, queries, services
from congress.communications.mailings import Audience, Draft, Mailing, MailingRecipient
from congress.communications.unsubscribe import token_for
from congress.extensions import db
from congress.mail.models import OutboxMessage
from congress.registration import services as registration
from tests.factories import make_user
from tests.registration.factories import open_congress, registered


def mailing_messages(mailbox) -> list:
    """The messages of mailings (they carry List-Unsubscribe; confirmations do not)."""
    return [m for m in mailbox if m["List-Unsubscribe"]]


def addresses(messages) -> Counter:
    return Counter(m["To"] for m in messages)


@pytest.fixture
def edition(app):
    return open_congress("mailing-congres")


def people(edition, n: int = 3, **overrides):
    return [registered(edition, name=f"Deelnemer {i}", email=f"p{i}@gemeente.nl", confirmed=True, **overrides)
            .registration for i in range(n)]


def draft(audience: Audience | None = None, **texts) -> Draft:
    values = {"subject_nl": "Uitnodiging voor {{ edition }}",
              "text_nl": "Beste {{ name }},\n\nUw persoonlijke link: {{ manage_url }}\n\n**Tot dan!**"}
    values.update(texts)
    return Draft(audience or Audience(status="confirmed"), **values)


def send(edition, the_draft: Draft) -> Mailing:
    mailing = mailings.create_mailing(edition, the_draft)
    mailings.start_sending(mailing.id)
    db.session.expire_all()
    return db.session.get(Mailing, mailing.id)


# -- the audience ------------------------------------------------------------------------------------


def test_a_mailing_to_a_filtered_audience_reaches_exactly_that_audience_once(app, edition, mailbox):
    sectors = registration.sectors(edition)
    in_sector = [registered(edition, name=f"Gemeente {i}", email=f"g{i}@gemeente.nl", confirmed=True,
                            sector_id=sectors[0].id).registration for i in range(3)]
    registered(edition, name="Andere sector", email="school@school.nl", confirmed=True, sector_id=sectors[1].id)
    registered(edition, name="Nog niet bevestigd", email="pending@gemeente.nl", sector_id=sectors[0].id)
    db.session.commit()
    mailbox.clear()

    mailing = send(edition, draft(Audience(status="confirmed", sector_id=sectors[0].id)))

    received = mailing_messages(mailbox)
    assert addresses(received) == Counter({r.email: 1 for r in in_sector})
    assert mailing.status == "sent"
    first = next(m for m in received if m["To"] == "g0@gemeente.nl")
    assert first["Subject"] == f"Uitnodiging voor {edition.title('nl')}"
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first["List-Unsubscribe"] == f"<{queries.url_for_address('g0@gemeente.nl')}>"
    text = first.get_body(("plain",)).get_content()
    html = first.get_body(("html",)).get_content()
    assert "Beste Gemeente 0," in text and registration_link(in_sector[0]) in text
    assert queries.url_for_address("g0@gemeente.nl") in text and queries.url_for_address("g0@gemeente.nl") in html
    assert "<strong>Tot dan!</strong>" in html and f'href="{registration_link(in_sector[0])}"' in html
    assert "<img" not in html  # no tracking pixel
    counts = mailings.counts(mailing.id)
    assert (counts.sent, counts.failed, counts.skipped, counts.percent) == (3, 0, 0, 100)


def registration_link(registration_row) -> str:
    from congress.registration import queries as registrations  # noqa: PLC0415 - the face, read in tests only

    return registrations.manage_url(registration_row)


def test_recipients_get_their_language_and_fall_back_to_dutch(app, edition, mailbox):
    registered(edition, name="Emma English", email="emma@example.org", confirmed=True, locale="en")
    registered(edition, name="Nina Nederlands", email="nina@example.org", confirmed=True)
    db.session.commit()
    mailbox.clear()
    send(edition, draft(subject_en="Invitation to {{ edition }}", text_en="Dear {{ name }},"))
    received = {m["To"]: m for m in mailing_messages(mailbox)}
    assert received["emma@example.org"]["Subject"] == f"Invitation to {edition.title('en')}"
    assert received["emma@example.org"]["Content-Language"] == "en"
    assert received["nina@example.org"]["Subject"] == f"Uitnodiging voor {edition.title('nl')}"
    # Without an English version, everyone gets the Dutch one.
    mailbox.clear()
    send(edition, draft(subject_nl="Alleen Nederlands"))
    assert {m["Subject"] for m in mailing_messages(mailbox)} == {"Alleen Nederlands"}


def test_checked_in_and_a_workshops_waiting_list_are_audiences_too(app, edition, mailbox):
    from congress.badges import services as badges  # noqa: PLC0415 - to check people in, as at the door
    from congress.checkin import services as checkin  # noqa: PLC0415
    from tests.registration.factories import add_round  # noqa: PLC0415

    _round, (small, _big) = add_round(edition, capacities=(1, 30))
    seated = registered(edition, [small.id], name="Zit", email="zit@gemeente.nl", confirmed=True).registration
    waiting = registered(edition, [small.id], name="Wacht", email="wacht@gemeente.nl", confirmed=True).registration
    came = registered(edition, name="Kwam", email="kwam@gemeente.nl", confirmed=True).registration
    code = badges.issue_code(came)
    db.session.commit()
    with app.test_request_context():
        checkin.scan(checkin.Scan(code=code, congress=edition))
    db.session.commit()

    def audience(**filters) -> set[str]:
        return {r.email for r in mailings.audience_recipients(edition, Audience(**filters))}

    assert audience(checked_in="yes") == {"kwam@gemeente.nl"}
    assert audience(checked_in="no") == {"zit@gemeente.nl", "wacht@gemeente.nl"}
    assert audience(session_id=small.id, place="waitlisted") == {waiting.email}
    assert audience(session_id=small.id, place="enrolled") == {seated.email}
    mailbox.clear()
    send(edition, draft(Audience(checked_in="yes")))
    assert addresses(mailing_messages(mailbox)) == Counter({"kwam@gemeente.nl": 1})


def test_the_speakers_of_accepted_proposals_are_an_audience(app, edition, mailbox):
    from tests.cfp.factories import make_proposal, make_speaker, open_call  # noqa: PLC0415

    with app.test_request_context():
        open_call(edition)
        accepted_speaker = make_speaker(email="spreker@kennis.nl", name="Sanne Spreker")
        other = make_speaker(email="ander@kennis.nl", name="Ander")
        accepted = make_proposal(edition, accepted_speaker)
        make_proposal(edition, other, title="Nog in beoordeling")
        db.session.commit()
    accepted.status = "accepted"
    db.session.commit()
    mailbox.clear()
    send(edition, draft(Audience(kind="speakers"), text_nl="Beste {{ name }}, zie {{ manage_url }}"))
    received = mailing_messages(mailbox)
    assert addresses(received) == Counter({"spreker@kennis.nl": 1})
    assert "Beste Sanne Spreker" in received[0].get_body(("plain",)).get_content()


# -- exactly once ------------------------------------------------------------------------------------


def test_two_clicks_on_send_deliver_once(app, edition, organiser, mailbox):
    people(edition, 3)
    mailing = mailings.create_mailing(edition, draft())
    db.session.commit()
    mailbox.clear()
    client = app.test_client(user=organiser)
    url = f"/manage/{edition.slug}/mailings/{mailing.id}/send"
    first = client.post(url)
    second = client.post(url, follow_redirects=True)
    assert first.status_code == 303
    assert second.status_code == 200 and "wordt al verstuurd of is verstuurd" in second.get_data(as_text=True)
    assert addresses(mailing_messages(mailbox)) == Counter({f"p{i}@gemeente.nl": 1 for i in range(3)})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.template == mailings.TEMPLATE)) == 3
    with pytest.raises(mailings.MailingConflict):
        mailings.start_sending(mailing.id)


def test_the_job_run_again_after_a_crash_halfway_sends_nobody_twice(app, edition, mailbox, monkeypatch):
    people(edition, 5)
    db.session.commit()
    mailbox.clear()
    mailing = mailings.create_mailing(edition, draft())
    mailings.start_sending(mailing.id, hand_over=False)  # as if the worker had not picked it up yet
    real_queue = mailings.queue_mail
    calls = []

    def crash_on_the_fourth(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 4:
            raise RuntimeError("the worker died")
        return real_queue(*args, **kwargs)

    monkeypatch.setattr(mailings, "queue_mail", crash_on_the_fourth)
    with pytest.raises(RuntimeError):
        mailings.send_pending(mailing.id, batch_size=2)
    db.session.rollback()
    # The first batch of two was committed with its messages; the second one, where the crash came,
    # left neither a row nor a message behind.
    done = set(db.session.scalars(sa.select(MailingRecipient.email).where(MailingRecipient.mailing_id == mailing.id)))
    assert done == {"p0@gemeente.nl", "p1@gemeente.nl"}
    assert addresses(mailing_messages(mailbox)) == Counter({"p0@gemeente.nl": 1, "p1@gemeente.nl": 1})
    monkeypatch.setattr(mailings, "queue_mail", real_queue)

    report = mailings.send_pending(mailing.id, batch_size=2)
    assert (report.queued, report.finished) == (3, True)
    again = mailings.send_pending(mailing.id, batch_size=2)  # a third run: nothing left, nothing sent
    assert again.queued == 0
    assert addresses(mailing_messages(mailbox)) == Counter({f"p{i}@gemeente.nl": 1 for i in range(5)})
    db.session.expire_all()
    assert db.session.get(Mailing, mailing.id).status == "sent"


def test_a_second_copy_of_the_job_beside_the_first_sends_nobody_twice(app, edition, mailbox):
    people(edition, 4)
    db.session.commit()
    mailbox.clear()
    mailing = mailings.create_mailing(edition, draft())
    mailings.start_sending(mailing.id, hand_over=False)
    stalled = mailings.stalled_mailings()
    assert stalled == [mailing.id]
    from congress.communications.tasks import resume_mailings_after_restart, send_mailing  # noqa: PLC0415

    mailing_id = mailing.id
    send_mailing(mailing_id)
    resume_mailings_after_restart()  # a restarted worker takes up every mailing still sending: none now
    send_mailing(mailing_id)
    assert addresses(mailing_messages(mailbox)) == Counter({f"p{i}@gemeente.nl": 1 for i in range(4)})
    db.session.rollback()  # the jobs wrote in sessions of their own: read what they committed
    assert mailings.stalled_mailings() == []


# -- texts -----------------------------------------------------------------------------------------------


def test_a_broken_template_is_refused_with_its_line_and_nothing_is_saved(app, edition, organiser):
    client = app.test_client(user=organiser)
    response = client.post(f"/manage/{edition.slug}/mailings/new", data={
        "kind": "registrations", "subject_nl": "Uitnodiging", "text_nl": "Beste {{ name }},\n\nTot {{ edition"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Regel 3:" in html and 'id="text_nl-error"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mailing)) == 0


@pytest.mark.parametrize("source", ["{% for x in name %}{{ x }}{% endfor %}", "{{ name.__class__ }}",
                                    "{{ name|attr('upper') }}", "{% set x = 1 %}", "{{ range(10) }}",
                                    "{% include 'base.html' %}"])
def test_only_placeholders_filters_and_if_are_allowed(app, source):
    with pytest.raises(mailings.MailingError) as refused:
        mailings.check_text(source, "text_nl")
    assert refused.value.field == "text_nl" and "1" in refused.value.message


def test_an_unknown_placeholder_is_flagged_in_the_preview_and_not_sent(app, edition, organiser, mailbox):
    people(edition, 1)
    mailing = mailings.create_mailing(edition, draft(text_nl="Beste {{ naam }},"))
    db.session.commit()
    client = app.test_client(user=organiser)
    page = client.get(f"/manage/{edition.slug}/mailings/{mailing.id}").get_data(as_text=True)
    assert "Onbekende plaatshouders: naam" in page
    mailbox.clear()
    refused = client.post(f"/manage/{edition.slug}/mailings/{mailing.id}/send")
    assert refused.status_code == 422 and "naam" in refused.get_data(as_text=True)
    assert mailing_messages(mailbox) == []


def test_the_preview_is_exactly_what_is_sent(app, edition, organiser, mailbox):
    first = people(edition, 2)[0]
    mailing = mailings.create_mailing(edition, draft(text_nl="Beste {{ name }}, *welkom* bij {{ edition }}."))
    db.session.commit()
    shown = mailings.preview(db.session.get(Mailing, mailing.id))
    assert shown.count == 2 and shown.sample.email == first.email
    client = app.test_client(user=organiser)
    page = client.get(f"/manage/{edition.slug}/mailings/{mailing.id}")
    assert page.status_code == 200 and shown.message.subject in page.get_data(as_text=True)
    # The HTML part in its own sandboxed frame: the mail's inline styles allowed there only, nothing runs.
    frame = client.get(f"/manage/{edition.slug}/mailings/{mailing.id}/preview.html")
    assert frame.get_data(as_text=True) == shown.message.html
    policy = frame.headers["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy and "default-src 'none'" in policy and "script-src" not in policy
    assert "frame-ancestors 'self'" in policy and frame.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    assert f'src="/manage/{edition.slug}/mailings/{mailing.id}/preview.html"' in page.get_data(as_text=True)
    mailbox.clear()
    mailings.start_sending(mailing.id)
    sent = next(m for m in mailing_messages(mailbox) if m["To"] == first.email)
    assert sent["Subject"] == shown.message.subject
    assert sent.get_body(("plain",)).get_content().replace("\r\n", "\n").rstrip("\n") == shown.message.text
    assert sent.get_body(("html",)).get_content().replace("\r\n", "\n").rstrip("\n") == shown.message.html


def test_a_name_cannot_inject_markup(app, edition, mailbox):
    registered(edition, name="<script>alert(1)</script> *vet*", email="x@gemeente.nl", confirmed=True)
    db.session.commit()
    mailbox.clear()
    send(edition, draft())
    html = mailing_messages(mailbox)[0].get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html and "<em>" not in html


# -- unsubscribing -------------------------------------------------------------------------------------


def test_one_click_unsubscribe_by_post_without_a_session_and_the_next_mailing_skips_it(app, edition, mailbox):
    people(edition, 2)
    db.session.commit()
    mailbox.clear()
    send(edition, draft())
    header = next(m for m in mailing_messages(mailbox) if m["To"] == "p0@gemeente.nl")["List-Unsubscribe"]
    url = header.strip("<>").removeprefix("http://127.0.0.1:5000").removeprefix(app.config["PUBLIC_BASE_URL"])
    app.config["WTF_CSRF_ENABLED"] = True  # as in production: only the one-click POST is exempt
    mail_client = app.test_client()  # no cookie, no session, no CSRF token: what a mail client sends
    response = mail_client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert queries.is_opted_out("p0@gemeente.nl")
    assert services.opt_out("p0@gemeente.nl") is False  # one row, kept

    mailbox.clear()
    second = send(edition, draft(subject_nl="Tweede mailing"))
    assert addresses(mailing_messages(mailbox)) == Counter({"p1@gemeente.nl": 1})
    assert mailings.counts(second.id).skipped == 1
    # Transactional mail is never blocked: the personal link still arrives.
    mailbox.clear()
    registration.send_link(edition, "p0@gemeente.nl")
    assert [m["To"] for m in mailbox] == ["p0@gemeente.nl"]


def test_an_address_whose_mail_bounced_for_good_is_skipped_until_a_message_to_it_arrives(app, edition, mailbox):
    people(edition, 3)
    db.session.add(OutboxMessage(to_address="P1@gemeente.nl", template="x", subject="s", body_text="t", body_html="h",
                                 status="failed", smtp_code=550, smtp_reply="550 5.1.1 User unknown",
                                 congress_id=edition.id))
    db.session.commit()
    mailbox.clear()
    first = send(edition, draft())
    assert addresses(mailing_messages(mailbox)) == Counter({"p0@gemeente.nl": 1, "p2@gemeente.nl": 1})
    counts = mailings.counts(first.id)
    assert (counts.skipped, counts.bouncing, counts.unsubscribed, counts.percent) == (1, 1, 0, 100)
    assert db.session.scalar(sa.select(MailingRecipient.skip_reason).where(
        MailingRecipient.mailing_id == first.id, MailingRecipient.email == "p1@gemeente.nl")) == "bouncing"
    # The mailbox works again (a message to it was delivered): the next mailing reaches it.
    db.session.add(OutboxMessage(to_address="p1@gemeente.nl", template="x", subject="s", body_text="t", body_html="h",
                                 status="sent", congress_id=edition.id))
    db.session.commit()
    mailbox.clear()
    send(edition, draft(subject_nl="Tweede mailing"))
    assert addresses(mailing_messages(mailbox))["p1@gemeente.nl"] == 1


def test_the_unsubscribe_page_asks_first_and_offers_to_subscribe_again(app, edition):
    token = token_for("iemand@gemeente.nl")
    client = app.test_client()
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and "Afmelden" in page.get_data(as_text=True)
    assert not queries.is_opted_out("iemand@gemeente.nl")  # a GET (a link scanner) changes nothing
    done = client.post(f"/unsubscribe/{token}")
    assert "U bent afgemeld" in done.get_data(as_text=True)
    assert queries.is_opted_out("iemand@gemeente.nl")
    again = client.post(f"/unsubscribe/{token}/again")
    assert again.status_code == 200 and "weer aangemeld" in again.get_data(as_text=True)
    assert not queries.is_opted_out("iemand@gemeente.nl")


def test_the_unsubscribe_pages_are_rate_limited_per_client(app):
    app.config["UNSUBSCRIBE_RATE_LIMIT"] = "3 per minute"
    client = app.test_client()
    answers = [client.get(f"/unsubscribe/{token_for('iemand@gemeente.nl')}").status_code for _ in range(3)]
    assert answers == [200, 200, 200]
    assert client.get("/unsubscribe/vervalst").status_code == 429  # the limit counts guesses too
    assert not queries.is_opted_out("iemand@gemeente.nl")


def test_subscribing_again_needs_the_csrf_token(app):
    app.config["WTF_CSRF_ENABLED"] = True
    token = token_for("iemand@gemeente.nl")
    services.opt_out("iemand@gemeente.nl")
    response = app.test_client().post(f"/unsubscribe/{token}/again")
    assert response.status_code == 400
    assert queries.is_opted_out("iemand@gemeente.nl")


@pytest.mark.parametrize("token", ["forged", "YWJjQGRlZi5ubA.AAAAAAAAAAAAAAAAAAAAAAAA", "x" * 900, "a.b"])
def test_a_forged_token_is_a_404_in_the_users_language(app, token):
    client = app.test_client()
    for method in ("GET", "POST"):
        response = client.open(f"/unsubscribe/{token}", method=method)
        assert response.status_code == 404
        assert "Pagina niet gevonden" in response.get_data(as_text=True)
    english = client.get(f"/unsubscribe/{token}", headers={"Accept-Language": "en"})
    assert english.status_code == 404 and "Page not found" in english.get_data(as_text=True)


def test_the_registrations_list_shows_who_unsubscribed(app, edition, organiser):
    people(edition, 2)
    services.opt_out("p1@gemeente.nl")
    html = app.test_client(user=organiser).get(f"/manage/registrations/{edition.slug}/").get_data(as_text=True)
    assert html.count("afgemeld voor mailings") == 1


# -- the forms: CSRF, hostile input, roles ----------------------------------------------------------------


def test_the_compose_form_needs_its_csrf_token(app, edition, organiser):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client(user=organiser)
    response = client.post(f"/manage/{edition.slug}/mailings/new", data={
        "kind": "registrations", "subject_nl": "Hallo", "text_nl": "Tekst"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mailing)) == 0


@pytest.mark.parametrize("fields", [
    {"subject_nl": "x" * 5000, "text_nl": "Tekst"},
    {"subject_nl": "Hallo", "text_nl": "y" * (mailings.TEXT_MAX + 1)},
    {"subject_nl": "\x00\x00", "text_nl": "Tekst"},
    {"subject_nl": "Hallo", "text_nl": "Tekst", "subject_en": "Only a subject"},
    {"subject_nl": "Hallo", "text_nl": "Tekst", "kind": "everyone" * 1000},
    {"subject_nl": "Hallo", "text_nl": "Tekst", "workshop": "99999999999999999999"},
])
def test_hostile_input_is_a_422_with_a_message_never_a_500(app, edition, organiser, fields):
    client = app.test_client(user=organiser)
    response = client.post(f"/manage/{edition.slug}/mailings/new", data={"kind": "registrations", **fields})
    assert response.status_code == 422
    assert "utrecht-form-field-error-message" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mailing)) == 0


def test_nul_bytes_are_stripped_from_what_is_saved(app, edition, organiser):
    client = app.test_client(user=organiser)
    response = client.post(f"/manage/{edition.slug}/mailings/new", data={
        "kind": "registrations", "subject_nl": "Uit\x00nodiging", "text_nl": "Beste\x00 {{ name }}"})
    assert response.status_code == 302
    saved = db.session.scalar(sa.select(Mailing))
    assert (saved.subject_nl, saved.text_nl) == ("Uitnodiging", "Beste {{ name }}")


@pytest.mark.parametrize("role", ["track_manager", "checkin", "reviewer"])
def test_only_organisers_send_mailings(app, edition, role, mailbox):
    people(edition, 1)
    mailing = mailings.create_mailing(edition, draft())
    db.session.commit()
    client = app.test_client(user=make_user(role))
    for method, url in (("GET", f"/manage/{edition.slug}/mailings"), ("GET", f"/manage/{edition.slug}/mailings/new"),
                        ("POST", f"/manage/{edition.slug}/mailings/{mailing.id}/send"),
                        ("GET", f"/manage/{edition.slug}/mailings/{mailing.id}/progress.json")):
        assert client.open(url, method=method).status_code == 403, url
    db.session.expire_all()
    assert db.session.get(Mailing, mailing.id).status == "draft"


def test_another_editions_mailing_is_a_404(app, edition, organiser):
    other = open_congress("andere-editie")
    mailing = mailings.create_mailing(other, draft())
    db.session.commit()
    client = app.test_client(user=organiser)
    assert client.get(f"/manage/{edition.slug}/mailings/{mailing.id}").status_code == 404
    assert client.post(f"/manage/{edition.slug}/mailings/{mailing.id}/send").status_code == 404


# -- the pages: compose, progress, history, audit ---------------------------------------------------------


def test_compose_preview_send_progress_and_history_through_the_pages(app, edition, organiser, mailbox):
    people(edition, 3)
    registered(edition, name="Nog niet", email="pending@gemeente.nl")
    services.opt_out("p2@gemeente.nl")
    db.session.commit()
    client = app.test_client(user=organiser)
    form = client.get(f"/manage/{edition.slug}/mailings/new")
    assert form.status_code == 200 and "Onderwerp (Nederlands)" in form.get_data(as_text=True)
    saved = client.post(f"/manage/{edition.slug}/mailings/new", data={
        "kind": "registrations", "status": "confirmed", "subject_nl": "Terugblik", "text_nl": "Beste {{ name }},"})
    assert saved.status_code == 302
    mailing = db.session.scalar(sa.select(Mailing))
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "3 adressen" in page and "1 daarvan heeft zich afgemeld" in page and "Beste Deelnemer 0," in page
    mailbox.clear()
    assert client.post(f"/manage/{edition.slug}/mailings/{mailing.id}/send").status_code == 303
    assert addresses(mailing_messages(mailbox)) == Counter({"p0@gemeente.nl": 1, "p1@gemeente.nl": 1})

    progress = client.get(f"/manage/{edition.slug}/mailings/{mailing.id}/progress.json").get_json()
    assert progress["sent"] == 2 and progress["skipped"] == 1 and progress["percent"] == 100 and progress["finished"]
    detail = client.get(f"/manage/{edition.slug}/mailings/{mailing.id}").get_data(as_text=True)
    assert '<progress max="100" value="100"' in detail and "mailing-progress.js" in detail
    history = client.get(f"/manage/{edition.slug}/mailings").get_data(as_text=True)
    assert "Terugblik" in history and "Verzonden" in history

    from congress.audit.models import AuditEvent  # noqa: PLC0415

    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "mailing.sent"))
    assert event.actor_user_id == organiser.id and event.data["recipients"] == 2
    assert event.data["skipped_unsubscribed"] == 1


def test_a_failed_message_is_counted_with_its_reason(app, edition, organiser, monkeypatch):
    people(edition, 1)
    mailing = mailings.create_mailing(edition, draft())
    app.config["MAIL_PORT"] = 1  # nothing listens: refused, retried later; then failed for good
    app.config["MAIL_MAX_ATTEMPTS"] = 1
    mailings.start_sending(mailing.id)
    counts = mailings.counts(mailing.id)
    assert counts.failed == 1 and counts.percent == 100
    failure = mailings.failures(mailing.id)[0]
    assert failure.email == "p0@gemeente.nl" and failure.reason
    page = app.test_client(user=organiser).get(f"/manage/{edition.slug}/mailings/{mailing.id}").get_data(as_text=True)
    assert "p0@gemeente.nl" in page and failure.reason in page


# -- the command line ------------------------------------------------------------------------------------


def test_the_command_line_sends_to_a_named_group_and_says_how_many(app, edition, runner, tmp_path, mailbox):
    people(edition, 2)
    registered(edition, name="Wachtend", email="wacht@gemeente.nl")
    services.opt_out("p1@gemeente.nl")
    db.session.commit()
    text = tmp_path / "tekst.md"
    text.write_text("Beste {{ name }},\n\nDe presentaties staan online.", encoding="utf-8")
    mailbox.clear()
    result = runner.invoke(args=["congress", "mailing", "send", edition.slug, "--to", "confirmed",
                                 "--subject", "Terugblik", "--text-file", str(text)])
    assert result.exit_code == 0, result.output
    assert "1 queued, 1 skipped (unsubscribed)" in result.output
    assert addresses(mailing_messages(mailbox)) == Counter({"p0@gemeente.nl": 1})

    broken = tmp_path / "kapot.md"
    broken.write_text("Beste {{ name", encoding="utf-8")
    refused = runner.invoke(args=["congress", "mailing", "send", edition.slug, "--to", "speakers",
                                  "--subject", "X", "--text-file", str(broken)])
    assert refused.exit_code != 0 and "text_nl" in refused.output and "1" in refused.output
    unknown = runner.invoke(args=["congress", "mailing", "send", "bestaat-niet", "--to", "confirmed",
                                  "--subject", "X", "--text-file", str(text)])
    assert unknown.exit_code != 0 and "bestaat-niet" in unknown.output
