"""The opt-out of what is not transactional: signed links, one row per address, kept across editions."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from congress.communications import queries, services
from congress.communications.unsubscribe import token_for
from congress.database import write_transaction
from congress.extensions import db
from congress.mail import services as mail
from congress.mail.models import OutboxMessage

_RESET = {"user": SimpleNamespace(name="A"), "hours": 2, "link": "https://congres.example/r"}


def test_a_token_names_its_address_and_nothing_else(app):
    token = token_for("Iemand@Gemeente.nl")
    assert queries.email_for(token) == "iemand@gemeente.nl"
    address, _, signature = token.partition(".")
    assert queries.email_for(f"{address}.{signature[:-1]}x") is None  # altered signature
    other = token_for("ander@gemeente.nl").partition(".")[0]
    assert queries.email_for(f"{other}.{signature}") is None  # another address with this signature


@pytest.mark.parametrize("forged", ["", ".", "abc", "a.b", "\x00.\x00", "\ud800.x", "x" * 900, "%%%.%%%"])
def test_forged_tokens_match_nothing(app, forged):
    assert queries.email_for(forged) is None


def test_the_link_is_on_the_configured_base(app):
    app.config["PUBLIC_BASE_URL"] = "https://congres.example.nl"
    assert queries.url_for_address("a@b.nl").startswith("https://congres.example.nl/unsubscribe/")
    headers = queries.headers_for("a@b.nl")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"] == f"<{queries.url_for_address('a@b.nl')}>"


def test_opting_out_is_per_address_and_idempotent(app):
    assert services.opt_out("A@b.nl", source="one-click") is True
    assert services.opt_out("a@B.nl") is False
    assert queries.is_opted_out("a@b.nl")
    assert queries.opted_out(["a@b.nl", "c@d.nl", "A@B.NL"]) == {"a@b.nl"}
    assert services.opt_in("a@b.nl") is True
    assert not queries.is_opted_out("a@b.nl")


def test_queued_mail_carries_the_unsubscribe_headers(app):
    with write_transaction():
        message = mail.queue_mail("a@b.nl", "password_reset", headers=queries.headers_for("a@b.nl"),
                                  **_RESET)
    email = mail.build_email(db.session.get(OutboxMessage, message.id))
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email["List-Unsubscribe"].startswith("<") and "/unsubscribe/" in email["List-Unsubscribe"]


@pytest.mark.parametrize("headers", [{"From": "evil@x"}, {"Subject": "x"}, {"List-Unsubscribe": "<a>\r\nBcc: x"}])
def test_the_outbox_refuses_headers_it_sets_itself_or_broken_values(app, headers):
    with pytest.raises(ValueError):
        mail.queue_mail("a@b.nl", "password_reset", headers=headers, **_RESET)
