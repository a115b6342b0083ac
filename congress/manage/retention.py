"""Retention, across capabilities: once an edition's retention period (legal settings, default 12
months after its end) has passed, its personal data is anonymised by the capabilities that hold it —
registrations and the e-mail sent to them (registration), speakers' private fields (cfp), the
check-in logs (checkin), the printed badges' PDFs (badges) and the participants' network's
messages (network) — in one transaction per edition,
with one audit event. Counts (registrations per status and sector, check-ins per session) and the
archive stay.

Run by the daily job (``manage.tasks``) and ``flask --app wsgi congress retention [--dry-run]``.
Idempotent: a second run finds nothing to do and records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from congress.audit.services import record
from congress.badges import services as badges
from congress.certificates import services as certificates
from congress.cfp import services as cfp
from congress.checkin import services as checkin
from congress.core.models import Congress
from congress.database import lock_for_update, write_transaction
from congress.extensions import db
from congress.legal import services as legal
from congress.network import services as network
from congress.registration import services as registration

# The parts, in the order they run; each returns what it anonymised, by kind.
PARTS = (
    ("registration", registration.anonymise_registrations),
    ("cfp", cfp.anonymise_speakers),
    ("checkin", checkin.anonymise_checkins),
    ("badges", badges.remove_print_files),
    # the attendees' register numbers; the certificates' verification records stay for their own period
    ("certificates", certificates.anonymise_professional_registrations),
    # the participants' network: messages, address shares, reports, blocks
    ("network", network.anonymise_network),
)


@dataclass
class EditionRetention:
    slug: str
    months: int
    due_on: date
    due: bool
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _editions() -> list[Congress]:
    return list(db.session.scalars(sa.select(Congress).order_by(Congress.ends_on, Congress.id)))


def _counts(congress: Congress, dry_run: bool) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _name, anonymise in PARTS:
        counts.update(anonymise(congress, dry_run=dry_run))
    return counts


def run(*, dry_run: bool = False, today: date | None = None) -> list[EditionRetention]:
    """Every edition with its due date; the due ones anonymised (or, with ``dry_run``, counted)."""
    today = today or date.today()
    congresses = _editions()
    overview = legal.retention_overview(congresses)
    results = []
    for congress in congresses:
        months, due_on = overview[congress.id]
        result = EditionRetention(congress.slug, months, due_on, due_on <= today)
        if result.due:
            result.counts = _counts(congress, dry_run=True) if dry_run else _anonymise(congress.id)
        results.append(result)
    return results


def _anonymise(congress_id: int) -> dict[str, int]:
    with write_transaction():
        # One run at a time per edition: a second one waits here and then finds nothing to do.
        congress = db.session.scalar(lock_for_update(sa.select(Congress).where(Congress.id == congress_id)))
        counts = _counts(congress, dry_run=False)
        if any(counts.values()):
            legal.mark_anonymised(congress)
            record("retention.anonymised", congress, congress_id=congress.id, **counts)
        return counts
