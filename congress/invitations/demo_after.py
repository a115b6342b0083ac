"""The demo's invitations: the upcoming edition's list "Focusgemeenten" of ten municipalities, with
places reserved for them until a month before the edition; four have registered, one declined."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from congress.core import queries as core
from congress.database import utcnow
from congress.extensions import db
from congress.invitations.links import new_link
from congress.invitations.models import InvitationList, Invitee, InviteeStatus
from congress.registration import services as registration

UPCOMING_SLUG = "congres-2025"
LIST_NAME = "Focusgemeenten"
RESERVED = 20
# (name, municipality, e-mail domain)
MUNICIPALITIES = [
    ("Anouk de Wit", "Gemeente Zwolle", "zwolle.nl"),
    ("Hamza Bouzid", "Gemeente Almere", "almere.nl"),
    ("Ingrid Postma", "Gemeente Leeuwarden", "leeuwarden.nl"),
    ("Ruud van Dijk", "Gemeente Enschede", "enschede.nl"),
    ("Sanne Kuipers", "Gemeente Tilburg", "tilburg.nl"),
    ("Mehmet Yilmaz", "Gemeente Zaanstad", "zaanstad.nl"),
    ("Els Verhoeven", "Gemeente Venlo", "venlo.nl"),
    ("Joost Brouwer", "Gemeente Emmen", "emmen.nl"),
    ("Fenna Hoekstra", "Gemeente Groningen", "groningen.nl"),
    ("Karim el Idrissi", "Gemeente Schiedam", "schiedam.nl"),
]
REGISTERED = 4  # the first four registered through their link
DECLINED = 8  # Joost Brouwer (Emmen) cannot come


def load(report: list[str]) -> None:
    congress = core.congress_by_slug(UPCOMING_SLUG)
    if congress is None or db.session.scalar(sa.select(InvitationList.id).where(
            InvitationList.congress_id == congress.id, InvitationList.name == LIST_NAME)) is not None:
        return
    until = (congress.starts_on - timedelta(days=30)) if congress.starts_on else utcnow().date() + timedelta(days=30)
    invitation_list = InvitationList(congress_id=congress.id, name=LIST_NAME, reserved_places=RESERVED,
                                     reserved_until=until)
    db.session.add(invitation_list)
    db.session.flush()
    now = utcnow()
    sectors = registration.sectors(congress)
    municipal = next((s for s in sectors if s.name_nl.lower() == "gemeente"), sectors[0] if sectors else None)
    for i, (name, organisation, domain) in enumerate(MUNICIPALITIES):
        nonce, secret_hash = new_link()
        email = f"{name.split()[0].lower()}.{name.split()[-1].lower()}@{domain}"
        db.session.add(Invitee(list_id=invitation_list.id, congress_id=congress.id, name=name, email=email,
                               email_key=email, organisation=organisation, sector="Gemeente",
                               link_nonce=nonce, link_secret_hash=secret_hash, invited_at=now - timedelta(days=10),
                               status=InviteeStatus.DECLINED.value if i == DECLINED else InviteeStatus.INVITED.value,
                               responded_at=now - timedelta(days=3) if i == DECLINED else None))
    db.session.flush()
    for name, organisation, domain in MUNICIPALITIES[:REGISTERED]:
        email = f"{name.split()[0].lower()}.{name.split()[-1].lower()}@{domain}"
        data = registration.RegistrationData(name=name, email=email, organisation=organisation,
                                             function="beleidsadviseur sociaal domein",
                                             sector_id=municipal.id if municipal else None, consent_privacy=True)
        # Confirmed: registration_confirmed marks the invitee registered.
        registration.register(congress, data, confirmed=True, source="organiser", ignore_window=True, notify=False)
    report.append(f"Invitations of {congress.slug}: the list {LIST_NAME} with {len(MUNICIPALITIES)} municipalities "
                  f"({RESERVED} places reserved until {until:%Y-%m-%d}), {REGISTERED} registered, 1 declined.")
