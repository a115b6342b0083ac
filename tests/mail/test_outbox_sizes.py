"""The outbox shows an attachment's size with the language's decimal sign (1,5 KiB in Dutch)."""

from __future__ import annotations

from congress.extensions import db
from congress.mail import services
from tests.factories import make_user


def test_attachment_sizes_use_the_decimal_comma_in_dutch(app, organiser, mailbox):
    user = make_user("organiser", name="Sam")
    message = services.queue_mail("a@example.org", "password_reset", user=user, link="http://x", hours=1,
                                  attachments=[("programma.pdf", "application/pdf", b"%" * 1536)])
    db.session.commit()
    client = app.test_client(user=organiser)
    assert "(1,5 KiB)" in client.get(f"/manage/outbox/{message.id}").get_data(as_text=True)
    assert "(1.5 KiB)" in client.get(f"/manage/outbox/{message.id}?lang=en").get_data(as_text=True)
