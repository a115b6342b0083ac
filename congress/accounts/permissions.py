"""Who may do what: the permission rules, written once (pretalx keeps them in ``rules.py``).

Roles come from :class:`~congress.accounts.models.RoleGrant`. Organisers (and admins) manage every
edition; a track manager manages the sessions and proposals of their own tracks only. Views
guard themselves with ``roles_required`` (which role may open a page at all) and ask these rules
about the one object in hand.
"""

from __future__ import annotations

from congress.accounts.models import Role, User


def manages_everything(user: User) -> bool:
    """Organisers and admins: every edition, every track."""
    return bool(user.is_authenticated) and user.has_role(Role.ORGANISER.value)


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
