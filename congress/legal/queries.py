"""Reads of the legal capability: an edition's privacy statement and retention period."""

from __future__ import annotations

import calendar
from datetime import date

import sqlalchemy as sa
from flask_babel import force_locale

from congress.core.models import Congress
from congress.extensions import db
from congress.i18n import format_day
from congress.legal import texts
from congress.legal.models import DEFAULT_RETENTION_MONTHS, LegalSettings


def settings_of(congress: Congress) -> LegalSettings | None:
    return db.session.scalar(sa.select(LegalSettings).where(LegalSettings.congress_id == congress.id))


def retention_months(congress: Congress) -> int:
    settings = settings_of(congress)
    return settings.retention_months if settings is not None else DEFAULT_RETENTION_MONTHS


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def retention_due_on(congress: Congress, months: int | None = None) -> date:
    """The first day on which the edition's personal data is due to be anonymised."""
    return add_months(congress.ends_on, retention_months(congress) if months is None else months)


def retention_overview(congresses: list[Congress]) -> dict[int, tuple[int, date]]:
    """Per edition id: its retention period and due date, in one query."""
    months = dict(db.session.execute(
        sa.select(LegalSettings.congress_id, LegalSettings.retention_months)
        .where(LegalSettings.congress_id.in_([c.id for c in congresses]))
    ).all()) if congresses else {}
    return {c.id: (m := months.get(c.id, DEFAULT_RETENTION_MONTHS), add_months(c.ends_on, m)) for c in congresses}


def default_privacy(congress: Congress, locale: str, months: int | None = None) -> str:
    """The default statement of the edition, in Markdown (what an organiser starts from)."""
    months = retention_months(congress) if months is None else months
    with force_locale(locale):
        due_text = format_day(retention_due_on(congress, months), fmt="long")
    return texts.default_privacy(congress, locale, months, due_text)


def privacy_markdown(congress: Congress, locale: str) -> str:
    """The statement shown on ``/<slug>/privacy``: the organiser's text in this language, else the
    default (made from the same register, so both languages say the same)."""
    settings = settings_of(congress)
    own = "" if settings is None else settings.privacy_en if locale == "en" else settings.privacy_nl
    return own if own.strip() else default_privacy(congress, locale)
