"""Reading the audit log: the filtered list, who appears in it, and the objects named for people.

Objects are named by the capabilities that own them, asked through
:data:`congress.audit.signals.objects_described` once per kind on a page (never once per row).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from congress.audit.details import line as detail_line  # noqa: F401 - the face of the renderer
from congress.audit.details import readable
from congress.audit.labels import (
    ACTIONS,
    KINDS,
    action_label,
    field_label,  # noqa: F401
    kind_label,
)
from congress.audit.models import AuditEvent
from congress.audit.signals import objects_described
from congress.extensions import db
from congress.i18n import pick

SYSTEM = "system"
ZONE = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class AuditFilters:
    """What the organiser asked for; each ``None`` means "all". Dates are days in Europe/Amsterdam,
    both included."""

    actor: str | None = None  # a user's id as text, or an actor label such as "system"
    action: str | None = None
    kind: str | None = None
    object_id: int | None = None  # with ``kind``: one object's history (``?kind=Registration&object=42``)
    congress_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments (for the pager and the CSV link)."""
        values = {"actor": self.actor, "action": self.action, "kind": self.kind, "object": self.object_id,
                  "edition": self.congress_id, "date_from": self.date_from, "date_to": self.date_to}
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, ZONE)


def events_query(filters: AuditFilters) -> sa.Select:
    query = sa.select(AuditEvent)
    if filters.actor:
        if filters.actor.isdigit():
            query = query.where(AuditEvent.actor_user_id == int(filters.actor))
        else:
            query = query.where(AuditEvent.actor_user_id.is_(None), AuditEvent.actor_label == filters.actor)
    if filters.action:
        if filters.action.endswith("."):
            query = query.where(AuditEvent.action.startswith(filters.action, autoescape=True))
        else:
            query = query.where(AuditEvent.action == filters.action)
    if filters.kind:
        query = query.where(AuditEvent.object_type == filters.kind)
        if filters.object_id is not None:
            query = query.where(AuditEvent.object_id == str(filters.object_id))
    if filters.congress_id is not None:
        query = query.where(AuditEvent.congress_id == filters.congress_id)
    if filters.date_from is not None:
        query = query.where(AuditEvent.occurred_at >= _start_of(filters.date_from))
    if filters.date_to is not None:
        query = query.where(AuditEvent.occurred_at < _start_of(filters.date_to + timedelta(days=1)))
    return query.order_by(AuditEvent.id.desc())


def actors() -> list[tuple[str, str]]:
    """Everyone who appears in the log, as (filter value, label): users by id (their latest label),
    the others (system, cli, a station) by label."""
    users = db.session.execute(
        sa.select(AuditEvent.actor_user_id, sa.func.max(AuditEvent.actor_label))
        .where(AuditEvent.actor_user_id.is_not(None)).group_by(AuditEvent.actor_user_id)
    ).all()
    others = db.session.scalars(
        sa.select(AuditEvent.actor_label).where(AuditEvent.actor_user_id.is_(None)).distinct()
    ).all()
    choices = [(str(uid), label) for uid, label in users] + [(label, label) for label in others if label]
    return sorted(choices, key=lambda c: c[1].lower())


def recorded_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).distinct()))


def recorded_kinds() -> list[str]:
    return [k for k in db.session.scalars(sa.select(AuditEvent.object_type).distinct()) if k]


def describe_objects(refs: Iterable[tuple[str, str]], locale: str) -> dict[tuple[str, str], tuple[str, str | None]]:
    """``{(kind, id): (label, url)}`` for the objects the owning capabilities still know, one
    question per kind; what they no longer know is absent (see :func:`object_fallback`)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, object_id in refs:
        if kind and object_id.isdigit() and len(object_id) <= 18:
            wanted[kind].add(int(object_id))
    named: dict[tuple[str, str], tuple[str, str | None]] = {}
    for kind, ids in wanted.items():
        for _receiver, answer in objects_described.send(kind, ids=sorted(ids), locale=locale):
            for object_id, (label, url) in (answer or {}).items():
                named[(kind, str(object_id))] = (label, url)
    return named


def object_fallback(kind: str, object_id: str, locale: str) -> str:
    """How an object the log cannot name any more is shown: its kind and number, and why."""
    return pick(f"{kind_label(kind, locale)} {object_id} (verwijderd of geanonimiseerd)",
                f"{kind_label(kind, locale)} {object_id} (deleted or anonymised)", locale)


@dataclass(frozen=True)
class EventRow:
    """One event as the organiser reads it."""

    event: AuditEvent
    action: str
    actor: str
    kind: str
    object_label: str
    object_url: str | None
    details: list[tuple[str, str]]


def actor_text(event: AuditEvent, locale: str) -> str:
    if event.actor_label == SYSTEM and event.actor_user_id is None:
        return pick("systeem", "system", locale)
    return event.actor_label or pick("onbekend", "unknown", locale)


def rows(events: Sequence[AuditEvent], locale: str) -> list[EventRow]:
    named = describe_objects(((e.object_type, e.object_id) for e in events), locale)
    result = []
    for e in events:
        label, url = "", None
        if e.object_type:
            fallback = (object_fallback(e.object_type, e.object_id, locale) if e.object_id
                        else kind_label(e.object_type, locale))
            label, url = named.get((e.object_type, e.object_id)) or (fallback, None)
        result.append(EventRow(e, action_label(e.action, locale), actor_text(e, locale),
                               kind_label(e.object_type, locale) if e.object_type else "", label, url,
                               readable(_data(e), locale, skip_empty=True)))
    return result


def _data(event: AuditEvent) -> dict[str, Any]:
    return event.data if isinstance(event.data, dict) else {}


def name_objects(model: Any, ids: Sequence[int], label: Any, url: Any = None) -> dict[int, tuple[str, str | None]]:
    """The answer to :data:`~congress.audit.signals.objects_described` for ``model``, from one query:
    ``{id: (label(row), url(row))}`` (receivers of the capabilities use it)."""
    found = db.session.scalars(sa.select(model).where(model.id.in_(list(ids)[:1000]))).all()
    return {row.id: (label(row), url(row) if url is not None else None) for row in found}


def actor_text_for(label: str, locale: str) -> str:
    return pick("systeem", "system", locale) if label == SYSTEM else label


# action groups offered in the filter besides single actions: (prefix, Dutch, English)
GROUPS = (
    ("export.", "Alle exports van persoonsgegevens", "All exports of personal data"),
    ("registration.", "Alles over aanmeldingen", "Everything about registrations"),
    ("programme.", "Alles over het programma", "Everything about the programme"),
    ("cfp.", "Alles over de oproep", "Everything about the call for proposals"),
    ("checkin.", "Alles over check-in", "Everything about check-in"),
    ("archive.", "Alles over de kennisbank", "Everything about the knowledge base"),
    ("user.", "Alles over accounts", "Everything about accounts"),
    ("mail.", "Alles over e-mail", "Everything about e-mail"),
)


def action_choices(locale: str) -> list[tuple[str, str]]:
    """The action filter's options: the groups, then every labelled action and any other code that
    was recorded, by label."""
    codes = set(ACTIONS) | set(recorded_actions())
    singles = sorted(((c, action_label(c, locale)) for c in codes), key=lambda c: c[1].lower())
    return [(p, pick(nl, en, locale)) for p, nl, en in GROUPS] + singles


def kind_choices(locale: str) -> list[tuple[str, str]]:
    kinds = set(KINDS) | set(recorded_kinds())
    return sorted(((k, kind_label(k, locale)) for k in kinds), key=lambda c: c[1].lower())


CSV_LIMIT = 100_000


def csv_rows(filters: AuditFilters, locale: str) -> tuple[list[str], list[list[Any]]]:
    """The filtered log as a table, in the reader's language (at most ``CSV_LIMIT`` rows)."""
    header = [pick(nl, en, locale) for nl, en in (
        ("Tijdstip", "Time"), ("Wie", "Who"), ("Actie", "Action"), ("Actiecode", "Action code"),
        ("Soort object", "Kind of object"), ("Object", "Object"), ("Objectnummer", "Object number"),
        ("Details", "Details"))]
    table: list[list[Any]] = []
    query = events_query(filters).limit(CSV_LIMIT)
    for chunk_start in range(0, CSV_LIMIT, 500):
        events = db.session.scalars(query.offset(chunk_start).limit(500)).all()
        for row in rows(events, locale):
            e = row.event
            table.append([e.occurred_at.astimezone(ZONE).replace(tzinfo=None, microsecond=0), row.actor, row.action,
                          e.action, row.kind, row.object_label, e.object_id,
                          "; ".join(f"{k}: {v}" for k, v in row.details)])
        if len(events) < 500:
            break
    return header, table
