"""WTForms fields for a list of questions, named ``q_<id>`` (the key the validation's problems use)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms import BooleanField, Field, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from congress.questions.kinds import QuestionKind
from congress.questions.models import Question
from congress.questions.rendering import scale_ends
from congress.questions.validation import field_name


class Required:
    """Marks a field as required (the asterisk, the ``required`` attribute); the services check it and
    word the message."""

    field_flags = {"required": True}

    def __call__(self, form: Any, field: Any) -> None:
        return None


class MaxLength:
    """Gives a text field its longest answer: the ``maxlength`` attribute and the hint "At most N characters."
    shown up front (the field macro); the services check it and word the message."""

    def __init__(self, limit: int) -> None:
        self.field_flags = {"maxlength": limit, "limit_hint": limit}

    def __call__(self, form: Any, field: Any) -> None:
        return None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def field_for(question: Question, locale: str) -> Field:
    """The unbound field that asks ``question`` in ``locale``."""
    label = question.label(locale)
    validators = [Required()] if question.required else []
    description = question.help(locale)
    kind = question.kind
    if question.text_limit:
        validators = [*validators, MaxLength(question.text_limit)]
    if kind == QuestionKind.SHORT_TEXT.value:
        return StringField(label, validators=validators, description=description)
    if kind == QuestionKind.LONG_TEXT.value:
        return TextAreaField(label, validators=validators, description=description,
                             render_kw={"rows": 3})
    if kind == QuestionKind.SINGLE_CHOICE.value:
        return RadioField(label, choices=question.choices(locale), validate_choice=False, validators=validators,
                          description=description)
    if kind == QuestionKind.MULTIPLE_CHOICE.value:
        return MultiCheckboxField(label, choices=question.choices(locale), validate_choice=False,
                                  validators=validators, description=description)
    if question.scale is not None:
        low, high = question.scale
        ends = scale_ends(question, locale)
        return RadioField(label, choices=[(str(n), str(n)) for n in range(low, high + 1)], validate_choice=False,
                          validators=validators, description=" ".join(x for x in (description, ends) if x))
    return BooleanField(label, validators=validators, description=description)


def add_fields(form_class: type, questions: Iterable[Question], locale: str) -> list[tuple[str, Question]]:
    """Give ``form_class`` a field per question; the (field name, question) pairs, in order."""
    fields = []
    for question in questions:
        name = field_name(question)
        setattr(form_class, name, field_for(question, locale))
        fields.append((name, question))
    return fields


def answers_from(form: Any, fields: Iterable[tuple[str, Question]]) -> dict[str, Any]:
    """The posted answers, keyed by question id (the validation normalises them)."""
    return {str(q.id): getattr(form, name).data for name, q in fields}


def fill(form: Any, fields: Iterable[tuple[str, Question]], answers: dict[str, Any] | None) -> None:
    """Show stored answers in the form's fields."""
    for name, question in fields:
        value = (answers or {}).get(str(question.id))
        getattr(form, name).data = str(value) if question.scale is not None and value is not None else value
