"""Communications answers the signals of the capabilities below it; ``create_app`` calls :func:`connect`."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from congress.audit.signals import objects_described
from congress.communications.audit_names import DESCRIBERS
from congress.communications.mailings import forget_pending
from congress.communications.tasks import hand_over_started_mailings

# A committed "send" hands the mailing's job to the worker; a rollback forgets it.
LISTENERS = (("after_commit", hand_over_started_mailings), ("after_rollback", forget_pending))


def connect() -> None:
    """Connect every part's receivers (each part adds one call here); connecting again changes nothing."""
    _connect_mailings()


def _connect_mailings() -> None:
    for name, listener in LISTENERS:
        if not event.contains(OrmSession, name, listener):
            event.listen(OrmSession, name, listener)
    for kind, describer in DESCRIBERS.items():
        objects_described.connect(describer, sender=kind)
