"""Deliverability: the DKIM signature over the bytes sent (checked with dkimpy's own verifier against
the published key), the envelope sender bounces go to, the edition's contact address as Reply-To,
and an address whose last delivery was refused for good marked as bouncing."""

from __future__ import annotations

import base64
from email.utils import parseaddr

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from congress import create_app
from congress.extensions import db
from congress.mail import envelope, services
from congress.mail.queries import bouncing
from tests.factories import make_congress
from tests.mail.test_delivery import _queue


@pytest.fixture(scope="module")
def key_pair(tmp_path_factory):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path_factory.mktemp("dkim") / "congres.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    return path, record


@pytest.fixture
def signing_config(app, key_pair):
    path, _ = key_pair
    saved = {k: app.config.get(k) for k in ("MAIL_DKIM_PRIVATE_KEY_FILE", "MAIL_DKIM_DOMAIN", "MAIL_DKIM_SELECTOR",
                                            "MAIL_RETURN_PATH")}
    app.config.update(MAIL_DKIM_PRIVATE_KEY_FILE=str(path), MAIL_DKIM_DOMAIN="congres.example.nl",
                      MAIL_DKIM_SELECTOR="mei2027", MAIL_RETURN_PATH="bounces@congres.example.nl")
    yield
    app.config.update(saved)


def published(record: bytes):
    def dns(name: bytes, timeout: int = 5) -> bytes | None:
        return record if name == b"mei2027._domainkey.congres.example.nl." else None
    return dns


def test_a_signed_message_verifies_against_the_published_key_and_bounces_go_to_the_return_path(
        app, smtp, signing_config, key_pair):
    message = _queue()
    db.session.commit()
    assert services.deliver(message.id) == "sent"
    received = smtp.received[0]
    assert received.mail_from == "bounces@congres.example.nl"
    signature = received.message["DKIM-Signature"]
    assert "d=congres.example.nl" in signature and "s=mei2027" in signature
    signed = dict(part.strip().split("=", 1) for part in signature.split(";") if "=" in part)["h"]
    for header in ("from", "to", "subject", "date", "message-id", "auto-submitted"):
        assert header in signed.replace(" ", "").lower().split(":")
    assert dkim.verify(received.raw, dnsfunc=published(key_pair[1]))
    # Not a signature that passes anything: one changed byte of the body fails it.
    tampered = received.raw.replace(b"Sam", b"Sem", 1)
    assert tampered != received.raw and not dkim.verify(tampered, dnsfunc=published(key_pair[1]))


def test_without_a_key_the_message_goes_unsigned_from_the_sender(app, smtp):
    message = _queue()
    db.session.commit()
    assert services.deliver(message.id) == "sent"
    received = smtp.received[0]
    assert "DKIM-Signature" not in received.message
    assert received.mail_from == parseaddr(app.config["MAIL_DEFAULT_SENDER"])[1]


def test_a_key_that_cannot_sign_stops_the_app_at_start(app, tmp_path):
    for content, reason in ((None, "cannot be read"), (b"not a key", "no PEM private key"),
                            (b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "cannot sign")):
        path = tmp_path / "key.pem"
        if content is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(content)
        envelope._key.cache_clear()
        with pytest.raises(services.SigningKeyError, match=reason):
            create_app({**app.config, "MAIL_DKIM_PRIVATE_KEY_FILE": str(path)})


def test_replies_go_to_the_editions_contact_address(app, smtp):
    congress = make_congress("antwoorden")
    congress.contact_email = "congres@minjenv.example.nl"
    about_edition = services.queue_mail("a@example.org", "password_reset", congress_id=congress.id,
                                        user=None, link="https://x/reset", hours=2)
    db.session.commit()
    services.deliver(about_edition.id)
    assert smtp.received[0].message["Reply-To"] == "congres@minjenv.example.nl"
    plain = _queue(to="b@example.org")
    db.session.commit()
    services.deliver(plain.id)
    assert "Reply-To" not in smtp.received[1].message


def test_a_permanent_refusal_marks_the_address_bouncing_until_a_delivery_succeeds(app, smtp):
    smtp.rcpt_replies.append("550 5.1.1 <someone@example.org>: Recipient address rejected: User unknown")
    first = _queue(to="Someone@Example.org")
    db.session.commit()
    assert services.deliver(first.id) == "failed"
    assert bouncing(["someone@example.org", "other@example.org"]) == {
        "someone@example.org": "550 5.1.1 <someone@example.org>: Recipient address rejected: User unknown"}

    smtp.rcpt_replies.append("451 4.3.0 Try again later")  # a temporary refusal is not a bounce
    other = _queue(to="other@example.org")
    db.session.commit()
    assert services.deliver(other.id) == "queued"
    assert "other@example.org" not in bouncing(["other@example.org"])

    later = _queue(to="someone@example.org")  # e.g. tried again after the mailbox was fixed
    db.session.commit()
    assert services.deliver(later.id) == "sent"
    assert bouncing(["someone@example.org"]) == {}
    assert bouncing([]) == {}
