"""Forms of the event-site screen (:mod:`congress.manage.site`): practical information and the accent
colour, the logo, the questions and answers. The forms check only the shape of what was typed; the
rules (lengths, the colour's contrast, the image) are ``core.services``' and are shown next to the field."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf

from congress.core.services import FAQ_LIMITS, SITE_LIMITS

# (Dutch field, English field) shown next to each other.
SITE_PAIRS = (("travel_nl", "travel_en"), ("accessibility_nl", "accessibility_en"))
FAQ_PAIRS = (("question_nl", "question_en"), ("answer_nl", "answer_en"))


class MaxLength:
    """The ``maxlength`` attribute and the hint "At most N characters." shown up front (the field macro)."""

    def __init__(self, limit: int) -> None:
        self.field_flags = {"maxlength": limit, "limit_hint": limit}

    def __call__(self, form: Any, field: Any) -> None:
        return None


def _text(label: object, name: str, limits: dict[str, int], **kwargs: Any) -> TextAreaField:
    return TextAreaField(label, validators=[MaxLength(limits[name])], render_kw={"rows": 4}, **kwargs)


class SiteForm(FlaskForm):
    travel_nl = _text(_l("Travel and parking (Dutch)"), "travel_nl", SITE_LIMITS,
                      description=_l("Public transport, parking, bicycles."))
    travel_en = _text(_l("Travel and parking (English)"), "travel_en", SITE_LIMITS,
                      description=_l("Empty: the Dutch text."))
    accessibility_nl = _text(_l("Accessibility of the venue (Dutch)"), "accessibility_nl", SITE_LIMITS,
                             description=_l("Entrances, lifts, toilets, induction loops, a quiet room."))
    accessibility_en = _text(_l("Accessibility of the venue (English)"), "accessibility_en", SITE_LIMITS,
                             description=_l("Empty: the Dutch text."))
    accent_colour = StringField(_l("Accent colour"), validators=[MaxLength(7)],
                                description=_l("Of buttons and headings, such as #154273. White text on it must "
                                               "reach a contrast of 4.5:1. Empty: the house colour."))

    def fields_for_service(self) -> dict[str, str]:
        return {name: (getattr(self, name).data or "") for name in
                ("travel_nl", "travel_en", "accessibility_nl", "accessibility_en", "accent_colour")}


class LogoForm(FlaskForm):
    logo = FileField(_l("Image file"),
                     description=_l("A PNG or JPEG image of at most 2 MB; shown at most 80 pixels high."))


class FaqForm(FlaskForm):
    question_nl = StringField(_l("Question (Dutch)"), validators=[MaxLength(FAQ_LIMITS["question_nl"])])
    question_en = StringField(_l("Question (English)"), validators=[MaxLength(FAQ_LIMITS["question_en"])],
                              description=_l("Empty: the Dutch question."))
    answer_nl = _text(_l("Answer (Dutch)"), "answer_nl", FAQ_LIMITS,
                      description=_l("An empty line starts a new paragraph."))
    answer_en = _text(_l("Answer (English)"), "answer_en", FAQ_LIMITS, description=_l("Empty: the Dutch answer."))

    def fields_for_service(self) -> dict[str, str]:
        return {name: (getattr(self, name).data or "") for name in ("question_nl", "question_en", "answer_nl",
                                                                     "answer_en")}


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf(("up", "down"))])


class ConfirmForm(FlaskForm):
    """A POST that only needs its CSRF token (removing the logo or a question)."""
