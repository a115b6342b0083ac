"""Editorial pages (/manage/kennisbank): items, versions with diff and restore, files, the status
workflow, and archiving an ended edition's sessions."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from congress.accounts.access import require_edition, roles_required
from congress.accounts.models import Role
from congress.accounts.permissions import my_editions
from congress.archive import files as filestore
from congress.archive import recording_views, services
from congress.archive.errors import ArchiveError
from congress.archive.files import FILE_CSP
from congress.archive.forms import (
    ArchiveSessionsForm,
    ConfirmLevelForm,
    DeleteSynonymForm,
    ItemForm,
    StatusForm,
    SynonymForm,
    UploadForm,
    parse_links,
)
from congress.archive.labels import EVIDENCE_EXPLANATIONS, EVIDENCE_LABELS, STATUS_LABELS
from congress.archive.models import ItemStatus, KnowledgeItem, RelationKind, SearchSynonym
from congress.core.queries import edition_or_404
from congress.extensions import db, talisman
from congress.i18n import current_language
from congress.sanitize import query_int

bp = Blueprint("archive_manage", __name__)
URL_PREFIX = "/manage/kennisbank"
bp.register_blueprint(recording_views.manage_bp)  # /manage/kennisbank/<id>/recordings: the item's recordings
EDITOR = Role.ORGANISER.value
PAGE_SIZE = 50


def _item_or_404(item_id: int) -> KnowledgeItem:
    item = db.get_or_404(KnowledgeItem, item_id)
    require_edition(item.congress_id)  # an item of another's edition: 403
    return item


def _fill_choices(form: ItemForm) -> None:
    form.congress_id.choices = [(0, "—")] + [(c.id, c.title(current_language()))
                                             for c in my_editions(current_user, services.editions(), EDITOR)]
    form.track_id.choices = [(0, "—")] + [(t.id, f"{t.congress.slug}: {t.name(current_language())}")
                                          for t in services.tracks_of_editions()]


def _fields(form: ItemForm) -> dict:
    return {
        "type": form.type.data,
        "title": form.title.data,
        "title_en": form.title_en.data or "",
        "summary": form.summary.data or "",
        "summary_en": form.summary_en.data or "",
        "body": form.body.data or "",
        "congress_id": form.congress_id.data or None,
        "track_id": form.track_id.data or None,
        "authors": form.authors.data,
        "organisations": form.organisations.data,
        "tags": form.tags.data,
        "factors": form.factors.data or [],
        "target_groups": form.target_groups.data,
        "language": form.language.data,
        "licence": form.licence.data or "CC BY 4.0",
        "publication_date": form.publication_date.data,
        "evidence_status": form.evidence_status.data or None,
        "setting": form.setting.data or "",
        "links": parse_links(form.links.data),
        "aim": form.aim.data or "",
        "approach": form.approach.data or "",
        "active_ingredients": form.active_ingredients.data or "",
        "implementers": form.implementers.data or "",
        "tested_at": form.tested_at.data or "",
        "manual": form.manual.data or "",
        "manual_url": (form.manual_url.data or "").strip(),
        "databank_url": (form.databank_url.data or "").strip(),
    }


def _load(form: ItemForm, item: KnowledgeItem) -> None:
    form.type.data = item.type
    form.title.data = item.title
    form.title_en.data = item.title_en
    form.summary.data = item.summary
    form.summary_en.data = item.summary_en
    form.body.data = item.body
    form.congress_id.data = item.congress_id or 0
    form.track_id.data = item.track_id or 0
    form.authors.data = ", ".join(item.authors or [])
    form.organisations.data = ", ".join(item.organisations or [])
    form.tags.data = ", ".join(item.tags)
    form.factors.data = item.factors
    form.target_groups.data = ", ".join(item.target_groups)
    form.language.data = item.language
    form.licence.data = item.licence
    form.publication_date.data = item.publication_date
    form.evidence_status.data = item.evidence_status or ""
    form.setting.data = item.setting
    form.links.data = "\n".join(f"{link.get('title', '')} | {link['url']}" for link in item.links or [])
    form.aim.data = item.aim
    form.approach.data = item.approach
    form.active_ingredients.data = item.active_ingredients
    form.implementers.data = ", ".join(item.implementers or [])
    form.tested_at.data = item.tested_at
    form.manual.data = item.manual
    form.manual_url.data = item.manual_url
    form.databank_url.data = item.databank_url
    relations = services.relations_of(item)
    form.related.data = ", ".join(r.key for r in relations[RelationKind.RELATED.value])
    form.process_evaluations.data = ", ".join(r.key for r in relations[RelationKind.PROCESS_EVALUATION.value])
    form.effect_evaluations.data = ", ".join(r.key for r in relations[RelationKind.EFFECT_EVALUATION.value])
    form.presents.data = ", ".join(r.key for r in relations[RelationKind.PRESENTS.value])


def _set_related(item: KnowledgeItem, form: ItemForm) -> None:
    services.set_related_keys(item, form.related.data or "", process_text=form.process_evaluations.data or "",
                              effect_text=form.effect_evaluations.data or "")
    services.set_presented(item, form.presents.data or "")


@bp.route("/")
@roles_required(EDITOR)
def items():
    status = request.args.get("status", "")
    review = request.args.get("review") == "1"
    query = services.items_to_review() if review else services.items_for_editors(
        status if status in STATUS_LABELS else None)
    pagination = db.paginate(query, page=query_int(request.args, "page", 1) or 1, per_page=PAGE_SIZE,
                             error_out=False)
    to_review = db.session.scalar(sa.select(sa.func.count()).select_from(services.items_to_review().subquery()))
    return render_template("archive/manage/list.html", pagination=pagination, status="" if review else status,
                           status_labels=STATUS_LABELS, review=review, to_review=to_review)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(EDITOR)
def new_item():
    form = ItemForm()
    _fill_choices(form)
    if form.validate_on_submit():
        fields = _fields(form)
        item = services.create_item(fields.pop("type"), fields.pop("title"), note=form.note.data or "", **fields)
        _set_related(item, form)
        flash(_("The item has been saved as a draft."), "success")
        return redirect(url_for("archive_manage.edit_item", item_id=item.id))
    return render_template("archive/manage/edit.html", form=form, item=None, **_level_texts())


@bp.route("/<int:item_id>", methods=["GET", "POST"])
@roles_required(EDITOR)
def edit_item(item_id: int):
    item = _item_or_404(item_id)
    form = ItemForm()
    _fill_choices(form)
    if request.method == "GET":
        _load(form, item)
    if form.validate_on_submit():
        version = services.update_item(item, note=form.note.data or "", **_fields(form))
        _set_related(item, form)
        if version is None:
            flash(_("Nothing was changed."), "info")
        else:
            flash(_("Saved as version %(number)d.", number=version.number), "success")
        return redirect(url_for("archive_manage.edit_item", item_id=item.id))
    return render_template(
        "archive/manage/edit.html", form=form, item=item, upload_form=UploadForm(prefix="upload"),
        status_form=StatusForm(prefix="status"), transitions=sorted(services.TRANSITIONS[item.status]),
        status_labels=STATUS_LABELS, max_mb=filestore.max_bytes() // (1024 * 1024), **_level_texts(),
        level_form=ConfirmLevelForm(prefix="level"),
    )


def _level_texts() -> dict:
    return {"level_labels": EVIDENCE_LABELS, "level_explanations": EVIDENCE_EXPLANATIONS}


@bp.route("/<int:item_id>/level", methods=["POST"])
@roles_required(EDITOR)
def confirm_level(item_id: int):
    """The editor keeps the level the migration converted: the item leaves the list to check."""
    item = _item_or_404(item_id)
    if ConfirmLevelForm(prefix="level").validate_on_submit():
        services.confirm_level(item)
        flash(_("The recognition level has been confirmed."), "success")
    return redirect(url_for("archive_manage.edit_item", item_id=item.id))


@bp.route("/<int:item_id>/status", methods=["POST"])
@roles_required(EDITOR)
def change_status(item_id: int):
    item = _item_or_404(item_id)
    form = StatusForm(prefix="status")
    if form.validate_on_submit():
        try:
            services.set_status(item, form.status.data, reason=form.reason.data or "")
        except (services.ArchiveError, ValueError):
            flash(_("This status change is not possible."), "error")
        else:
            flash(_("Status: %(status)s.", status=STATUS_LABELS[item.status]), "success")
    return redirect(url_for("archive_manage.edit_item", item_id=item.id))


@bp.route("/<int:item_id>/files", methods=["POST"])
@roles_required(EDITOR)
def upload(item_id: int):
    item = _item_or_404(item_id)
    form = UploadForm(prefix="upload")
    if form.validate_on_submit():
        storage = form.file.data
        try:
            services.add_file(item, storage.stream, storage.filename or "", description=form.description.data or "")
        except filestore.UploadRefused as exc:
            flash(_("The file was refused: %(reason)s", reason=str(exc)), "error")
            return redirect(url_for("archive_manage.edit_item", item_id=item.id)), 303
        flash(_("The file has been added."), "success")
    else:
        flash(_("Choose a file to upload."), "error")
    return redirect(url_for("archive_manage.edit_item", item_id=item.id))


@bp.route("/<int:item_id>/files/<int:file_id>")
@roles_required(EDITOR)
@talisman(content_security_policy=FILE_CSP)
def file(item_id: int, file_id: int):
    stored = services.file_of(_item_or_404(item_id), file_id)
    if stored is None:
        abort(404)
    return filestore.send_stored(stored)


@bp.route("/<int:item_id>/files/<int:file_id>/delete", methods=["POST"])
@roles_required(EDITOR)
def delete_file(item_id: int, file_id: int):
    item = _item_or_404(item_id)
    try:
        services.remove_file(item, file_id)
    except services.ArchiveError:
        abort(404)
    flash(_("The file has been removed."), "success")
    return redirect(url_for("archive_manage.edit_item", item_id=item.id))


@bp.route("/<int:item_id>/versions")
@roles_required(EDITOR)
def versions(item_id: int):
    item = _item_or_404(item_id)
    return render_template("archive/manage/versions.html", item=item)


@bp.route("/<int:item_id>/versions/<int:number>")
@roles_required(EDITOR)
def version_diff(item_id: int, number: int):
    item = _item_or_404(item_id)
    try:
        diff = services.diff_version(item, number)
    except services.ArchiveError:
        abort(404)
    version = next(v for v in item.versions if v.number == number)
    return render_template("archive/manage/diff.html", item=item, version=version, diff=diff)


@bp.route("/<int:item_id>/versions/<int:number>/restore", methods=["POST"])
@roles_required(EDITOR)
def restore(item_id: int, number: int):
    item = _item_or_404(item_id)
    try:
        version = services.restore_version(item, number)
    except services.ArchiveError:
        abort(404)
    flash(_("Version %(old)d restored as version %(new)d.", old=number, new=version.number), "success")
    return redirect(url_for("archive_manage.edit_item", item_id=item.id))


@bp.route("/synoniemen", methods=["GET", "POST"])
@roles_required(EDITOR)
def synonyms():
    """The search's synonym list: add a group (POST here), change or remove one (below)."""
    form = SynonymForm()
    if form.validate_on_submit():
        try:
            services.save_synonym(form.words.data)
        except ArchiveError as exc:
            form.words.errors = [exc.message]
        else:
            flash(_("The words have been added to the search."), "success")
            return redirect(url_for("archive_manage.synonyms"))
    return _synonyms_page(form)


def _synonyms_page(form: SynonymForm, failed: SynonymForm | None = None, failed_id: int | None = None):
    groups = services.synonyms()
    edit_forms = {g.id: SynonymForm(prefix=f"s{g.id}", formdata=None, words=g.words) for g in groups}
    if failed is not None and failed_id is not None:
        edit_forms[failed_id] = failed
    return render_template("archive/manage/synonyms.html", form=form, groups=groups, edit_forms=edit_forms,
                           delete_form=DeleteSynonymForm(prefix="delete"))


def _synonym_or_404(synonym_id: int) -> SearchSynonym:
    synonym = db.session.get(SearchSynonym, synonym_id)
    if synonym is None:
        abort(404)
    return synonym


@bp.route("/synoniemen/<int:synonym_id>", methods=["POST"])
@roles_required(EDITOR)
def edit_synonym(synonym_id: int):
    synonym = _synonym_or_404(synonym_id)
    form = SynonymForm(prefix=f"s{synonym.id}")
    if form.validate_on_submit():
        try:
            services.save_synonym(form.words.data, synonym)
        except ArchiveError as exc:
            form.words.errors = [exc.message]
        else:
            flash(_("The words have been saved."), "success")
            return redirect(url_for("archive_manage.synonyms"))
    return _synonyms_page(SynonymForm(formdata=None), form, synonym.id), 422


@bp.route("/synoniemen/<int:synonym_id>/delete", methods=["POST"])
@roles_required(EDITOR)
def delete_synonym(synonym_id: int):
    synonym = _synonym_or_404(synonym_id)
    if DeleteSynonymForm(prefix="delete").validate_on_submit():
        services.delete_synonym(synonym)
        flash(_("The words have been removed from the search."), "success")
    return redirect(url_for("archive_manage.synonyms"))


@bp.route("/sessions")
@roles_required(EDITOR)
def editions():
    return render_template("archive/manage/editions.html",
                           congresses=my_editions(current_user, services.editions(), EDITOR),
                           ended=services.edition_has_ended)


@bp.route("/sessions/<slug>", methods=["GET", "POST"])
@roles_required(EDITOR)
def archive_sessions(slug: str):
    congress = edition_or_404(slug)
    sessions = services.sessions_of(congress)
    archived = services.archived_items_of(sessions)
    form = ArchiveSessionsForm()
    form.sessions.choices = [(s.id, s.title) for s in sessions if s.id not in archived]
    if request.method == "POST" and form.validate_on_submit():
        chosen = None if request.form.get("all") else list(form.sessions.data or [])
        if chosen == []:
            flash(_("Choose one or more sessions."), "error")
            return redirect(url_for("archive_manage.archive_sessions", slug=slug))
        try:
            outcome = services.archive_sessions(congress, chosen, locale=current_language())
        except services.ArchiveError:
            flash(_("Sessions can be archived once the edition has ended."), "error")
            return redirect(url_for("archive_manage.archive_sessions", slug=slug))
        flash(_("%(count)d sessions archived as draft items; their speakers have been invited.",
                count=len(outcome.items)), "success")
        for refused in outcome.refused_files:
            flash(_("A file was not taken up: %(reason)s", reason=refused), "error")
        return redirect(url_for("archive_manage.archive_sessions", slug=slug))
    return render_template("archive/manage/sessions.html", congress=congress, form=form, archived=archived,
                           ended=services.edition_has_ended(congress), status_labels=STATUS_LABELS)


@bp.app_template_global("archive_status_label")
def archive_status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


__all__ = ["bp", "ItemStatus"]
