"""Who may do what: the permission rules, written once (pretalx keeps them in ``rules.py``).

Roles come from :class:`~congress.accounts.models.RoleGrant`, each for one edition or (without one)
for every edition; admins hold every role everywhere. Views guard themselves with ``roles_required``
(which role may open a page at all; for a page of one edition, held in that edition) and ask these
rules about the one object in hand. A track manager manages the sessions and proposals of their own
tracks only.

Inside a request about one edition the guard scopes the user to it (``User.scope_to``), so the rules
below, and ``User.has_role``, answer for that edition only: an organiser of one edition who manages a
track in another is a track manager there, not an organiser.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, TypeVar

from congress.accounts.models import Role, TokenScope, User

# The roles a person holds per edition (speakers are not staff: their role holds everywhere).
EDITION_ROLES = (Role.ORGANISER.value, Role.TRACK_MANAGER.value, Role.REVIEWER.value, Role.CHECKIN.value)
BACK_OFFICE_ROLES = EDITION_ROLES


class HasId(Protocol):
    id: int


E = TypeVar("E", bound=HasId)


def _edition_id(congress: HasId | int | None) -> int | None:
    return congress if congress is None or isinstance(congress, int) else congress.id


def manages_everything(user: User) -> bool:
    """Organisers and admins: every track (of the edition the request is about)."""
    return bool(user.is_authenticated) and user.has_role(Role.ORGANISER.value)


def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_admin


def can_manage_edition(user: Any, congress: HasId | int, role: str | Iterable[str] = Role.ORGANISER.value) -> bool:
    """Whether ``user`` holds ``role`` (or one of several) for this edition; admins always."""
    if not getattr(user, "is_authenticated", False):
        return False
    roles = (role,) if isinstance(role, str) else tuple(role)
    return user.has_role_in(_edition_id(congress), *roles)


def edition_ids(user: Any, *roles: str) -> set[int] | None:
    """The editions in which ``user`` holds one of ``roles`` (all back-office roles by default);
    ``None`` for every edition (admins, grants without an edition)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return user.edition_ids(*(roles or BACK_OFFICE_ROLES))


def my_editions(user: Any, congresses: Iterable[E], *roles: str) -> list[E]:
    """Of these editions, those in which ``user`` holds one of ``roles`` (any back-office role by
    default): what lists of editions in the back office show."""
    mine = edition_ids(user, *roles)
    return [c for c in congresses if mine is None or c.id in mine]


def managed_track_ids(user: User) -> set[int]:
    """The tracks this user manages as a track manager (empty for everybody else)."""
    if not user.is_authenticated or not user.has_role(Role.TRACK_MANAGER.value):
        return set()
    return user.managed_track_ids()


def can_manage_track(user: User, track_id: int | None) -> bool:
    """Organisers manage every track; a track manager only their own (and nothing outside a track)."""
    if manages_everything(user):
        return True
    return track_id is not None and track_id in managed_track_ids(user)


def can_manage_any_track(user: User, track_ids: set[int] | list[int]) -> bool:
    """Whether the user manages at least one of these tracks (an edition's, say)."""
    return manages_everything(user) or bool(managed_track_ids(user) & set(track_ids))


# --- staff management ----------------------------------------------------------------------------


def staff_editions(user: Any) -> set[int] | None:
    """The editions whose staff ``user`` manages: an organiser's (``None``: every edition)."""
    return edition_ids(user, Role.ORGANISER.value)


def can_grant(actor: Any, role: str, congress_id: int | None) -> bool:
    """Only admins make admins (and grant roles for every edition at once); an organiser grants the
    roles of staff (not admin) in the editions they organise, one edition per grant."""
    if is_admin(actor):
        return True
    if role == Role.ADMIN.value or role == Role.SPEAKER.value:
        return False
    mine = staff_editions(actor)
    if congress_id is None:
        return mine is None
    return mine is None or congress_id in mine


def can_change_account(actor: Any, user: User) -> bool:
    """Deactivating or reactivating an account ends or restores every role it holds, in every
    edition: an organiser may do it only for staff whose every grant lies within their editions (never
    an admin); admins for everybody."""
    if is_admin(actor):
        return True
    if user.is_admin:
        return False
    mine = staff_editions(actor)
    if mine is None:
        return True
    return all(g.congress_id is not None and g.congress_id in mine for g in user.grants
               if g.role != Role.SPEAKER.value) and any(g.role != Role.SPEAKER.value for g in user.grants)


def can_see_staff(actor: Any, user: Any) -> bool:
    """An organiser of some editions sees the staff holding a role in one of them; admins and
    organisers of every edition see everybody."""
    mine = staff_editions(actor)
    return mine is None or any(g.congress_id in mine for g in user.grants)


# --- API tokens ----------------------------------------------------------------------------------

# Tokens hold for every edition (a scanner's or a partner's), so only those who hold a role in every
# edition make them: admins any scope; organisers of every edition the scopes an edition runs on
# (check-in scanners, read-only feeds). ``registrations`` writes personal data through the API for a
# partner's system: an administrator's decision.
ORGANISER_TOKEN_SCOPES = frozenset({TokenScope.CHECKIN.value, TokenScope.READ.value})
ALL_TOKEN_SCOPES = frozenset(scope.value for scope in TokenScope)


def token_scopes(user: Any) -> frozenset[str]:
    """The scopes of API tokens ``user`` may create and revoke."""
    if is_admin(user):
        return ALL_TOKEN_SCOPES
    if getattr(user, "is_authenticated", False) and staff_editions(user) is None:
        return ORGANISER_TOKEN_SCOPES
    return frozenset()
