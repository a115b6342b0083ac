"""Staff and their roles: granting roles per edition (and per track for track managers), revoking
them, and deactivating and reactivating accounts. Who may do which is asked of
:mod:`congress.accounts.permissions`; every change is audited with the acting user.

Two rules hold whatever the order of concurrent requests: nobody deactivates themselves, and the last
active administrator keeps the role and the account (the administrators' grants are locked while
one is removed, so two administrators removing each other cannot both succeed).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from congress.accounts import permissions, sessions
from congress.accounts.models import Role, RoleGrant, Token, TokenKind, User
from congress.audit.services import record
from congress.database import lock_for_update, transactional, utcnow
from congress.errors import Conflict, InvalidInput, NotPermitted
from congress.extensions import db
from congress.sanitize import MAX_ID

_ACCOUNT_KINDS = (TokenKind.PASSWORD_RESET.value, TokenKind.INVITATION.value, TokenKind.VERIFICATION.value)


def _ids(values: Iterable[Any]) -> list[int]:
    """The values that can be ids of a row (others match nothing, and PostgreSQL refuses to compare them)."""
    return [v for v in values if isinstance(v, int) and 0 < v <= MAX_ID]


def _edition_of_tracks(track_ids: Iterable[int]) -> dict[int, int]:
    """Each track's edition, read from the tracks table by name (core is a sibling of accounts)."""
    ids = _ids(track_ids)
    if not ids:
        return {}
    tracks = db.metadata.tables["tracks"]
    rows = db.session.execute(sa.select(tracks.c.id, tracks.c.congress_id).where(tracks.c.id.in_(ids)))
    return {row.id: row.congress_id for row in rows}


def _edition_exists(congress_ids: Iterable[int]) -> set[int]:
    ids = _ids(congress_ids)
    if not ids:
        return set()
    congresses = db.metadata.tables["congresses"]
    return set(db.session.scalars(sa.select(congresses.c.id).where(congresses.c.id.in_(ids))))


def planned_grants(role: str, *, congress_ids: Iterable[int | None] = (),
                   track_ids: Iterable[int] = ()) -> list[tuple[str, int | None, int | None]]:
    """The grants (role, edition, track) that giving ``role`` for these editions and tracks means.
    A track manager with tracks gets one grant per track, in that track's edition; any other role one
    per edition (no edition: every edition; admins always so)."""
    try:
        role = Role(role).value
    except ValueError:
        raise InvalidInput(_("Unknown role."), field="role") from None
    if role == Role.TRACK_MANAGER.value and track_ids:
        editions = _edition_of_tracks(track_ids)
        if set(track_ids) - set(editions):
            raise InvalidInput(_("Unknown track."), field="tracks")
        return [(role, editions[t], t) for t in sorted(set(track_ids))]
    if role in (Role.ADMIN.value, Role.SPEAKER.value):
        return [(role, None, None)]
    wanted = sorted({c for c in congress_ids if c is not None})
    if not wanted:
        return [(role, None, None)]
    if set(wanted) - _edition_exists(wanted):
        raise InvalidInput(_("Unknown edition."), field="editions")
    return [(role, c, None) for c in wanted]


def grant_role(user: User, role: str, *, track_ids: Iterable[int] = (),
               congress_ids: Iterable[int | None] = ()) -> list[RoleGrant]:
    """Add the grants (without checking who asks: the callers do); those held already are kept. The
    callers that run in a transaction end the user's sessions when a grant was added
    (``sessions.privilege_changed``)."""
    existing = {(g.role, g.congress_id, g.track_id) for g in user.grants}
    added = []
    for role_value, congress_id, track_id in planned_grants(role, congress_ids=congress_ids, track_ids=track_ids):
        if (role_value, congress_id, track_id) not in existing:
            grant = RoleGrant(role=role_value, congress_id=congress_id, track_id=track_id)
            user.grants.append(grant)
            added.append(grant)
    return added


def _check_may_grant(actor: Any, grants: list[tuple[str, int | None, int | None]]) -> None:
    for role, congress_id, _track in grants:
        if not permissions.can_grant(actor, role, congress_id):
            if role == Role.ADMIN.value:
                raise NotPermitted(_("Only administrators can make administrators."), field="role")
            if congress_id is None:
                raise NotPermitted(_("Choose the editions this role is for: you organise only some."),
                                   field="editions")
            raise NotPermitted(_("You can only give roles in the editions you organise."), field="editions")


def check_may_invite(actor: Any, roles: Iterable[str], *, congress_ids: Iterable[int | None] = (),
                     track_ids: Iterable[int] = ()) -> None:
    """Refuses (``NotPermitted``) an invitation with roles ``actor`` may not give."""
    congress_ids = tuple(congress_ids)
    for role in roles:
        _check_may_grant(actor, planned_grants(role, congress_ids=congress_ids, track_ids=track_ids))


@transactional
def add_roles(actor: Any, user: User, role: str, *, congress_ids: Iterable[int | None] = (),
              track_ids: Iterable[int] = ()) -> list[RoleGrant]:
    """Give ``user`` a role for these editions (or tracks): what the staff page's "add a role" does."""
    congress_ids, track_ids = tuple(congress_ids), tuple(track_ids)
    if role == Role.TRACK_MANAGER.value and not track_ids:
        raise InvalidInput(_("Choose the tracks this track manager manages."), field="tracks")
    _check_may_grant(actor, planned_grants(role, congress_ids=congress_ids, track_ids=track_ids))
    added = grant_role(user, role, congress_ids=congress_ids, track_ids=track_ids)
    db.session.flush()
    if added:  # a change of privilege: the sessions begun with the old roles end
        sessions.privilege_changed(user)
    for grant in added:
        record("user.role_granted", user, congress_id=grant.congress_id, role=grant.role,
               edition_id=grant.congress_id, track_id=grant.track_id)
    return added


def _active_admin_grants() -> list[RoleGrant]:
    """The admin grants of active accounts, locked (PostgreSQL) until the transaction ends."""
    query = (sa.select(RoleGrant).join(User, User.id == RoleGrant.user_id)
             .where(RoleGrant.role == Role.ADMIN.value).order_by(RoleGrant.id))
    locked = list(db.session.scalars(lock_for_update(query)))
    # Read again after the lock: a transaction that held it may have changed who is active.
    return [g for g in locked if db.session.scalar(sa.select(User.active).where(User.id == g.user_id))]


def _refuse_last_admin(user: User, *, grant: RoleGrant | None = None) -> None:
    admins = _active_admin_grants()
    remaining = [g for g in admins if g.user_id != user.id] if grant is None else [
        g for g in admins if g.id != grant.id]
    if not {g.user_id for g in remaining}:
        raise Conflict(_("This is the last administrator: make someone else administrator first."),
                       code="last_admin", field="role")


def is_last_admin(user: User, grant: RoleGrant) -> bool:
    """Whether taking ``grant`` (an administrator's) from ``user`` would leave no active administrator."""
    try:
        _refuse_last_admin(user, grant=grant)
    except Conflict:
        return True
    return False


@transactional
def revoke_grant(actor: Any, user: User, grant_id: int) -> RoleGrant:
    """Take one grant away from ``user``."""
    grant = db.session.get(RoleGrant, grant_id) if _ids([grant_id]) else None
    if grant is None or grant.user_id != user.id:
        raise InvalidInput(_("This role no longer exists. Reload the page."), field="grant")
    if not permissions.can_grant(actor, grant.role, grant.congress_id):
        raise NotPermitted(_("You can only change roles in the editions you organise."), field="grant")
    if grant.role == Role.ADMIN.value:
        _refuse_last_admin(user, grant=grant)
    record("user.role_revoked", user, congress_id=grant.congress_id, role=grant.role,
           edition_id=grant.congress_id, track_id=grant.track_id)
    user.grants.remove(grant)
    db.session.flush()
    sessions.privilege_changed(user)
    return grant


@transactional
def set_active(actor: Any, user: User, active: bool) -> User:
    """Deactivate (signed out at the next request; every e-mail link of the account ends with it, so
    none can reactivate it) or reactivate an account."""
    if not permissions.can_change_account(actor, user):
        raise NotPermitted(_("You can only change the accounts of staff within your editions."), field="active")
    if user.active == active:
        return user
    if not active:
        if getattr(actor, "id", None) == user.id:
            raise Conflict(_("You cannot deactivate your own account."), code="self", field="active")
        if user.is_admin:
            _refuse_last_admin(user)
        db.session.execute(
            sa.update(Token)
            .where(Token.kind.in_(_ACCOUNT_KINDS), Token.user_id == user.id, Token.used_at.is_(None))
            .values(used_at=utcnow())
            .execution_options(synchronize_session="fetch")
        )
        sessions.end_sessions(user, except_current=False, reason=sessions.REASON_DEACTIVATED)
    user.active = active
    record("user.reactivated" if active else "user.deactivated", user)
    return user


def staff_query(actor: Any) -> sa.Select:
    """The accounts ``actor`` sees on the staff page: everybody for admins and organisers of every
    edition; for an organiser of some editions, the staff holding a role in one of them."""
    query = sa.select(User).order_by(User.name, User.id)
    mine = permissions.staff_editions(actor)
    if mine is None:
        return query
    grants = sa.select(RoleGrant.user_id).where(RoleGrant.congress_id.in_(mine or {-1}))
    return query.where(User.id.in_(grants))

