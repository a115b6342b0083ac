"""The questions as lines of text, for settings pages that edit them in one text field.

One line per question: ``kind | Dutch question | English question | required (yes/no) | option; option``.
The kinds keep the call for proposals' names (``text``, ``textarea``, ``choice``, ``checkbox``); the
component's own names (``short_text``, ``multiple_choice``, …) are understood too. Options are plain
words: each is its own value and Dutch label. A question is recognised by its Dutch text, so that its
answers survive edits of the other cells.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from congress.core.models import Congress
from congress.database import transactional
from congress.extensions import db
from congress.questions.kinds import CHOICE_KINDS, TEXT_KINDS, TEXT_NAMES, QuestionKind
from congress.questions.models import Question
from congress.questions.queries import forget, questions
from congress.questions.rules import QuestionError, check_fields

NAME_OF_KIND = {kind: name for name, kind in TEXT_NAMES.items()}
# Scales are not asked on forms edited as text (they need the words at their ends).
_LINE_KINDS = {**TEXT_NAMES, **{k: k for k in (*TEXT_KINDS, *CHOICE_KINDS, QuestionKind.CHECKBOX.value)}}
YES = ("yes", "ja", "y", "j", "1", "true")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("|")]


@transactional
def sync_text(congress: Congress, target: str, text: str, *, text_max_length: int | None = None) -> None:
    """Make the form's questions what ``text`` says: new lines add, changed lines update, missing lines
    delete. ``text_max_length``: the longest answer to the text questions this form makes."""
    existing = {q.label_nl: q for q in questions(congress, target) if q.scale is None}
    seen = set()
    for position, line in enumerate(x for x in text.splitlines() if x.strip()):
        cells = [*_cells(line), "", "", "", "", ""]
        name, label_nl, label_en, required, words = cells[:5]
        kind = _LINE_KINDS.get(name)
        if kind is None or not label_nl:
            raise QuestionError(_l("Line “%(line)s”: give a known kind and a question.", line=line.strip()))
        question = existing.get(label_nl)
        if question is None:
            question = Question(congress_id=congress.id, target=target, label_nl=label_nl)
            db.session.add(question)
        known = {o["value"]: o for o in question.options or []}
        options = [{"value": w, "nl": w, "en": known.get(w, {}).get("en", "")}
                   for w in dict.fromkeys(o.strip() for o in words.split(";") if o.strip())]
        options = options if kind in CHOICE_KINDS else []
        try:
            check_fields(target, kind, label_nl, options)
        except QuestionError as exc:
            raise QuestionError(_l("Line “%(line)s”: %(problem)s", line=line.strip(), problem=exc.message),
                                field=exc.field) from None
        question.kind, question.label_en, question.position, question.options = kind, label_en, position, options
        question.required = required.lower() in YES
        question.max_length = text_max_length if kind in TEXT_KINDS else None
        seen.add(label_nl)
    for label, question in existing.items():
        if label not in seen:
            db.session.delete(question)
    forget(congress.id, target)


def as_text(congress: Congress, target: str) -> str:
    """The form's questions as the lines :func:`sync_text` reads."""
    return "\n".join(
        f"{NAME_OF_KIND.get(q.kind, q.kind)} | {q.label_nl} | {q.label_en} | {'yes' if q.required else 'no'} | "
        f"{'; '.join(o['value'] for o in q.options or [])}"
        for q in questions(congress, target) if q.scale is None
    )
