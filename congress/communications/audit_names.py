"""How the audit log names mailings and mail texts (answering ``audit.signals.objects_described``)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from congress.audit.queries import name_objects
from congress.communications.mailings import Mailing
from congress.communications.mailtexts import KINDS, MailText

Names = dict[int, tuple[str, str | None]]


def mailings(_kind: str, *, ids: list[int], locale: str, **_: Any) -> Names:
    return name_objects(Mailing, ids, lambda m: m.subject(locale),
                        lambda m: url_for("communications.mailings.detail", slug=m.congress.slug, mailing_id=m.id))


def _text_name(text: MailText) -> str:
    spec = KINDS.get(text.kind)
    return f"{spec.label if spec else text.kind} ({text.locale.upper()})"


def mail_texts(_kind: str, *, ids: list[int], locale: str, **_: Any) -> Names:
    """A text reset to the default is gone: the log then keeps the event's details only."""
    return name_objects(MailText, ids, _text_name, lambda t: url_for(
        "communications.mail_texts.edit", slug=t.congress.slug, kind=t.kind.replace("/", "."), locale=t.locale))


DESCRIBERS = {"Mailing": mailings, "MailText": mail_texts}
