"""The demo's list "Focusgemeenten": ten municipalities, four registered, one declined, places held."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from congress.core import queries as core
from congress.demo import load_demo
from congress.extensions import db
from congress.invitations.models import InvitationList, Invitee
from tests.factories import make_user


def test_the_demo_has_a_list_of_municipalities_some_registered_and_loads_once(app):
    load_demo()
    load_demo()  # idempotent
    upcoming = core.congress_by_slug("congres-2025")
    the_list = db.session.scalar(sa.select(InvitationList).where(InvitationList.congress_id == upcoming.id))
    assert the_list.name == "Focusgemeenten" and the_list.reserved_places == 20
    statuses = Counter(db.session.scalars(sa.select(Invitee.status).where(Invitee.list_id == the_list.id)))
    assert statuses == Counter({"invited": 5, "registered": 4, "declined": 1})
    client = app.test_client(user=make_user("organiser"))
    page = client.get(f"/manage/congres-2025/invitations/{the_list.id}").get_data(as_text=True)
    assert "Gemeente Zwolle" in page and "Aangemeld" in page
