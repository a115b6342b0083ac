"""Labels of the archive's vocabularies in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from congress.archive.models import ItemStatus, ItemType, RecognitionLevel

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
# The recognition levels as the Dutch databanks of effective interventions name them, lowest first.
EVIDENCE_LABELS = {
    RecognitionLevel.NOT_ASSESSED.value: _l("Not yet assessed"),
    RecognitionLevel.WELL_DESCRIBED.value: _l("Well described"),
    RecognitionLevel.WELL_FOUNDED.value: _l("Well founded"),
    RecognitionLevel.EFFECTIVE_FIRST.value: _l("Effective: first indications"),
    RecognitionLevel.EFFECTIVE_GOOD.value: _l("Effective: good indications"),
    RecognitionLevel.EFFECTIVE_STRONG.value: _l("Effective: strong indications"),
}
# What the databanks' recognition committees mean by each level, in one line.
EVIDENCE_EXPLANATIONS = {
    RecognitionLevel.NOT_ASSESSED.value: _l("Not (yet) assessed by a recognition committee of the databanks."),
    RecognitionLevel.WELL_DESCRIBED.value: _l(
        "Aim, target group and approach are described completely and clearly, and it can be carried out in "
        "practice."),
    RecognitionLevel.WELL_FOUNDED.value: _l(
        "Well described, and a theory based on research explains why the approach can reach its aim."),
    RecognitionLevel.EFFECTIVE_FIRST.value: _l(
        "Well founded, and research in practice (such as measurements before and after, without a control "
        "group) gives first indications that it works."),
    RecognitionLevel.EFFECTIVE_GOOD.value: _l(
        "Well founded, and at least one study with a comparison or control group shows that it works."),
    RecognitionLevel.EFFECTIVE_STRONG.value: _l(
        "Well founded, and several strong studies with a control group show that it works, also in the longer "
        "term."),
}
# The levels as rungs, for the badge (1 = not yet assessed … 6 = strong indications).
EVIDENCE_RANKS = {level.value: rank for rank, level in enumerate(RecognitionLevel, start=1)}
LANGUAGE_LABELS = {"nl": _l("Dutch"), "en": _l("English")}
FACET_LABELS = {
    "type": _l("Type"),
    "track": _l("Track"),
    "year": _l("Year"),
    "factor": _l("Protective factor"),
    "target_group": _l("Target group"),
    "language": _l("Language"),
    "level": _l("Recognition level"),
    "setting": _l("Setting"),
}


def facet_value_label(facet: str, value: object) -> str:
    if facet == "type":
        return str(TYPE_LABELS.get(str(value), value))
    if facet == "level":
        return str(EVIDENCE_LABELS.get(str(value), value))
    if facet == "language":
        return str(LANGUAGE_LABELS.get(str(value), value))
    return str(value)
