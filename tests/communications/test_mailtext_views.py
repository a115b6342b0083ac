"""The mail-text pages under /manage/<slug>/mail-texts: the index, editing (save, preview, "send a test
to me"), resetting; texts that do not parse are refused next to their field and never saved; unknown
placeholders are flagged in the preview; only the edition's organisers get in. Mail goes through the
real SMTP server on 127.0.0.1 (the ``mailbox`` fixture)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from congress.accounts import services as accounts
from congress.audit.models import AuditEvent
from congress.communications.mailtext_kinds import KINDS
from congress.communications.mailtexts import mail_text, save_mail_text
from congress.extensions import db
from tests.factories import make_user
from tests.registration.factories import add_round, open_congress, registered

CONFIRM = "registration.confirm"


@pytest.fixture
def edition(app):
    return open_congress("teksten-pagina")


def url(edition, key: str = CONFIRM, locale: str = "nl", suffix: str = "") -> str:
    return f"/manage/{edition.slug}/mail-texts/{key}/{locale}{suffix}"


def _html(message) -> str:
    return message.get_body(("html",)).get_content()


def _plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_the_index_lists_every_mail_with_default_or_edited_per_language(app, edition, organiser):
    save_mail_text(edition.id, "registration/link", "en", "Your link", "Here: {{ manage_url }}")
    client = app.test_client(user=organiser)
    page = client.get(f"/manage/{edition.slug}/mail-texts")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for kind in KINDS:
        assert f"/mail-texts/{kind.replace('/', '.')}/nl" in html and f"/mail-texts/{kind.replace('/', '.')}/en" in html
    assert html.count("Aangepast</span>") == 1 and "Your link" in html
    assert "Standaard</span>" in html
    cockpit = client.get(f"/manage/{edition.slug}/mailings").get_data(as_text=True)
    assert f'href="/manage/{edition.slug}/mail-texts"' in cockpit  # the edition's navigation


def test_the_edit_page_begins_with_the_default_written_with_placeholders(app, edition, organiser):
    registered(edition, name="Eerst Bevestigd", email="eerst@gemeente.nl", confirmed=True)
    registered(edition, name="Later Onbevestigd", email="later@gemeente.nl")
    page = app.test_client(user=organiser).get(url(edition))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Standaard</span>" in html and "{{ confirm_url }}" in html and "Bevestig uw aanmelding" in html
    assert "verplicht" in html  # confirm_url is required in this mail
    for name in KINDS["registration/confirm"].placeholders:
        assert "{{ " + name + " }}" in html
    # The preview uses the most recent confirmed registration; the other can be chosen.
    assert "Voor Eerst Bevestigd" in html and "Later Onbevestigd" in html
    assert "Beste Eerst Bevestigd," in html
    assert 'href="/manage/teksten-pagina/mail-texts/placeholders"' in html
    english = app.test_client(user=organiser).get(url(edition, locale="en")).get_data(as_text=True)
    assert "Please confirm your registration for {{ edition }}" in english


def test_saving_through_the_page_and_the_mail_arrives_as_edited_in_both_languages(app, edition, organiser, mailbox):
    client = app.test_client(user=organiser)
    saved = client.post(url(edition), data={"subject": "Bevestig {{ edition }}, {{ name }}", "action": "save",
                                            "text": "Beste {{ name }},\n\nKlik op {{ confirm_url }} — **graag**."})
    assert saved.status_code == 303
    assert client.post(url(edition, locale="en"), data={
        "subject": "Confirm, {{ name }}", "text": "Dear {{ name }},\n\nPlease confirm: {{ confirm_url }}",
        "action": "save"}).status_code == 303
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Aangepast</span>" in page and "opgeslagen" in page
    assert _events("mail_text.saved")[0].actor_user_id == organiser.id
    mailbox.clear()
    registered(edition, name="Nederlandse Deelnemer", email="nl@gemeente.nl")
    registered(edition, name="English Attendee", email="en@gemeente.nl", locale="en")
    nl = next(m for m in mailbox if m["To"] == "nl@gemeente.nl")
    en = next(m for m in mailbox if m["To"] == "en@gemeente.nl")
    assert nl["Subject"] == f"Bevestig {edition.title_nl}, Nederlandse Deelnemer"
    assert _plain(nl).startswith("Beste Nederlandse Deelnemer,") and "/confirm" in _plain(nl)
    assert "<strong>graag</strong>" in _html(nl) and 'href="http' in _html(nl)
    assert en["Subject"] == "Confirm, English Attendee"
    assert _plain(en).startswith("Dear English Attendee,") and "/confirm" in _plain(en)


def test_a_text_that_does_not_parse_is_refused_next_to_its_field_and_never_saved(app, edition, organiser):
    save_mail_text(edition.id, "registration/confirm", "nl", "Oud", "Oude tekst {{ confirm_url }}")
    saved_before = len(_events("mail_text.saved"))
    client = app.test_client(user=organiser)
    answer = client.post(url(edition), data={"subject": "Nieuw {{ name", "action": "save",
                                             "text": "Regel een\n{% if name %}nooit gesloten {{ confirm_url }}"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="subject-error"' in html and 'id="text-error"' in html and "Regel 2" in html
    assert "{% if name %}nooit gesloten" in html  # what was typed stays in the form
    db.session.expire_all()
    assert mail_text(edition.id, "registration/confirm", "nl").subject == "Oud"
    assert len(_events("mail_text.saved")) == saved_before


def test_a_required_placeholder_left_out_is_refused(app, edition, organiser):
    answer = app.test_client(user=organiser).post(url(edition), data={
        "subject": "Bevestig", "text": "Beste {{ name }}, zonder link.", "action": "save"})
    assert answer.status_code == 422 and "{{ confirm_url }}" in answer.get_data(as_text=True)
    assert mail_text(edition.id, "registration/confirm", "nl") is None


def test_the_preview_flags_an_unknown_placeholder_and_saves_nothing(app, edition, organiser):
    registered(edition, name="Petra de Vries", confirmed=True)
    answer = app.test_client(user=organiser).post(url(edition), data={
        "subject": "Hallo {{ naam }}", "text": "Beste {{ naam }}, {{ confirm_url }} en {{ programa }}",
        "action": "preview"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Onbekende placeholders: naam, programa" in html
    assert "Hallo</dd>" in html.replace("\n", "")
    assert mail_text(edition.id, "registration/confirm", "nl") is None


def test_the_preview_uses_the_chosen_registration_and_a_labelled_sample_without_one(app, organiser):
    empty = open_congress("teksten-leeg")
    page = app.test_client(user=organiser).get(url(empty, "registration.confirmed"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Voorbeeldpersoon" in html and "Beste Voorbeelddeelnemer," in html
    edition = open_congress("teksten-kiezen")
    _round, sessions = add_round(edition)
    first = registered(edition, [sessions[0].id], name="Anna Eerst", email="a@gemeente.nl", confirmed=True)
    registered(edition, name="Bram Later", email="b@gemeente.nl", confirmed=True)
    client = app.test_client(user=organiser)
    chosen = client.post(url(edition, "registration.confirmed"), data={
        "subject": "Welkom {{ name }}", "text": "Beste {{ name }},\n\n{{ programme }}", "action": "preview",
        "registration": str(first.id)}).get_data(as_text=True)
    assert "Welkom Anna Eerst" in chosen and "Ronde 1 workshop 1" in chosen and "Zaal 1" in chosen
    assert f'<option selected value="{first.id}">' in chosen or f'value="{first.id}" selected' in chosen
    by_default = client.get(url(edition, "registration.confirmed")).get_data(as_text=True)
    assert "Beste Bram Later," in by_default  # the most recent confirmed one


def test_values_are_escaped_in_the_html_part_and_say_the_same_as_the_text(app, edition, organiser, mailbox):
    save_mail_text(edition.id, "registration/confirm", "nl", "Hallo {{ name }}",
                   "Beste {{ name }}, bevestig: {{ confirm_url }}")
    mailbox.clear()
    registered(edition, name="<b>Jan</b> *de* Boer", email="jan@gemeente.nl")
    (message,) = [m for m in mailbox if m["To"] == "jan@gemeente.nl"]
    assert "&lt;b&gt;Jan&lt;/b&gt; *de* Boer" in _html(message) and "<b>Jan" not in _html(message)
    assert "<em>" not in _html(message)
    assert "Beste <b>Jan</b> *de* Boer, bevestig:" in _plain(message)
    page = app.test_client(user=organiser).get(url(edition)).get_data(as_text=True)
    assert "<b>Jan</b>" not in page


def test_reset_asks_first_then_restores_the_default(app, edition, organiser, mailbox):
    save_mail_text(edition.id, "registration/confirm", "nl", "Eigen onderwerp", "Eigen tekst {{ confirm_url }}")
    client = app.test_client(user=organiser)
    assert "Standaardtekst herstellen" in client.get(url(edition)).get_data(as_text=True)
    ask = client.get(url(edition, suffix="/reset"))
    assert ask.status_code == 200 and "Eigen tekst" in ask.get_data(as_text=True)
    assert mail_text(edition.id, "registration/confirm", "nl") is not None  # asking changes nothing
    done = client.post(url(edition, suffix="/reset"))
    assert done.status_code == 303
    db.session.expire_all()
    assert mail_text(edition.id, "registration/confirm", "nl") is None
    assert _events("mail_text.reset")[0].data["subject"] == "Eigen onderwerp"
    assert "De standaardtekst staat weer klaar" in client.get(done.headers["Location"]).get_data(as_text=True)
    mailbox.clear()
    registered(edition, name="Na Herstel", email="herstel@gemeente.nl")
    assert mailbox[-1]["Subject"] != "Eigen onderwerp"


def test_send_a_test_to_me_arrives_with_the_typed_text_and_is_audited(app, edition, organiser, mailbox):
    registered(edition, name="Petra de Vries", confirmed=True)
    mailbox.clear()
    answer = app.test_client(user=organiser).post(url(edition, locale="en"), data={
        "subject": "Confirm, {{ name }}", "text": "Dear {{ name }},\n\nConfirm: {{ confirm_url }}\n\n**Welcome**",
        "action": "test"})
    assert answer.status_code == 200 and "org@example.org" in answer.get_data(as_text=True)
    (message,) = mailbox
    assert message["To"] == "org@example.org" and message["Subject"] == "[TEST] Confirm, Petra de Vries"
    assert _plain(message).startswith("Dear Petra de Vries,") and "<strong>Welcome</strong>" in _html(message)
    assert "/my/" in _plain(message) and "example" in _plain(message)  # an example link, not hers
    assert mail_text(edition.id, "registration/confirm", "en") is None  # a test saves nothing
    (event,) = _events("mail_text.test_sent")
    assert event.actor_user_id == organiser.id and event.data["recipient"] == "org@example.org"


def test_tests_to_me_are_limited_and_the_text_stays(app, edition, organiser, mailbox):
    app.config["MAIL_TEXT_TESTS_PER_10_MINUTES"] = 2
    client = app.test_client(user=organiser)
    form = {"subject": "Test {{ name }}", "text": "Tekst {{ confirm_url }} blijft", "action": "test"}
    assert [client.post(url(edition), data=form).status_code for _ in range(2)] == [200, 200]
    refused = client.post(url(edition), data=form)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "wacht een paar minuten" in html and "Tekst {{ confirm_url }} blijft" in html
    assert len([m for m in mailbox if m["Subject"].startswith("[TEST]")]) == 2


@pytest.mark.parametrize("role", ["track_manager", "checkin", "reviewer"])
def test_only_organisers_edit_mail_texts(app, edition, role):
    client = app.test_client(user=make_user(role))
    for method, address in (("GET", f"/manage/{edition.slug}/mail-texts"), ("GET", url(edition)),
                            ("POST", url(edition)), ("GET", url(edition, suffix="/reset")),
                            ("POST", url(edition, suffix="/reset")),
                            ("GET", f"/manage/{edition.slug}/mail-texts/placeholders")):
        assert client.open(address, method=method, data={"subject": "x", "text": "x {{ confirm_url }}"}
                           ).status_code == 403, address
    assert mail_text(edition.id, "registration/confirm", "nl") is None


def test_an_organiser_of_another_edition_gets_403(app, edition):
    other = open_congress("teksten-ander")
    user = make_user(email="ander@example.org")
    accounts.grant_role(user, "organiser", congress_ids=(other.id,))
    db.session.commit()
    client = app.test_client(user=user)
    assert client.get(url(other)).status_code == 200
    assert client.get(url(edition)).status_code == 403
    assert client.post(url(edition), data={"subject": "x", "text": "{{ confirm_url }}",
                                           "action": "save"}).status_code == 403
    assert client.post(url(edition, suffix="/reset")).status_code == 403
    assert mail_text(edition.id, "registration/confirm", "nl") is None


@pytest.mark.parametrize("key,locale", [("sample", "nl"), ("registration.nope", "nl"), (CONFIRM, "de"),
                                        ("registration.confirm.x", "nl"), ("communications.mailing", "nl")])
def test_an_unknown_mail_or_language_is_a_404(app, edition, organiser, key, locale):
    client = app.test_client(user=organiser)
    assert client.get(url(edition, key, locale)).status_code == 404
    assert client.post(url(edition, key, locale, "/reset")).status_code == 404


@pytest.mark.parametrize("fields", [
    {"subject": "\x00" * 5, "text": "\x00"},
    {"subject": "Onderwerp", "text": "x" * 20_001},
    {"subject": "a" * 400, "text": "Tekst {{ confirm_url }}"},
    {"subject": "{{ name.__class__ }}", "text": "{{ confirm_url }}{% for x in y %}{% endfor %}"},
    {"subject": "x", "text": "{{ confirm_url }}", "registration": "99999999999999999999"},
    {"subject": "x", "text": "{{ confirm_url }}", "action": "verwijder"},
])
def test_hostile_input_is_a_422_or_a_preview_never_a_500(app, edition, organiser, fields):
    answer = app.test_client(user=organiser).post(url(edition), data={"action": "preview", **fields})
    assert answer.status_code in (200, 303, 422), answer.status_code
    saved = app.test_client(user=organiser).post(url(edition), data={"action": "save", **fields})
    assert saved.status_code in (303, 422)


def test_invalid_utf_8_in_the_form_is_a_page_never_a_500(app, edition, organiser):
    body = b"subject=%ED%A0%80&text=%7B%7B+confirm_url+%7D%7D+%ED%BF%BF&action=save"
    answer = app.test_client(user=organiser).post(url(edition), data=body,
                                                  content_type="application/x-www-form-urlencoded")
    assert answer.status_code in (303, 422)


def test_the_placeholders_page_lists_every_placeholder(app, edition, organiser):
    from congress.communications.mailtext_kinds import MEANINGS  # noqa: PLC0415

    html = app.test_client(user=organiser).get(f"/manage/{edition.slug}/mail-texts/placeholders").get_data(
        as_text=True)
    for name in MEANINGS:
        assert "{{ " + name + " }}" in html
