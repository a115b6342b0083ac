"""The organisers' questions editor, one for every form that asks questions (blueprint ``questions``
under ``/manage/<slug>/questions/<target>/``): the registration form (``registration``) and the call for
proposals (``proposal``). Thin: read the form, call :mod:`congress.questions.services`, redirect."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.core.models import Congress
from congress.core.queries import edition_or_404
from congress.errors import ServiceError
from congress.i18n import current_language
from congress.questions import services
from congress.questions.editor_forms import KINDS_OF, MoveForm, NewOptionForm, NewQuestionForm, OptionForm, QuestionForm
from congress.questions.kinds import CHOICE_KINDS, KIND_LABELS, SCALES, TEXT_KINDS
from congress.questions.models import Question
from congress.questions.queries import question_or_404, questions, usage

bp = Blueprint("questions", __name__, url_prefix="/manage/<slug>/questions/<target>")

# The forms organisers edit here; where each one's settings live (the editor links back).
EDITED = {
    "registration": {"title": _l("Questions on the registration form"), "back": "registration_manage.settings",
                     "back_label": _l("Registration settings"), "nav": "registration/manage/_nav.html"},
    "proposal": {"title": _l("Questions of the call for proposals"), "back": "cfp.manage.settings",
                 "back_label": _l("Settings of the call"), "nav": "cfp/manage/_nav.html"},
    "evaluation": {"title": _l("Questions of the session evaluations"), "back": "evaluations.results",
                   "back_label": _l("Evaluations"), "nav": "evaluations/_nav.html"},
}
FIELDS = ("label_nl", "label_en", "help_nl", "help_en", "required", "max_length", "scale_low_nl", "scale_low_en",
          "scale_high_nl", "scale_high_en")


def _form_of(slug: str, target: str) -> tuple[Congress, dict[str, Any]]:
    if target not in EDITED:
        abort(404)
    return edition_or_404(slug), EDITED[target]


def _choices(form: QuestionForm, target: str) -> None:
    form.kind.choices = [(k, KIND_LABELS[k]) for k in KINDS_OF[target]]


def _show(form: Any, exc: ServiceError) -> None:
    """A refusal next to its field (or above the form when it names none)."""
    name = exc.field if exc.field and hasattr(form, exc.field) else None
    if name:
        getattr(form, name).errors = [*getattr(form, name).errors, exc.message]
    else:
        flash(exc.message, "error")


def _values(form: QuestionForm, kind: str) -> dict[str, Any]:
    values = {name: getattr(form, name).data for name in FIELDS}
    values = {k: (v or "") if k not in ("required", "max_length") else v for k, v in values.items()}
    values["required"] = bool(values["required"])
    values["max_length"] = values["max_length"] if kind in TEXT_KINDS else None
    if kind not in SCALES:
        for name in ("scale_low_nl", "scale_low_en", "scale_high_nl", "scale_high_en"):
            values.pop(name)
    return values


def _pairs(text: str) -> list[tuple[str, str]]:
    found = []
    for line in (text or "").splitlines():
        nl, _sep, en = line.partition("|")
        if nl.strip():
            found.append((nl.strip()[:200], en.strip()[:200]))
    return found


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.ORGANISER.value)
def editor(slug: str, target: str):
    congress, about = _form_of(slug, target)
    form = NewQuestionForm(prefix="new")
    _choices(form, target)
    status = 200
    if form.submit.data and form.validate_on_submit():
        kind = form.kind.data
        try:
            question = services.add_question(
                congress, target, kind=kind, options=services.options_from_pairs(_pairs(form.options.data)),
                **_values(form, kind))
        except ServiceError as exc:
            _show(form, exc)
            status = exc.status
        else:
            flash(_("The question has been added."), "success")
            return redirect(url_for("questions.edit", slug=slug, target=target, question_id=question.id)
                            if kind in CHOICE_KINDS else url_for("questions.editor", slug=slug, target=target))
    elif request.method == "POST":
        status = 422
    items = questions(congress, target)
    return render_template("questions/editor.html", congress=congress, target=target, about=about, form=form,
                           items=[(q, usage(q).answered) for q in items], move_form=MoveForm(),
                           kind_labels=KIND_LABELS, lang=current_language()), status


def _question(slug: str, target: str, question_id: int) -> tuple[Congress, dict[str, Any], Question]:
    congress, about = _form_of(slug, target)
    return congress, about, question_or_404(congress, question_id, target)


def _render_edit(congress: Congress, about: dict[str, Any], question: Question, form: QuestionForm,
                 status: int = 200, *, option_errors: dict[str, str] | None = None,
                 new_option: NewOptionForm | None = None):
    found = usage(question)
    return render_template(
        "questions/edit.html", congress=congress, target=question.target, about=about, question=question,
        form=form, usage=found, new_option=new_option or NewOptionForm(prefix="option"),
        option_form=OptionForm(), option_errors=option_errors or {}, kind_labels=KIND_LABELS,
        is_choice=question.kind in CHOICE_KINDS, is_text=question.kind in TEXT_KINDS,
        is_scale=question.kind in SCALES), status


@bp.route("/<int:question_id>", methods=["GET", "POST"])
@roles_required(Role.ORGANISER.value)
def edit(slug: str, target: str, question_id: int):
    congress, about, question = _question(slug, target, question_id)
    form = QuestionForm(obj=question)
    _choices(form, target)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_question(question, kind=form.kind.data, **_values(form, form.kind.data))
        except ServiceError as exc:
            _show(form, exc)
            status = exc.status
        else:
            flash(_("The question has been saved."), "success")
            return redirect(url_for("questions.edit", slug=slug, target=target, question_id=question.id))
    elif request.method == "POST":
        status = 422
    return _render_edit(congress, about, question, form, status)


@bp.route("/<int:question_id>/move", methods=["POST"])
@roles_required(Role.ORGANISER.value)
def move(slug: str, target: str, question_id: int):
    _congress, _about, question = _question(slug, target, question_id)
    form = MoveForm()
    direction = request.form.get("direction", "")
    if not form.validate_on_submit() or direction not in ("up", "down"):
        abort(422)
    services.move_question(question, -1 if direction == "up" else 1)
    flash(_("The order of the questions has been saved."), "success")
    return redirect(url_for("questions.editor", slug=slug, target=target) + f"#question-{question.id}")


@bp.route("/<int:question_id>/delete", methods=["POST"])
@roles_required(Role.ORGANISER.value)
def delete(slug: str, target: str, question_id: int):
    _congress, _about, question = _question(slug, target, question_id)
    if not MoveForm().validate_on_submit():
        abort(422)
    try:
        services.delete_question(question)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("questions.editor", slug=slug, target=target) + f"#question-{question_id}")
    flash(_("The question has been removed."), "success")
    return redirect(url_for("questions.editor", slug=slug, target=target))


@bp.route("/<int:question_id>/options/new", methods=["POST"])
@roles_required(Role.ORGANISER.value)
def add_option(slug: str, target: str, question_id: int):
    congress, about, question = _question(slug, target, question_id)
    new_option = NewOptionForm(prefix="option")
    form = QuestionForm(obj=question, formdata=None)
    _choices(form, target)
    if new_option.validate_on_submit():
        try:
            services.add_option(question, new_option.nl.data, new_option.en.data or "")
        except ServiceError as exc:
            new_option.nl.errors = [exc.message]
            return _render_edit(congress, about, question, form, exc.status, new_option=new_option)
        flash(_("The option has been added."), "success")
        return redirect(url_for("questions.edit", slug=slug, target=target, question_id=question.id) + "#options")
    return _render_edit(congress, about, question, form, 422, new_option=new_option)


OPTION_ACTIONS = ("save", "up", "down", "hide", "show", "remove")


@bp.route("/<int:question_id>/options", methods=["POST"])
@roles_required(Role.ORGANISER.value)
def option(slug: str, target: str, question_id: int):
    congress, about, question = _question(slug, target, question_id)
    row = OptionForm()
    action = request.form.get("action", "")
    if not row.validate_on_submit() or action not in OPTION_ACTIONS:
        abort(422)
    value = row.value.data or ""
    try:
        if action == "save":
            services.edit_option(question, value, row.nl.data or "", row.en.data or "")
        elif action in ("up", "down"):
            services.move_option(question, value, -1 if action == "up" else 1)
        elif action in ("hide", "show"):
            services.hide_option(question, value, hidden=action == "hide")
        else:
            services.remove_option(question, value)
    except ServiceError as exc:
        form = QuestionForm(obj=question, formdata=None)
        _choices(form, target)
        return _render_edit(congress, about, question, form, exc.status, option_errors={value: exc.message})
    flash(_("The options have been saved."), "success")
    return redirect(url_for("questions.edit", slug=slug, target=target, question_id=question.id)
                    + "#options")
