"""Evaluations: an edition's settings and the answers, stored apart from the registrations.

An answer carries no registration id, no time and no session-independent trace of its author: only
``mark``, a keyed one-way HMAC of (registration, what is evaluated) with the application's secret. The
same person evaluating the same session again finds their own answer through the mark (and edits it);
a second answer is refused by the mark's unique index; nobody can go from a mark back to a person
without the secret and every registration id.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from congress.extensions import db

DEFAULT_CLOSE_DAYS = 14


class EvaluationSettings(db.Model):
    """Per edition: how many days after its end (a session's end, the congress's last day) answers are
    taken and can be changed."""

    __tablename__ = "evaluation_settings"

    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), primary_key=True)
    close_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_CLOSE_DAYS)

    __table_args__ = (CheckConstraint("close_days >= 0 AND close_days <= 365", name="close_days_range"),)


class EvaluationResponse(db.Model):
    """One person's answers about one session (``session_id``) or the whole congress (NULL)."""

    __tablename__ = "evaluation_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("programme_sessions.id", ondelete="CASCADE"),
                                                   index=True)
    mark: Mapped[str] = mapped_column(String(64), unique=True)
    # Keyed by question id as text, like every form that asks the questions component's questions.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
