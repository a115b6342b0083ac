"""Fixtures of the archive's tests."""

from __future__ import annotations

import pytest

from congress.cfp import services as cfp
from congress.cfp.models import ProposalSpeaker
from congress.extensions import db
from congress.opendata import records
from congress.registration import services as registration
from congress.tokens import hash_secret
from tests.archive.factories import make_item
from tests.cfp.factories import make_proposal, make_speaker, open_call


@pytest.fixture
def session_item(app, congress, monkeypatch):
    """A confirmed proposal with two speakers (so a session) and its published report item."""
    monkeypatch.setattr(registration, "register_speaker", lambda congress, **kw: None)
    open_call(congress)
    speaker = make_speaker(email="sanne@example.org", name="Sanne Spreker")
    proposal = make_proposal(congress, speaker)
    cfp.decide([proposal], "accept")
    proposal.confirm_token_hash = hash_secret("t")
    db.session.commit()
    cfp.confirm_proposal("t")
    co_speaker = make_speaker(email="chris@example.org", name="Chris Collega")
    # A second speaker, as cfp.cospeakers adds one.
    db.session.add(ProposalSpeaker(proposal_id=proposal.id, person_id=cfp.person_for(co_speaker).id, position=1))
    db.session.commit()
    item = make_item("Verslag: veerkracht in de wijk", session_id=proposal.session_id, congress_id=congress.id)
    records.record_xml.cache_clear()
    return item, proposal, speaker, co_speaker
