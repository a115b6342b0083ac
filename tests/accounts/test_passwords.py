"""Password strength: zxcvbn and the list of common passwords, with feedback in the user's language,
wherever a password is set (a link, one's own change, the command line); no composition rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale

from congress.accounts import passwords, services
from congress.accounts.models import Role
from congress.extensions import db
from tests.factories import PASSWORD


@pytest.mark.parametrize("weak", ["wachtwoord123", "Welkom2025!", "Feyenoord01", "qwertyuiop12", "!!geheim!!",
                                  "password2024", "zomerzomerzomer"])
def test_common_and_predictable_passwords_are_refused(app, weak):
    assert passwords.weakness(weak) is not None, weak


@pytest.mark.parametrize("strong", ["correct horse battery staple", "een lang wachtwoord",
                                    "kikker op de fiets in Zwolle",
                                    "lowercase only but long enough sentence"])
def test_long_ordinary_sentences_pass_without_composition_rules(app, strong):
    assert passwords.weakness(strong) is None, strong


def test_the_common_list_is_ours_and_of_a_sensible_size():
    common = passwords.common_passwords()
    assert 500 <= len(common) <= 1000
    assert {"wachtwoord", "welkom", "123456", "qwerty", "feyenoord"} <= common
    assert passwords.is_common("WACHTWOORD!") and passwords.is_common("2025welkom")
    assert not passwords.is_common("welkom in het stadhuis van Zwolle")


def test_feedback_is_our_own_message_in_the_users_language(app):
    with app.test_request_context("/?lang=nl"):
        assert passwords.weakness("wsxcdertgb").startswith("Te voorspelbaar: toetsenbordpatronen")
        assert passwords.weakness("abcdefghijklmn").startswith("Te voorspelbaar: reeksen")
        assert "Een zin van een paar ongewone woorden" in passwords.weakness("wachtwoord123")
        assert passwords.weakness("olga.organisator", user_inputs=("olga.organisator@example.org", "Olga")).startswith(
            "Te voorspelbaar: het bevat je naam of e-mailadres.")
    with app.test_request_context("/"), force_locale("en"):
        message = passwords.weakness("welkom2025")
        assert message.startswith("Too predictable: this is one of the most used passwords.")


def test_a_weak_password_is_refused_next_to_the_field_in_dutch(app, client, organiser):
    secret = services.issue_account_token(organiser, services.PURPOSE_RESET, timedelta(hours=1))
    db.session.commit()
    answer = client.post(f"/password/reset/{secret}", data={"password": "Wachtwoord2026", "confirm": "Wachtwoord2026"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'id="password-error"' in html and "Te voorspelbaar" in html
    assert services.check_account_token(secret, services.PURPOSE_RESET) is not None  # the link is not spent


def test_own_change_refuses_a_weak_password(app, organiser):
    browser = app.test_client(user=organiser)
    answer = browser.post("/account/password", data={"current": PASSWORD, "password": "voetbal12345",
                                                     "confirm": "voetbal12345"})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'id="password-error"' in html and "Te voorspelbaar" in html
    assert services.authenticate(organiser.email, PASSWORD) is not None


def test_the_command_line_refuses_a_weak_password(app, runner):
    result = runner.invoke(args=["congress", "create-user", "nieuw@example.org", "--role", Role.ORGANISER.value,
                                 "--password", "welkom12345"])
    assert result.exit_code != 0 and ("Too predictable" in result.output or "Te voorspelbaar" in result.output)
    assert services.find_user("nieuw@example.org") is None
    ok = runner.invoke(args=["congress", "create-user", "nieuw@example.org", "--role", Role.ORGANISER.value,
                             "--password", "set from the command line"])
    assert ok.exit_code == 0, ok.output
