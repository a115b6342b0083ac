"""Demo data of the participants' network: in the upcoming edition about two in three confirmed
attendees joined the network, and a few of them wrote to each other (relayed through the outbox, like any
message); one pair shared their addresses, one message was reported. Idempotent: an edition that has
network messages is left as it is."""

from __future__ import annotations

import sqlalchemy as sa

from congress.core import services as core
from congress.extensions import db
from congress.network import services
from congress.network.models import NetworkMessage
from congress.registration.models import Registration, RegistrationStatus

UPCOMING_SLUG = "congres-2025"

# (sender index, recipient index, text) among the edition's network members, by id
MESSAGES = (
    (0, 1, "Goedemorgen! Ik zag dat u ook de workshop over digitale weerbaarheid volgt. Wij werken in onze "
           "gemeente aan een aanpak tegen online oplichting van ouderen; zullen we ervaringen uitwisselen?"),
    (1, 0, "Graag! Wij hebben vorig jaar met de wijkagenten een voorlichtingsronde gedaan. Zullen we in de "
           "lunchpauze even bijpraten bij de koffie?"),
    (2, 3, "Hallo, ik ben benieuwd naar jullie ervaringen met buurtsportcoaches in de preventie van "
           "jeugdcriminaliteit. Hebben jullie daar een evaluatie van?"),
    (4, 2, "Wij zoeken een partnergemeente voor een pilot over zelfbeschikking en financiële zelfredzaamheid. "
           "Heeft u interesse om mee te denken?"),
    (5, 6, "Leuk dat u ook in het netwerk staat. Mag ik u na het congres bellen over de samenwerking tussen "
           "onderwijs en jeugdzorg in onze regio?"),
    (7, 1, "Bent u geïnteresseerd in onze nieuwe training? Nu met 20% korting voor alle deelnemers!"),
)


def load(report: list[str]) -> None:
    congress = core.congress_by_slug(UPCOMING_SLUG)
    if congress is None:
        return
    if db.session.scalar(sa.select(sa.exists().where(NetworkMessage.congress_id == congress.id))):
        report.append(f"Participants' network of {UPCOMING_SLUG} exists; left as it is.")
        return
    confirmed = list(db.session.scalars(sa.select(Registration).where(
        Registration.congress_id == congress.id, Registration.status == RegistrationStatus.CONFIRMED.value,
        Registration.erased_at.is_(None)).order_by(Registration.id)))
    members = [r for i, r in enumerate(confirmed) if i % 3 != 1]
    for registration in members:
        registration.consent_network = True
    db.session.flush()
    sent = []
    for sender, recipient, text in MESSAGES:
        if max(sender, recipient) < len(members):
            sent.append(services.send_message(members[sender], members[recipient].id, text))
    if len(members) > 1 and sent:
        services.share_address(members[0], members[1].id)
        services.share_address(members[1], members[0].id)
    if len(sent) == len(MESSAGES):
        services.report(members[1], sent[-1].id, "Reclame voor een betaalde training.")
    report.append(f"Participants' network of {UPCOMING_SLUG}: {len(members)} of {len(confirmed)} confirmed "
                  f"attendees joined, {len(sent)} messages relayed.")
