"""Demo privacy statements for every demo edition, and a retention period for a past one that makes
its anonymisation due a few months from the day the demo is loaded. Idempotent: an edition that has
legal settings is left as it is."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from congress.core.models import Congress
from congress.extensions import db
from congress.legal import services
from congress.legal.models import DEFAULT_RETENTION_MONTHS

# A past edition's data is then due to be anonymised this many months after the demo is loaded.
PAST_DUE_IN_MONTHS = 4

PHOTOS_NL = (
    "\n\n## Foto's en video tijdens het congres\n\n"
    "Tijdens het congres maakt een fotograaf in opdracht van de organisatie foto's van de plenaire sessies en "
    "de workshops. Foto's waarop u herkenbaar in beeld bent, gebruiken wij alleen als u daarvoor bij uw "
    "aanmelding toestemming gaf. Wilt u niet op de foto? Zeg het de fotograaf of meld het bij de balie: u krijgt "
    "dan een rood keykoord."
)
PHOTOS_EN = (
    "\n\n## Photos and video at the congress\n\n"
    "During the congress a photographer commissioned by the organisers takes photos of the plenary sessions and "
    "the workshops. Photos in which you can be recognised are used only if you consented when you registered. "
    "Would you rather not be photographed? Tell the photographer or the desk: you will get a red lanyard."
)


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def load(report: list[str]) -> None:
    today = date.today()
    for congress in db.session.scalars(sa.select(Congress).order_by(Congress.starts_on)):
        if services.settings_of(congress) is not None:
            continue
        months = DEFAULT_RETENTION_MONTHS
        if congress.ends_on < today:
            months = max(DEFAULT_RETENTION_MONTHS, _months_between(congress.ends_on, today) + PAST_DUE_IN_MONTHS)
        services.save_privacy(
            congress,
            privacy_nl=services.default_privacy(congress, "nl", months) + PHOTOS_NL,
            privacy_en=services.default_privacy(congress, "en", months) + PHOTOS_EN,
            retention_months=min(months, services.MAX_RETENTION_MONTHS),
        )
        due = services.retention_due_on(congress)
        report.append(f"Privacy statement of {congress.slug}: retention {months} months, due on {due.isoformat()}.")
