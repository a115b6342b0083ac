"""How items relate (re-exported by :mod:`congress.archive.services`): related items, an intervention's
process and effect evaluations, the intervention a session's item presents; a session's item and the
evaluation made from its answers."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from congress.archive.errors import ArchiveError
from congress.archive.models import (
    EDITED_RELATIONS,
    ItemType,
    KnowledgeItem,
    RelationKind,
    SessionEvaluation,
    knowledge_relations,
)
from congress.audit.services import record
from congress.database import insert_unless_exists, transactional
from congress.extensions import db


def item_by_key(key: str) -> KnowledgeItem | None:
    return db.session.scalar(sa.select(KnowledgeItem).where(KnowledgeItem.key == key))


def relations_of(item: KnowledgeItem) -> dict[str, list[KnowledgeItem]]:
    """The items ``item`` relates to, by kind of relation (``RelationKind``: "" any, "process" and
    "effect" its evaluations), in the order of their titles."""
    rows = db.session.execute(
        sa.select(knowledge_relations.c.kind, KnowledgeItem)
        .join(KnowledgeItem, KnowledgeItem.id == knowledge_relations.c.related_id)
        .where(knowledge_relations.c.item_id == item.id).order_by(KnowledgeItem.title, KnowledgeItem.id)
    ).all()
    found: dict[str, list[KnowledgeItem]] = {kind.value: [] for kind in RelationKind}
    for kind, other in rows:
        found.setdefault(kind, []).append(other)
    return found


@transactional
def set_related(item: KnowledgeItem, related_ids: list[int], *, process_ids: list[int] = (),
                effect_ids: list[int] = ()) -> None:
    """Relate ``item`` to these items: ``process_ids`` and ``effect_ids`` as its process and effect
    evaluations, ``related_ids`` as related items (an item named twice keeps its first kind, evaluations first)."""
    table = knowledge_relations
    # The intervention a session presents is set apart (set_presented) and stays as it is.
    wanted: dict[int, str] = {other_id: RelationKind.PRESENTS.value for other_id in db.session.scalars(
        sa.select(table.c.related_id).where(table.c.item_id == item.id, table.c.kind == RelationKind.PRESENTS.value))}
    presented = set(wanted)
    for kind, ids in ((RelationKind.PROCESS_EVALUATION, process_ids), (RelationKind.EFFECT_EVALUATION, effect_ids),
                      (RelationKind.RELATED, related_ids)):
        for other_id in ids:
            if other_id != item.id and other_id not in wanted and db.session.get(KnowledgeItem, other_id) is not None:
                wanted[other_id] = kind.value
    db.session.flush()
    db.session.execute(table.delete().where(table.c.item_id == item.id, table.c.kind.in_(EDITED_RELATIONS)))
    wanted = {other_id: kind for other_id, kind in wanted.items() if other_id not in presented}
    if wanted:
        db.session.execute(table.insert(), [{"item_id": item.id, "related_id": other_id, "kind": kind}
                                            for other_id, kind in wanted.items()])
    db.session.expire(item, ["related"])
    record("archive.item.relate", item, congress_id=item.congress_id, related=sorted(wanted),
           evaluations={kind: sorted(i for i, k in wanted.items() if k == kind) for kind in ("process", "effect")})


def _keys(text: str) -> list[int]:
    keys = [k.strip() for k in (text or "").replace("\n", ",").split(",") if k.strip()]
    found = [item_by_key(k) for k in keys[:50]]
    return [f.id for f in found if f is not None]


@transactional
def set_related_keys(item: KnowledgeItem, keys_text: str, *, process_text: str = "", effect_text: str = "") -> None:
    """Relate ``item`` to the items whose keys are listed (commas or lines, at most 50 each; unknown
    keys are left out): related items, process evaluations and effect evaluations. Nothing is written
    when the relations stay the same."""
    related, process, effect = _keys(keys_text), _keys(process_text), _keys(effect_text)
    have = relations_of(item)
    same = (sorted(related) == sorted(r.id for r in have[RelationKind.RELATED.value])
            and sorted(process) == sorted(r.id for r in have[RelationKind.PROCESS_EVALUATION.value])
            and sorted(effect) == sorted(r.id for r in have[RelationKind.EFFECT_EVALUATION.value]))
    if not same:
        set_related(item, related, process_ids=process, effect_ids=effect)


def presented(item: KnowledgeItem) -> list[KnowledgeItem]:
    """The interventions the session of this (session's) item presents."""
    return relations_of(item)[RelationKind.PRESENTS.value]


def interventions_by_keys(text: str) -> tuple[list[KnowledgeItem], list[str]]:
    """The intervention items whose permalink keys are listed (commas or lines), and the keys that
    name no intervention."""
    keys = [k.strip() for k in (text or "").replace("\n", ",").split(",") if k.strip()]
    found, wrong = [], []
    for key in keys[:50]:
        other = item_by_key(key) if len(key) <= 16 else None
        if other is None or other.type != ItemType.INTERVENTION.value:
            wrong.append(key[:20])
        elif other not in found:
            found.append(other)
    return found, wrong


@transactional
def set_presented(item: KnowledgeItem, keys_text: str) -> None:
    """The interventions this session's item presents (their permalink keys): the session's evaluation
    items become their process evaluations. Keys that name no intervention are refused (ArchiveError);
    nothing is written when the interventions stay the same."""
    found, wrong = interventions_by_keys(keys_text)
    if wrong:
        raise ArchiveError(_("No intervention has the key %(keys)s.", keys=", ".join(wrong[:5])))
    wanted = {other.id for other in found if other.id != item.id}
    have = {other.id for other in presented(item)}
    if wanted == have:
        return
    table = knowledge_relations
    db.session.flush()
    db.session.execute(table.delete().where(table.c.item_id == item.id, sa.or_(
        table.c.kind == RelationKind.PRESENTS.value, table.c.related_id.in_(wanted))))
    if wanted:
        db.session.execute(table.insert(), [{"item_id": item.id, "related_id": other_id,
                                             "kind": RelationKind.PRESENTS.value} for other_id in sorted(wanted)])
    db.session.expire(item, ["related"])
    record("archive.item.presents", item, congress_id=item.congress_id, interventions=sorted(wanted))


def session_item(session_id: int) -> KnowledgeItem | None:
    """The item a session was archived as (its sessieverslag), if any."""
    return db.session.scalar(sa.select(KnowledgeItem).where(
        KnowledgeItem.session_id == session_id, KnowledgeItem.type == ItemType.SESSION_REPORT.value)
        .order_by(KnowledgeItem.id).limit(1))


def session_evaluation(session_id: int) -> SessionEvaluation | None:
    return db.session.scalar(sa.select(SessionEvaluation).where(SessionEvaluation.session_id == session_id))


@dataclass
class SessionFigures:
    """The key figures of a session's evaluation, as the intervention's page lists them."""

    responses: int
    checked_in: int | None
    mean: float | None
    scale_high: int | None


def _relate_once(item_id: int, related_id: int, kind: str) -> bool:
    """Add one relation unless the two items are related already (in any kind): True when added."""
    table = knowledge_relations
    inserted = db.session.execute(
        insert_unless_exists(_RelationRow, index_elements=["item_id", "related_id"]).returning(table.c.item_id),
        {"item_id": item_id, "related_id": related_id, "kind": kind}).scalar()
    return inserted is not None


class _RelationRow:
    """``insert_unless_exists`` takes a model; the relations table has none."""

    __table__ = knowledge_relations


def _link_evaluation(item_id: int, archived: KnowledgeItem | None) -> None:
    if archived is None:
        return
    _relate_once(item_id, archived.id, RelationKind.RELATED.value)
    interventions = presented(archived)
    for intervention in interventions:
        _relate_once(intervention.id, item_id, RelationKind.PROCESS_EVALUATION.value)
    for touched in (db.session.get(KnowledgeItem, item_id), archived, *interventions):
        if touched is not None:
            db.session.expire(touched, ["related"])
