"""The public catalogue of interventions (/kennisbank/interventies): the published intervention items,
filtered by recognition level, track, protective factor, target group and setting, with the count
of every value of each filter.

Within one filter the values are alternatives (OR), filters combine (AND); the counts of a filter's
values are taken with the other filters applied and its own left out, so the alternatives stay
visible, as in the search. Interventions are a few hundred at most: the reads go to the item and
term tables directly (indexed on status and type, and on the terms' kind and value).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from congress.archive.labels import EVIDENCE_RANKS
from congress.archive.models import ItemStatus, ItemType, KnowledgeItem, KnowledgeTerm, TermKind
from congress.extensions import db

FILTERS = ("level", "track", "factor", "target_group", "setting")
PER_PAGE = 20
MAX_VALUES = 20
MAX_CHARS = 200
_TERMS = {"factor": TermKind.FACTOR.value, "target_group": TermKind.TARGET_GROUP.value}
_COLUMNS = {"level": KnowledgeItem.evidence_status, "track": KnowledgeItem.track_name,
            "setting": KnowledgeItem.setting}


@dataclass(frozen=True)
class CatalogueFilters:
    """The chosen values of each filter (an empty tuple: no filter)."""

    level: tuple[str, ...] = ()
    track: tuple[str, ...] = ()
    factor: tuple[str, ...] = ()
    target_group: tuple[str, ...] = ()
    setting: tuple[str, ...] = ()

    @classmethod
    def from_values(cls, values: dict[str, Sequence[str]]) -> CatalogueFilters:
        """From request values: at most 20 values of 200 characters per filter, duplicates and empty
        values left out, levels only when they are levels."""
        chosen: dict[str, tuple[str, ...]] = {}
        for name in FILTERS:
            kept: list[str] = []
            for value in list(values.get(name, ()))[:MAX_VALUES]:
                value = str(value)[:MAX_CHARS]
                if value and value not in kept and (name != "level" or value in EVIDENCE_RANKS):
                    kept.append(value)
            chosen[name] = tuple(kept)
        return cls(**chosen)

    def active(self) -> list[tuple[str, str]]:
        return [(name, value) for name in FILTERS for value in getattr(self, name)]


@dataclass
class CataloguePage:
    items: list[KnowledgeItem]
    total: int
    page: int
    per_page: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _base() -> list[Any]:
    return [KnowledgeItem.status == ItemStatus.PUBLISHED.value, KnowledgeItem.type == ItemType.INTERVENTION.value]


def _condition(name: str, values: Sequence[str]) -> Any:
    if name in _COLUMNS:
        return _COLUMNS[name].in_(list(values))
    term = aliased(KnowledgeTerm)  # the counts of the terms read KnowledgeTerm themselves
    return (sa.exists().where(term.item_id == KnowledgeItem.id, term.kind == _TERMS[name], term.value.in_(list(values)))
            .correlate(KnowledgeItem))


def _conditions(filters: CatalogueFilters, skip: str | None = None) -> list[Any]:
    return _base() + [_condition(name, getattr(filters, name)) for name in FILTERS
                      if name != skip and getattr(filters, name)]


def _counts(filters: CatalogueFilters, name: str) -> list[tuple[str, int]]:
    """The values of one filter with the number of interventions each has, the other filters applied."""
    if name in _COLUMNS:
        column = _COLUMNS[name]
        rows = db.session.execute(
            sa.select(column, sa.func.count()).where(*_conditions(filters, skip=name)).group_by(column)).all()
    else:
        rows = db.session.execute(
            sa.select(KnowledgeTerm.value, sa.func.count(sa.distinct(KnowledgeItem.id)))
            .join(KnowledgeItem, KnowledgeItem.id == KnowledgeTerm.item_id)
            .where(KnowledgeTerm.kind == _TERMS[name], *_conditions(filters, skip=name))
            .group_by(KnowledgeTerm.value)).all()
    counts = {value: count for value, count in rows if value}
    for chosen in getattr(filters, name):  # a chosen value stays listed (to unselect), at 0 when nothing has it
        counts.setdefault(chosen, 0)
    if name == "level":
        return sorted(counts.items(), key=lambda vc: EVIDENCE_RANKS.get(vc[0], 0))
    return sorted(counts.items(), key=lambda vc: (-vc[1], vc[0].casefold(), vc[0]))


def _level_order() -> Any:
    """Strongest level first; interventions without a level last."""
    return sa.case(EVIDENCE_RANKS, value=KnowledgeItem.evidence_status, else_=0).desc()


def catalogue(filters: CatalogueFilters, page: int = 1, per_page: int = PER_PAGE) -> CataloguePage:
    """One page of the published interventions passing ``filters`` (strongest level first, then by
    title), with the counts of every filter's values. A page past the last gives the last."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeItem)
                              .where(*_conditions(filters))) or 0
    pages = max(math.ceil(total / per_page), 1)
    page = min(max(page, 1), pages)
    items = list(db.session.scalars(
        sa.select(KnowledgeItem).where(*_conditions(filters))
        .order_by(_level_order(), KnowledgeItem.title, KnowledgeItem.id)
        .limit(per_page).offset((page - 1) * per_page)
        .options(selectinload(KnowledgeItem.terms))
    ))
    return CataloguePage(items=items, total=total, page=page, per_page=per_page,
                         facets={name: _counts(filters, name) for name in FILTERS})
