"""Cloning an edition, the call for proposals' part: the call's settings (window moved by the shift,
limits, texts, anonymised review), the tracks open for proposals, the formats with their durations and
the review criteria with their weights. The call's questions are the questions component's (it copies them).

Proposals, speakers, invitations, reviewers' assignments, conflicts of interest, reviews and slides are
never copied.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from congress.cfp.models import CfpFormat, CfpSettings, CfpTrack, ReviewCriterion
from congress.core.cloning import copy_columns, shift_moment
from congress.core.models import Congress
from congress.extensions import db

WINDOW = ("opens_at", "closes_at")


def copy_call(source: Congress, target: Congress, *, shift: timedelta, track_ids: Mapping[int, int]) -> dict[str, int]:
    copied = {"cfp_settings": 0}
    settings = db.session.scalar(sa.select(CfpSettings).where(CfpSettings.congress_id == source.id))
    if settings is not None:
        db.session.add(CfpSettings(congress_id=target.id, **copy_columns(settings, skip=WINDOW),
                                   **{name: shift_moment(getattr(settings, name), shift, source.timezone)
                                      for name in WINDOW}))
        copied["cfp_settings"] = 1
    open_tracks = db.session.scalars(sa.select(CfpTrack.track_id).where(CfpTrack.congress_id == source.id)).all()
    tracks = [track_ids[old] for old in open_tracks if old in track_ids]
    db.session.add_all(CfpTrack(congress_id=target.id, track_id=new) for new in tracks)
    copied["cfp_tracks"] = len(tracks)
    for model, kind in ((CfpFormat, "cfp_formats"), (ReviewCriterion, "cfp_criteria")):
        rows = db.session.scalars(sa.select(model).where(model.congress_id == source.id)
                                  .order_by(model.position, model.id)).all()
        db.session.add_all(model(congress_id=target.id, **copy_columns(row)) for row in rows)
        copied[kind] = len(rows)
    db.session.flush()
    return copied


def on_congress_cloned(source: Congress, *, target: Congress, shift: timedelta, track_ids: Mapping[int, int],
                       **_: Any) -> dict[str, int]:
    return copy_call(source, target, shift=shift, track_ids=track_ids)
