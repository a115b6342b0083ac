"""Builders for the call-for-proposals tests."""

from __future__ import annotations

from datetime import timedelta

from congress.accounts.models import User
from congress.cfp import services
from congress.cfp.models import CfpSettings, Proposal
from congress.core.models import Congress
from congress.database import utcnow
from congress.extensions import db
from tests.factories import make_user

CRITERIA = [("Relevantie voor de Agenda", "Relevance for the Agenda", 3), ("Kwaliteit", "Quality", 2),
            ("Praktijkgerichtheid", "Practical focus", 2),
            ("Diversiteit van perspectieven", "Diversity of perspectives", 1)]


def open_call(congress: Congress, *, max_proposals: int = 5, anonymised: bool = False,
              closed: bool = False, **limits: int) -> CfpSettings:
    now = utcnow()
    settings = services.update_settings(
        congress,
        opens_at=now - timedelta(days=10),
        closes_at=now - timedelta(days=1) if closed else now + timedelta(days=20),
        max_proposals_per_speaker=max_proposals,
        call_text_nl="Wij zoeken methoden die beschermende factoren versterken.",
        call_text_en="We are looking for methods that strengthen protective factors.",
        anonymised=anonymised,
        **limits,
    )
    services.set_open_tracks(congress, [t.id for t in congress.tracks])
    db.session.flush()
    services.sync_formats(congress, "workshop | Workshop | Workshop | 60, 90\nlezing | Lezing | Lecture | 30\n"
                          "paneldiscussie | Paneldiscussie | Panel discussion | 60\n"
                          "dialoogsessie | Dialoogsessie | Dialogue session | 45")
    services.sync_criteria(congress, "\n".join(f"{a} | {b} | {w}" for a, b, w in CRITERIA))
    db.session.commit()
    return settings


def make_speaker(email: str | None = None, name: str = "Sanne Spreker",
                 organisation: str = "Gemeente Testdorp") -> User:
    user = make_user("speaker", email=email, name=name)
    person = services.person_for(user)
    person.organisation = organisation
    person.function = "beleidsadviseur"
    person.bio = "Werkt aan veerkracht in de wijk."
    db.session.commit()
    return user


def proposal_data(congress: Congress, **overrides) -> services.ProposalData:
    workshop = services.formats(congress)[0]
    values = dict(
        title="Weerbaar online in de klas",
        abstract="Een werkvorm waarmee leerlingen desinformatie leren herkennen.",
        description="We oefenen in kleine groepen met echte voorbeelden.",
        format_id=workshop.id, duration=90, track_id=congress.tracks[0].id, language="nl",
        target_audience="docenten", protective_factor="digitale weerbaarheid", notes="Graag een beamer.",
    )
    values.update(overrides)
    return services.ProposalData(**values)


def make_proposal(congress: Congress, speaker: User, *, submit: bool = True, **overrides) -> Proposal:
    return services.create_proposal(congress, speaker, proposal_data(congress, **overrides), submit=submit)
