"""Who sees what: speakers their own, reviewers their assigned (not in conflict), track managers
their tracks, organisers everything."""

from __future__ import annotations

import pytest

from congress.accounts import services as accounts
from congress.cfp import services
from congress.extensions import db
from tests.cfp.factories import make_proposal, make_speaker, open_call
from tests.factories import make_user


@pytest.fixture
def world(app, congress, organiser):
    with app.test_request_context():
        open_call(congress)
        t1, t2 = congress.tracks
        alice = make_speaker(email="alice@example.org", name="Alice")
        bob = make_speaker(email="bob@example.org", name="Bob")
        a1 = make_proposal(congress, alice, title="Alice spoor 1", track_id=t1.id)
        b2 = make_proposal(congress, bob, title="Bob spoor 2", track_id=t2.id)
        draft = make_proposal(congress, bob, title="Bob concept", track_id=t1.id, submit=False)
        reviewer = make_user("reviewer", name="Rev")
        conflicted = make_user("reviewer", name="Con")
        services.assign_reviewer(congress, organiser, reviewer, proposal=a1)
        services.assign_reviewer(congress, organiser, conflicted, track_id=t1.id)
        db.session.commit()
        services.declare_conflict(a1, conflicted)
        manager = accounts.create_user("tm@example.org", name="TM", password="track managers own sentence",
                                       roles=("track_manager",), track_ids=(t2.id,))
        db.session.commit()
    return dict(congress=congress, alice=alice, bob=bob, a1=a1, b2=b2, draft=draft, reviewer=reviewer,
                conflicted=conflicted, manager=manager, organiser=organiser)


def _titles(app, user, slug):
    html = app.test_client(user=user).get(f"/manage/cfp/{slug}/proposals").get_data(as_text=True)
    return {t for t in ("Alice spoor 1", "Bob spoor 2", "Bob concept") if t in html}


def test_a_speaker_sees_only_their_own_proposals(app, world):
    alice = app.test_client(user=world["alice"])
    assert "Alice spoor 1" in alice.get("/speaker/").get_data(as_text=True)
    assert "Bob" not in alice.get("/speaker/").get_data(as_text=True)
    for url in (f"/speaker/proposals/{world['b2'].id}", f"/speaker/proposals/{world['b2'].id}/edit",
                f"/speaker/proposals/{world['draft'].id}"):
        assert alice.get(url).status_code == 404
    for url in (f"/speaker/proposals/{world['b2'].id}/withdraw", f"/speaker/proposals/{world['b2'].id}/invite",
                f"/speaker/proposals/{world['b2'].id}/submit"):
        assert alice.post(url, data={"email": "x@example.org"}).status_code == 404
    assert world["b2"].status == "submitted"
    # and the back office is closed to speakers
    assert alice.get(f"/manage/cfp/{world['congress'].slug}/proposals").status_code == 403


def test_a_reviewer_sees_only_assigned_proposals_not_in_conflict(app, world):
    slug = world["congress"].slug
    assert _titles(app, world["reviewer"], slug) == {"Alice spoor 1"}
    assert _titles(app, world["conflicted"], slug) == set()  # track 1 assigned, but a conflict on its one proposal
    reviewer = app.test_client(user=world["reviewer"])
    assert reviewer.get(f"/manage/cfp/{slug}/proposals/{world['b2'].id}").status_code == 404
    assert reviewer.get(f"/manage/cfp/{slug}/proposals/{world['a1'].id}").status_code == 200
    assert reviewer.post(f"/manage/cfp/{slug}/proposals/{world['b2'].id}/review").status_code == 404
    assert app.test_client(user=world["conflicted"]).get(
        f"/manage/cfp/{slug}/proposals/{world['a1'].id}").status_code == 404
    assert reviewer.get(f"/manage/cfp/{slug}/ranking").status_code == 403
    assert reviewer.post(f"/manage/cfp/{slug}/decide", data={"proposal_id": world["a1"].id,
                                                             "decision": "accept"}).status_code == 403
    assert "Bob spoor 2" not in reviewer.get(f"/manage/cfp/{slug}/export.csv").get_data(as_text=True)


def test_a_track_manager_sees_only_their_tracks(app, world):
    slug = world["congress"].slug
    assert _titles(app, world["manager"], slug) == {"Bob spoor 2"}
    manager = app.test_client(user=world["manager"])
    assert manager.get(f"/manage/cfp/{slug}/proposals/{world['a1'].id}").status_code == 404
    ranking = manager.get(f"/manage/cfp/{slug}/ranking").get_data(as_text=True)
    assert "Bob spoor 2" in ranking and "Alice spoor 1" not in ranking
    # assigning a reviewer to another track is refused, to their own track allowed
    t1, t2 = world["congress"].tracks
    assert manager.post(f"/manage/cfp/{slug}/assignments",
                        data={"reviewer_id": world["reviewer"].id, "target": f"t{t1.id}"}).status_code in (200, 403)
    assert not any(a.track_id == t1.id and a.reviewer_id == world["reviewer"].id
                   for a in services.assignments(world["congress"], world["organiser"]))
    assert manager.post(f"/manage/cfp/{slug}/assignments",
                        data={"reviewer_id": world["reviewer"].id, "target": f"t{t2.id}"}).status_code == 302
    assert "Bob spoor 2" in {p.title for p in services.visible_proposals(world["congress"], world["reviewer"])}
    with pytest.raises(PermissionError):
        services.assign_reviewer(world["congress"], world["manager"], world["reviewer"], track_id=t1.id)
    assert manager.get(f"/manage/cfp/{slug}/settings").status_code == 403


def test_an_organiser_sees_every_submitted_proposal_but_no_drafts(app, world):
    slug = world["congress"].slug
    assert _titles(app, world["organiser"], slug) == {"Alice spoor 1", "Bob spoor 2"}
    organiser = app.test_client(user=world["organiser"])
    html = organiser.get(f"/manage/cfp/{slug}/proposals/{world['a1'].id}").get_data(as_text=True)
    assert "Alice" in html and "Gemeente Testdorp" in html
    assert organiser.get(f"/manage/cfp/{slug}/proposals/{world['draft'].id}").status_code == 404
