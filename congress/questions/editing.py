"""The organisers' editor of a form's questions: change, reorder and remove questions and their options
without losing the answers already given.

What happens to answers:

* texts (labels, help, scale ends), ``required`` and the order change freely: answers are keyed by the
  question's id and an option's value, which never change;
* the kind of a question that has answers cannot change (a text answer is no choice): :class:`Conflict`;
* an option that was chosen cannot be removed: it can be **hidden** (no longer offered, still shown in the
  answers and exports), and shown again;
* a question that has answers cannot be removed: it can be made optional and edited.

Every change is audited under the name of the capability that owns the form.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from congress.audit.services import record
from congress.core.models import Congress
from congress.database import transactional
from congress.errors import Conflict
from congress.extensions import db
from congress.questions.kinds import CHOICE_KINDS, Target
from congress.questions.models import Question
from congress.questions.queries import forget, questions
from congress.questions.rules import QuestionError
from congress.questions.usage import usage

# Audit actions keep the names of the capability that owns the form.
AUDIT_PREFIX = {Target.REGISTRATION.value: "registration", Target.PROPOSAL.value: "cfp",
                Target.EVALUATION.value: "evaluation"}
OPTION_MAX = 200


class QuestionInUse(Conflict):
    """The change would lose answers already given (409)."""


def _audit(question: Question, change: str, **data: Any) -> None:
    forget(question.congress_id, question.target)
    record(f"{AUDIT_PREFIX[question.target]}.question_update", question, congress_id=question.congress_id,
           label=question.label_nl, change=change, **data)


def check_kind_change(question: Question, kind: str) -> None:
    """Refuse a new kind once the question has answers."""
    if kind == question.kind:
        return
    answered = usage(question).answered
    if answered:
        raise QuestionInUse(ngettext(
            "%(num)d answer has been given to this question, so its kind can no longer change.",
            "%(num)d answers have been given to this question, so its kind can no longer change.", answered),
            field="kind", code="answered")


def check_options_kept(question: Question, options: list[dict[str, str]]) -> None:
    """Refuse dropping options that answers chose (hide them instead)."""
    kept = {o.get("value") for o in options}
    dropped = [o for o in question.options or [] if o["value"] not in kept]
    if not dropped:
        return
    chosen = usage(question).by_value
    lost = [o for o in dropped if chosen.get(o["value"])]
    if lost:
        raise QuestionInUse(_l("The option “%(option)s” has been chosen; hide it instead of removing it.",
                               option=lost[0].get("nl") or lost[0]["value"]), field="options", code="answered")


@transactional
def move_question(question: Question, step: int) -> list[Question]:
    """Move a question one place up (``step=-1``) or down (``+1``) on its form; the new order."""
    congress_id = question.congress_id
    ordered = list(questions(_congress_of(question), question.target))
    index = next(i for i, q in enumerate(ordered) if q.id == question.id)
    other = index + (1 if step > 0 else -1)
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    forget(congress_id, question.target)
    _audit(question, "moved", position=ordered.index(question))
    return ordered


def _congress_of(question: Question) -> Congress:
    return db.session.get(Congress, question.congress_id)


def check_unanswered(question: Question) -> None:
    """Refuse removing a question that has answers."""
    answered = usage(question).answered
    if answered:
        raise QuestionInUse(ngettext(
            "%(num)d answer has been given to this question, so it cannot be removed. Make it optional instead.",
            "%(num)d answers have been given to this question, so it cannot be removed. Make it optional instead.",
            answered), code="answered")


# --- options -------------------------------------------------------------------------------


def _check_choice(question: Question) -> None:
    if question.kind not in CHOICE_KINDS:
        raise QuestionError(_l("Only choice questions have options."), field="options")


def _option_index(question: Question, value: str) -> int:
    for index, option in enumerate(question.options or []):
        if option["value"] == value:
            return index
    raise QuestionError(_l("This option no longer exists. Reload the page."), field="options")


def _texts(nl: str, en: str) -> tuple[str, str]:
    nl, en = (nl or "").strip(), (en or "").strip()
    if not nl:
        raise QuestionError(_l("Give the option in Dutch."), field="option_nl")
    if len(nl) > OPTION_MAX or len(en) > OPTION_MAX:
        raise QuestionError(_l("Use at most %(n)d characters.", n=OPTION_MAX), field="option_nl")
    return nl, en


@transactional
def add_option(question: Question, nl: str, en: str = "") -> dict[str, str]:
    """A new option at the end; its value is a new number (never one an earlier option had)."""
    _check_choice(question)
    nl, en = _texts(nl, en)
    numbers = [int(o["value"]) for o in question.options or [] if str(o["value"]).isdigit()]
    value = str(max(numbers, default=len(question.options or [])) + 1)
    while value in {o["value"] for o in question.options or []}:
        value = str(int(value) + 1)
    option = {"value": value, "nl": nl, "en": en}
    question.options = [*(question.options or []), option]
    _audit(question, "option_added", option=value)
    return option


@transactional
def edit_option(question: Question, value: str, nl: str, en: str = "") -> None:
    """New texts for an option (answers keep pointing at its value)."""
    _check_choice(question)
    index = _option_index(question, value)
    nl, en = _texts(nl, en)
    options = [dict(o) for o in question.options]
    options[index].update(nl=nl, en=en)
    question.options = options
    _audit(question, "option_edited", option=value)


@transactional
def move_option(question: Question, value: str, step: int) -> None:
    _check_choice(question)
    index = _option_index(question, value)
    other = index + (1 if step > 0 else -1)
    options = [dict(o) for o in question.options]
    if 0 <= other < len(options):
        options[index], options[other] = options[other], options[index]
    question.options = options
    _audit(question, "option_moved", option=value)


@transactional
def hide_option(question: Question, value: str, hidden: bool = True) -> None:
    """Stop (or start again) offering an option; answers that chose it keep it."""
    _check_choice(question)
    index = _option_index(question, value)
    options = [dict(o) for o in question.options]
    if hidden:
        options[index]["hidden"] = True
    else:
        options[index].pop("hidden", None)
    if not any(not o.get("hidden") for o in options):
        raise QuestionError(_l("Offer at least one option."), field="options")
    question.options = options
    _audit(question, "option_hidden" if hidden else "option_shown", option=value)


@transactional
def remove_option(question: Question, value: str) -> None:
    """Remove an option nobody chose (one that was chosen can be hidden)."""
    _check_choice(question)
    index = _option_index(question, value)
    options = [dict(o) for o in question.options]
    del options[index]
    if not any(not o.get("hidden") for o in options):
        raise QuestionError(_l("Offer at least one option."), field="options")
    check_options_kept(question, options)
    question.options = options
    _audit(question, "option_removed", option=value)
