"""Who may edit what in the programme. The rules themselves live in ``congress.accounts.permissions``;
these name them in the programme's terms (a session, an edition's tracks)."""

from __future__ import annotations

from congress.accounts.models import Role, User
from congress.accounts.permissions import (
    can_manage_edition,
    can_manage_track,
    managed_track_ids,
    manages_everything,
)
from congress.core.models import Congress, Track
from congress.programme.models import ProgrammeSession

__all__ = ["can_edit_session", "can_manage_congress", "editable_tracks", "manages_everything"]


def can_edit_session(user: User, session: ProgrammeSession) -> bool:
    return can_manage_track(user, session.track_id)


def editable_tracks(user: User, congress: Congress) -> list[Track]:
    if manages_everything(user):
        return list(congress.tracks)
    mine = managed_track_ids(user)
    return [t for t in congress.tracks if t.id in mine]


def can_manage_congress(user: User, congress: Congress) -> bool:
    """Organisers of the edition; track managers in editions where they manage a track."""
    return can_manage_edition(user, congress, Role.ORGANISER.value) or bool(
        managed_track_ids(user) & {t.id for t in congress.tracks})
