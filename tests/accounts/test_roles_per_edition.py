"""Roles per edition: the model, the permission rules and the staff services, without HTTP."""

from __future__ import annotations

import threading
from datetime import timedelta

import flask
import pytest
import sqlalchemy as sa

from congress.accounts import permissions, services
from congress.accounts.models import Role, RoleGrant, User
from congress.audit.models import AuditEvent
from congress.errors import Conflict, InvalidInput, NotPermitted
from congress.extensions import db
from tests.factories import make_congress, make_user


@pytest.fixture
def two(app):
    return make_congress("editie-a"), make_congress("editie-b")


def staff(role: str, *congresses, tracks=()) -> User:
    user = services.create_user(f"{role}-{len(congresses)}-{id(congresses)}@example.org", roles=(role,),
                                congress_ids=tuple(c.id for c in congresses), track_ids=tuple(t.id for t in tracks))
    db.session.commit()
    return user


def test_a_grant_for_one_edition_holds_there_only(two):
    a, b = two
    checkin = staff(Role.CHECKIN.value, a)
    assert checkin.has_role_in(a.id, Role.CHECKIN.value)
    assert not checkin.has_role_in(b.id, Role.CHECKIN.value)
    assert not checkin.has_role_in(a.id, Role.ORGANISER.value)
    assert checkin.edition_ids(Role.CHECKIN.value) == {a.id}
    assert checkin.has_role(Role.CHECKIN.value)  # may open the back office at all
    assert permissions.can_manage_edition(checkin, a, Role.CHECKIN.value)
    assert not permissions.can_manage_edition(checkin, b, Role.CHECKIN.value)
    assert permissions.my_editions(checkin, [a, b]) == [a]


def test_a_grant_without_an_edition_and_admins_hold_everywhere(two):
    a, b = two
    everywhere = make_user(Role.ORGANISER.value)
    admin = make_user(Role.ADMIN.value)
    for user in (everywhere, admin):
        assert user.has_role_in(a.id, Role.ORGANISER.value) and user.has_role_in(b.id, Role.ORGANISER.value)
        assert user.edition_ids(Role.ORGANISER.value) is None
        assert permissions.my_editions(user, [a, b]) == [a, b]
    assert admin.has_role_in(b.id, Role.CHECKIN.value)
    assert not everywhere.has_role_in(b.id, Role.CHECKIN.value)


def test_a_track_managers_grant_carries_the_tracks_edition(two):
    a, b = two
    manager = staff(Role.TRACK_MANAGER.value, tracks=[a.tracks[1]])
    (grant,) = manager.grants
    assert (grant.congress_id, grant.track_id) == (a.id, a.tracks[1].id)
    assert manager.has_role_in(a.id, Role.TRACK_MANAGER.value)
    assert not manager.has_role_in(b.id, Role.TRACK_MANAGER.value)
    assert permissions.can_manage_track(manager, a.tracks[1].id)
    assert not permissions.can_manage_track(manager, a.tracks[0].id)


def test_scoped_to_an_edition_an_organiser_elsewhere_is_no_organiser_here(two):
    a, b = two
    user = staff(Role.ORGANISER.value, a)
    services.grant_role(user, Role.TRACK_MANAGER.value, track_ids=(b.tracks[0].id,))
    db.session.commit()
    assert permissions.manages_everything(user)  # unscoped: an organiser somewhere
    user.scope_to(b.id)
    assert not permissions.manages_everything(user)
    assert permissions.can_manage_track(user, b.tracks[0].id)
    assert not permissions.can_manage_track(user, b.tracks[1].id)
    assert user.roles == {Role.TRACK_MANAGER.value}
    user.scope_to(a.id)
    assert permissions.manages_everything(user) and user.roles == {Role.ORGANISER.value}


def test_organiser_of_one_edition_gives_roles_there_only(two):
    a, b = two
    organiser = staff(Role.ORGANISER.value, a)
    person = make_user()
    added = services.add_roles(organiser, person, Role.REVIEWER.value, congress_ids=(a.id,))
    assert [(g.role, g.congress_id) for g in added] == [(Role.REVIEWER.value, a.id)]
    with pytest.raises(NotPermitted) as refused:
        services.add_roles(organiser, person, Role.CHECKIN.value, congress_ids=(b.id,))
    assert refused.value.field == "editions"
    with pytest.raises(NotPermitted):  # no edition means every edition
        services.add_roles(organiser, person, Role.CHECKIN.value)
    with pytest.raises(NotPermitted):
        services.add_roles(organiser, person, Role.ADMIN.value)
    with pytest.raises(NotPermitted):
        services.add_roles(organiser, person, Role.TRACK_MANAGER.value, track_ids=(b.tracks[0].id,))
    with pytest.raises(InvalidInput):
        services.add_roles(organiser, person, Role.TRACK_MANAGER.value)  # which tracks?
    with pytest.raises(InvalidInput):
        services.add_roles(organiser, person, "emperor", congress_ids=(a.id,))
    with pytest.raises(InvalidInput):
        services.add_roles(organiser, person, Role.CHECKIN.value, congress_ids=(a.id, 2**40))
    db.session.rollback()
    assert {(g.role, g.congress_id) for g in db.session.get(User, person.id).grants} == {(Role.REVIEWER.value, a.id)}
    # Giving a role held already adds nothing.
    assert services.add_roles(organiser, person, Role.REVIEWER.value, congress_ids=(a.id,)) == []


def test_admins_make_admins_and_grant_for_every_edition(two):
    admin = make_user(Role.ADMIN.value)
    person = make_user()
    services.add_roles(admin, person, Role.ADMIN.value)
    services.add_roles(admin, person, Role.CHECKIN.value)
    assert {(g.role, g.congress_id) for g in person.grants} == {(Role.ADMIN.value, None), (Role.CHECKIN.value, None)}


def test_revoking_within_ones_editions_and_never_the_last_admin(two):
    a, b = two
    organiser = staff(Role.ORGANISER.value, a)
    person = make_user()
    services.grant_role(person, Role.CHECKIN.value, congress_ids=(a.id, b.id))
    db.session.commit()
    grant_a, grant_b = sorted(person.grants, key=lambda g: g.congress_id == b.id)
    services.revoke_grant(organiser, person, grant_a.id)
    with pytest.raises(NotPermitted):
        services.revoke_grant(organiser, person, grant_b.id)
    with pytest.raises(InvalidInput):
        services.revoke_grant(organiser, person, 2**40)
    other = make_user()
    with pytest.raises(InvalidInput):  # a grant of somebody else
        services.revoke_grant(make_user(Role.ADMIN.value), other, grant_b.id)
    db.session.rollback()
    assert [g.congress_id for g in db.session.get(User, person.id).grants] == [b.id]

    admins = db.session.scalars(sa.select(User).join(RoleGrant).where(RoleGrant.role == Role.ADMIN.value)).all()
    for admin in admins:  # the one made just above: the last admin
        (grant,) = [g for g in admin.grants if g.role == Role.ADMIN.value]
        with pytest.raises(Conflict):
            services.revoke_grant(admin, admin, grant.id)


def test_deactivation_rules_and_effects(two):
    a, b = two
    admin = make_user(Role.ADMIN.value)
    organiser = staff(Role.ORGANISER.value, a)
    mine = staff(Role.CHECKIN.value, a)
    both = make_user()
    services.grant_role(both, Role.REVIEWER.value, congress_ids=(a.id, b.id))
    db.session.commit()
    with pytest.raises(Conflict):
        services.set_active(admin, admin, False)  # nobody deactivates themselves
    with pytest.raises(NotPermitted):
        services.set_active(organiser, admin, False)
    with pytest.raises(NotPermitted):
        services.set_active(organiser, both, False)  # also staff of an edition not theirs
    secret = services.issue_account_token(mine, services.PURPOSE_RESET, timedelta(hours=1))
    db.session.commit()
    browser = flask.current_app.test_client(user=mine)
    assert [s.id for s in services.active_sessions(mine)] == [browser.session_id]
    assert browser.get("/manage/").status_code == 200
    services.set_active(organiser, mine, False)
    assert not mine.active
    assert services.active_sessions(mine) == []  # its session ended: signed out at the next request
    answer = browser.get("/manage/")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    assert services.authenticate(mine.email, "correct horse battery staple") is None
    with pytest.raises(services.AccountError):  # an outstanding link cannot reactivate it
        services.redeem_account_token(secret, services.PURPOSE_RESET, "a brand new password")
    with pytest.raises(Conflict):  # nor an invitation
        services.invite_staff(mine.email, "", (Role.CHECKIN.value,), organiser, "nl", congress_ids=(a.id,))
    services.set_active(organiser, mine, True)
    assert services.active_sessions(mine) == []  # reactivated: it signs in again
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_id == str(mine.id))
                                 .order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["user.deactivated", "user.reactivated"]


def test_the_last_active_admin_cannot_be_deactivated(app):
    first, second = make_user(Role.ADMIN.value), make_user(Role.ADMIN.value)
    services.set_active(first, second, False)
    (grant,) = first.grants
    with pytest.raises(Conflict):  # the other admin is deactivated: this is the last active one
        services.revoke_grant(first, first, grant.id)


def test_invitations_give_only_what_the_inviter_may(two, mailbox):
    a, b = two
    organiser = staff(Role.ORGANISER.value, a)
    with pytest.raises(NotPermitted):
        services.invite_staff("x@example.org", "X", (Role.REVIEWER.value,), organiser, "nl")
    with pytest.raises(NotPermitted):
        services.invite_staff("x@example.org", "X", (Role.REVIEWER.value,), organiser, "nl", congress_ids=(b.id,))
    user = services.invite_staff("x@example.org", "X", (Role.REVIEWER.value, Role.CHECKIN.value), organiser, "nl",
                                 congress_ids=(a.id,))
    assert {(g.role, g.congress_id) for g in user.grants} == {(Role.REVIEWER.value, a.id),
                                                              (Role.CHECKIN.value, a.id)}


def test_token_scopes_per_user(two):
    a, _ = two
    assert permissions.token_scopes(make_user(Role.ADMIN.value)) == {"checkin", "registrations", "read"}
    everywhere = make_user(Role.ORGANISER.value)
    assert permissions.token_scopes(everywhere) == {"checkin", "read"}
    assert permissions.token_scopes(staff(Role.ORGANISER.value, a)) == set()
    with pytest.raises(NotPermitted):
        services.create_api_token("partner", "registrations", created_by=everywhere)
    issued = services.create_api_token("scanner", "checkin", created_by=everywhere)
    assert services.api_token_for(issued.secret, "checkin") is not None


def _race(app, jobs) -> list[str]:
    results: list[str] = []
    barrier = threading.Barrier(len(jobs))

    def run(job) -> None:
        with app.app_context():
            try:
                barrier.wait()
                job()
                results.append("ok")
            except (Conflict, NotPermitted):  # the last admin, or no admin any more to act
                results.append("refused")
            except Exception as exc:  # lock errors must not happen either
                results.append(f"error: {exc!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results)


def test_two_admins_removing_each_other_at_once_leave_one(app):
    first, second = make_user(Role.ADMIN.value), make_user(Role.ADMIN.value)
    ids = [(first.id, second.id, second.grants[0].id), (second.id, first.id, first.grants[0].id)]

    def revoke(actor_id: int, user_id: int, grant_id: int):
        return lambda: services.revoke_grant(db.session.get(User, actor_id), db.session.get(User, user_id), grant_id)

    assert _race(app, [revoke(*args) for args in ids]) == ["ok", "refused"]
    db.session.rollback()  # a fresh snapshot: what the threads committed
    assert db.session.scalar(sa.select(sa.func.count()).where(RoleGrant.role == Role.ADMIN.value)) == 1


def test_deactivating_and_revoking_the_other_admin_at_once_leave_one_active(app):
    first, second = make_user(Role.ADMIN.value), make_user(Role.ADMIN.value)
    grant_id = first.grants[0].id

    def deactivate():
        services.set_active(db.session.get(User, first.id), db.session.get(User, second.id), False)

    def revoke():
        services.revoke_grant(db.session.get(User, second.id), db.session.get(User, first.id), grant_id)

    assert _race(app, [deactivate, revoke]) == ["ok", "refused"]
    db.session.rollback()  # a fresh snapshot: what the threads committed
    active_admins = db.session.scalars(sa.select(User).join(RoleGrant).where(
        RoleGrant.role == Role.ADMIN.value, User.active.is_(True))).all()
    assert len(active_admins) == 1
