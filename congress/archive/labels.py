"""Labels of the archive's vocabularies in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from congress.archive.models import EvidenceStatus, ItemStatus, ItemType

TYPE_LABELS = {
    ItemType.SESSION_REPORT.value: _l("Session report"),
    ItemType.PRESENTATION.value: _l("Presentation"),
    ItemType.RECORDING.value: _l("Recording"),
    ItemType.INTERVENTION.value: _l("Intervention"),
    ItemType.EVALUATION.value: _l("Evaluation"),
    ItemType.REPORT.value: _l("Report"),
    ItemType.NEWS.value: _l("News"),
    ItemType.MILESTONE.value: _l("Milestone"),
}
STATUS_LABELS = {
    ItemStatus.DRAFT.value: _l("Draft"),
    ItemStatus.IN_REVIEW.value: _l("In review"),
    ItemStatus.PUBLISHED.value: _l("Published"),
    ItemStatus.WITHDRAWN.value: _l("Withdrawn"),
}
EVIDENCE_LABELS = {
    EvidenceStatus.IN_DEVELOPMENT.value: _l("In development"),
    EvidenceStatus.TESTED.value: _l("Tested"),
    EvidenceStatus.PROVEN.value: _l("Proven effective"),
}
LANGUAGE_LABELS = {"nl": _l("Dutch"), "en": _l("English")}
FACET_LABELS = {
    "type": _l("Type"),
    "track": _l("Track"),
    "year": _l("Year"),
    "factor": _l("Protective factor"),
    "target_group": _l("Target group"),
    "language": _l("Language"),
}


def facet_value_label(facet: str, value: object) -> str:
    if facet == "type":
        return str(TYPE_LABELS.get(str(value), value))
    if facet == "language":
        return str(LANGUAGE_LABELS.get(str(value), value))
    return str(value)
