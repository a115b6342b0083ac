"""The programme capability's face: its commands and reads, as other capabilities, views and tests use them.

The rules live in modules split along the old sections of this file:

* ``reading``: the published programme, its filters, days and times (and the seats left);
* ``grid``: the day grid of 15-minute rows × rooms;
* ``rights``: who may edit what (the rules themselves are in ``congress.accounts.permissions``);
* ``editing``: sessions and speakers; ``setup``: tracks, rooms and sign-up rounds;
* ``speakers``: a speaker's profile and photo as the organisers edit it (``visits``: "new since
  your last visit" on the programme page);
* ``conflicts``: what refuses publishing, and what only warns;
* ``publishing``: numbered versions with a changelog, ``programme.signals.sessions_changed``;
* ``errors``: ``ProgrammeError`` (422) and ``NotAllowed`` (403).

Plain functions over values: no ``request`` here. Reads other capabilities use are also in
``programme.queries``.
"""

from __future__ import annotations

from congress.programme.conflicts import (
    SEVERITY,
    Conflict,
    ConflictKind,
    Severity,
    conflicts_by_session,
    find_conflicts,
)
from congress.programme.editing import (
    SessionData,
    add_speaker,
    all_people,
    clean_stream_url,
    delete_session,
    move_session,
    save_session,
)
from congress.programme.errors import NotAllowed, ProgrammeError
from congress.programme.grid import SLOT, GridCell, GridRow, day_grid
from congress.programme.publishing import (
    ChangeKind,
    MailPreview,
    NothingToPublish,
    PublishRefused,
    change_label,
    mail_preview,
    pending_changes,
    publish,
    snapshot_of,
)
from congress.programme.reading import (
    LANGUAGES,
    BadFilter,
    ProgrammeFilter,
    PublishedSession,
    all_sessions,
    congress_days,
    filtered_sessions,
    group_by_day,
    latest_version,
    local_datetime,
    local_day,
    parse_filter,
    public_sessions,
    seats_left,
    sessions_of_speaker,
    speakers_of,
    versions,
    zone,
)
from congress.programme.rights import can_edit_session, can_manage_congress, editable_tracks, manages_everything
from congress.programme.setup import (
    managers_by_track,
    name_taken,
    save_room,
    save_signup_round,
    save_track,
    signup_rounds,
    track_manager_candidates,
    track_manager_ids,
)
from congress.programme.speakers import (
    SpeakerData,
    SpeakerRefused,
    speaker_of_edition,
    speakers_of_edition,
    update_speaker,
)

__all__ = [
    "BadFilter", "ChangeKind", "Conflict", "ConflictKind", "GridCell", "GridRow", "LANGUAGES", "NotAllowed",
    "ProgrammeError", "ProgrammeFilter", "PublishRefused", "PublishedSession", "SEVERITY", "SLOT", "SessionData",
    "Severity", "add_speaker", "all_people", "all_sessions", "can_edit_session", "can_manage_congress",
    "clean_stream_url",
    "change_label", "conflicts_by_session", "congress_days", "day_grid", "delete_session", "editable_tracks",
    "filtered_sessions", "find_conflicts", "group_by_day", "latest_version", "local_datetime", "local_day",
    "managers_by_track", "manages_everything", "move_session", "name_taken", "parse_filter", "pending_changes",
    "public_sessions", "publish", "save_room", "save_session", "save_signup_round", "save_track", "seats_left",
    "sessions_of_speaker", "signup_rounds", "snapshot_of", "speakers_of", "track_manager_candidates",
    "track_manager_ids", "versions", "zone",
    "MailPreview", "NothingToPublish", "mail_preview",
    "SpeakerData", "SpeakerRefused", "speaker_of_edition", "speakers_of_edition", "update_speaker",
]
