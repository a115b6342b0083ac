"""Communications answers the signals of the capabilities below it; ``create_app`` calls :func:`connect`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from congress.audit.signals import objects_described
from congress.communications.audit_names import DESCRIBERS
from congress.communications.mailings import forget_pending
from congress.communications.mailtexts import copy_mail_texts, render_edited
from congress.communications.schedules import copy_rules
from congress.communications.tasks import hand_over_started_mailings
from congress.core.signals import congress_cloned
from congress.mail.signals import text_wanted

# A committed "send" hands the mailing's job to the worker; a rollback forgets it.
LISTENERS = (("after_commit", hand_over_started_mailings), ("after_rollback", forget_pending))


def connect() -> None:
    """Connect every part's receivers (each part adds one call here); connecting again changes nothing."""
    _connect_mailings()
    _connect_mail_texts()


def _connect_mailings() -> None:
    for name, listener in LISTENERS:
        if not event.contains(OrmSession, name, listener):
            event.listen(OrmSession, name, listener)
    for kind, describer in DESCRIBERS.items():
        objects_described.connect(describer, sender=kind)


def on_text_wanted(template: str, *, congress_id: int | None, locale: str,
                   context: dict[str, Any], **_: Any) -> tuple[str, str, str] | None:
    return render_edited(template, congress_id, locale, context)


def on_congress_cloned(source: Any, *, target: Any, **_: Any) -> None:
    """The clone gets the source's edited mail texts and scheduled mails, in the cloning transaction."""
    copy_mail_texts(source.id, target.id)
    copy_rules(source, target)


def _connect_mail_texts() -> None:
    text_wanted.connect(on_text_wanted)
    congress_cloned.connect(on_congress_cloned)
