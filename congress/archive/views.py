"""The public knowledge base (/kennisbank): search with facets, item pages, files, the Atom feed,
CSV export, and the speakers' personal contribution page."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import click
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from congress import spreadsheets
from congress.accounts.models import Role
from congress.archive import files as filestore
from congress.archive import recording_views, recordings, search, services
from congress.archive.catalogue import FILTERS as CATALOGUE_FILTERS
from congress.archive.catalogue import CatalogueFilters, catalogue
from congress.archive.files import FILE_CSP
from congress.archive.forms import ContributeForm
from congress.archive.labels import (
    EVIDENCE_EXPLANATIONS,
    EVIDENCE_LABELS,
    EVIDENCE_RANKS,
    FACET_LABELS,
    TYPE_LABELS,
    facet_value_label,
)
from congress.archive.manage import URL_PREFIX as MANAGE_PREFIX
from congress.archive.manage import bp as manage_bp
from congress.archive.models import ItemStatus, KnowledgeItem, RelationKind
from congress.archive.queries import evaluations_of_intervention, withheld_for_want_of_consent
from congress.archive.text import render_markdown
from congress.extensions import talisman
from congress.i18n import current_language
from congress.sanitize import query_int
from congress.urls import external_url

bp = Blueprint("archive", __name__)
URL_PREFIX = "/kennisbank"
bp.register_blueprint(recording_views.public_bp)  # /kennisbank/item/<key>/recordings/…: the video and captions

FILTER_PARAMS = {
    "type": "types", "track": "tracks", "year": "years", "factor": "factors",
    "target_group": "target_groups", "language": "languages", "level": "levels",
}
MAX_VALUES = 20
EXPORT_LIMIT = 5000


def filters_from_args(args: MultiDict) -> search.SearchFilters:
    values: dict[str, Any] = {}
    for param, attr in FILTER_PARAMS.items():
        raw = [v[:200] for v in args.getlist(param) if v][:MAX_VALUES]
        if param == "year":
            raw = [int(v) for v in raw if v.isdigit() and len(v) == 4]
        values[attr] = raw
    return search.SearchFilters(**values)


def query_args(args: MultiDict) -> tuple[str, str, int]:
    q = args.get("q", "")[:search.MAX_QUERY_CHARS * 10]
    sort = "date" if args.get("sort") == "date" else "relevance"
    try:
        page = int(args.get("page", "1"))
    except ValueError:
        page = 1
    return q, sort, page


def is_editor() -> bool:
    return bool(current_user.is_authenticated and current_user.has_role(Role.ORGANISER.value))


@bp.app_template_filter("item_type")
def item_type_label(value: str) -> str:
    return str(TYPE_LABELS.get(value, value))


@bp.app_template_filter("evidence_label")
def evidence_label(value: str | None) -> str:
    return str(EVIDENCE_LABELS.get(value or "", value or ""))


@bp.app_template_global("level_rank")
def level_rank(value: str | None) -> int:
    """1 (not yet assessed) to 6 (effective, strong indications); 0 without a level."""
    return EVIDENCE_RANKS.get(value or "", 0)


@bp.app_template_global("level_explanation")
def level_explanation(value: str | None) -> str:
    return str(EVIDENCE_EXPLANATIONS.get(value or "", ""))


@bp.app_template_global("archive_url")
def archive_url(endpoint: str = "archive.index", drop: tuple[str, str] | None = None,
                add: tuple[str, str] | None = None, **overrides: Any) -> str:
    """The current search with one facet value added or removed (and the page reset)."""
    params = MultiDict(request.args)
    params.pop("page", None)
    params.pop("lang", None)
    if drop is not None:
        kept = [v for v in params.getlist(drop[0]) if v != str(drop[1])]
        params.setlist(drop[0], kept)
    if add is not None:
        params.add(add[0], str(add[1]))
    for key, value in overrides.items():
        params[key] = str(value)
    return url_for(endpoint, **params.to_dict(flat=False))


@bp.route("/")
def index():
    q, sort, page = query_args(request.args)
    filters = filters_from_args(request.args)
    result = search.search(q, filters, sort=sort, page=page)
    # A misspelling: "did you mean" the nearest indexed words (only offered when they find items).
    suggested = search.suggestion(q, filters) if not result.total and q.strip() else None
    if result.facets.get("level"):  # the levels in the scale's order, lowest first
        result.facets["level"] = sorted(result.facets["level"], key=lambda vc: EVIDENCE_RANKS.get(str(vc[0]), 0))
    selected = {param: {str(v) for v in getattr(filters, attr)} for param, attr in FILTER_PARAMS.items()}
    return render_template(
        "archive/index.html", result=result, q=q, sort=sort, selected=selected, facet_labels=FACET_LABELS,
        facet_value_label=facet_value_label, suggested=suggested,
    )


class Gone(Exception):
    def __init__(self, item: KnowledgeItem) -> None:
        super().__init__(item.key)
        self.item = item


@bp.errorhandler(Gone)
def gone(exc: Gone):
    """A withdrawn item's permalink: 410 with a short explanation (JSON for API clients)."""
    if request.accept_mimetypes.best == "application/json":
        return {"error": {"code": 410, "title": "Gone", "message": exc.item.withdrawal_reason}}, 410
    return render_template("archive/gone.html", item=exc.item), 410


def _public_item_or_abort(key: str) -> KnowledgeItem:
    item = services.item_by_key(key)
    if item is None:
        abort(404)
    if item.status == ItemStatus.WITHDRAWN.value:
        raise Gone(item)
    if item.status != ItemStatus.PUBLISHED.value and not is_editor():
        abort(404)
    if withheld_for_want_of_consent(item) and not is_editor():
        abort(404)  # a recording its speakers have not (all) consented to: the editors' preview only
    return item


@bp.route("/interventies")
def interventions():
    """The catalogue of interventions with its filters as GET parameters (shareable, no script needed)."""
    filters = CatalogueFilters.from_values({name: request.args.getlist(name) for name in CATALOGUE_FILTERS})
    result = catalogue(filters, page=query_int(request.args, "page", 1) or 1)
    selected = {name: set(getattr(filters, name)) for name in CATALOGUE_FILTERS}
    return render_template("archive/interventions.html", result=result, filters=filters, selected=selected,
                           filter_names=CATALOGUE_FILTERS, facet_labels=FACET_LABELS,
                           facet_value_label=facet_value_label, level_labels=EVIDENCE_LABELS,
                           level_explanations=EVIDENCE_EXPLANATIONS)


@bp.route("/item/<key>")
def item(key: str):
    knowledge = _public_item_or_abort(key)
    relations = services.relations_of(knowledge)
    evaluations = {kind: [r for r in relations[kind.value] if r.is_public]
                   for kind in (RelationKind.PROCESS_EVALUATION, RelationKind.EFFECT_EVALUATION)}
    shown = {r.id for found in evaluations.values() for r in found}
    return render_template(
        "archive/item.html", item=knowledge, body=render_markdown(knowledge.body),
        related=[r for r in search.related_items(knowledge) if r.id not in shown],
        preview=knowledge.status != ItemStatus.PUBLISHED.value or withheld_for_want_of_consent(knowledge),
        process_evaluations=evaluations[RelationKind.PROCESS_EVALUATION],
        effect_evaluations=evaluations[RelationKind.EFFECT_EVALUATION],
        session_evaluations=evaluations_of_intervention(knowledge) if knowledge.is_intervention else [],
        recordings=recordings.public_recordings(knowledge),
    )


@bp.route("/item/<key>/files/<int:file_id>")
@talisman(content_security_policy=FILE_CSP)
def download(key: str, file_id: int):
    stored = services.file_of(_public_item_or_abort(key), file_id, public=True)
    if stored is None:
        abort(404)
    return filestore.send_stored(stored)


@bp.route("/feed.atom")
def feed():
    q, _sort, _page = query_args(request.args)
    result = search.search(q, filters_from_args(request.args), sort="date", per_page=50, facets=False)
    atom = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", atom)
    # The feed's language (RFC 4287 §2: xml:lang) and a feed-level author (§4.1.1: required when an
    # entry has none of its own, as items without named authors do).
    lang = current_language()
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    root = ET.Element(f"{{{atom}}}feed", {xml_lang: lang})
    ET.SubElement(root, f"{{{atom}}}title").text = _("Knowledge base") + " · " + _("Congres")
    publisher = ET.SubElement(root, f"{{{atom}}}author")
    ET.SubElement(publisher, f"{{{atom}}}name").text = current_app.config["PUBLISHER_NAME"]
    ET.SubElement(publisher, f"{{{atom}}}uri").text = external_url("archive.index")
    ET.SubElement(root, f"{{{atom}}}id").text = external_url("archive.index")
    ET.SubElement(root, f"{{{atom}}}link", href=external_url("archive.feed"), rel="self")
    ET.SubElement(root, f"{{{atom}}}link", href=external_url("archive.index"), rel="alternate")
    stamps = [h.item.published_at or h.item.updated_at for h in result.hits]
    updated = max(stamps) if stamps else None
    ET.SubElement(root, f"{{{atom}}}updated").text = (updated.isoformat() if updated else "1970-01-01T00:00:00+00:00")
    for hit in result.hits:
        entry_item = hit.item
        entry = ET.SubElement(root, f"{{{atom}}}entry")
        link = external_url("archive.item", key=entry_item.key)
        # The title and summary in the feed's language, the other as fallback: an entry's text in the
        # other language says so with its own xml:lang (RFC 4287 §2).
        title = ET.SubElement(entry, f"{{{atom}}}title")
        title.text = entry_item.title_for(lang)
        if KnowledgeItem.title_for.language(entry_item, lang) != lang:
            title.set(xml_lang, KnowledgeItem.title_for.language(entry_item, lang))
        ET.SubElement(entry, f"{{{atom}}}id").text = link
        ET.SubElement(entry, f"{{{atom}}}link", href=link, rel="alternate")
        stamp = entry_item.published_at or entry_item.updated_at
        ET.SubElement(entry, f"{{{atom}}}updated").text = stamp.isoformat()
        ET.SubElement(entry, f"{{{atom}}}category", term=entry_item.type, label=item_type_label(entry_item.type))
        for name in entry_item.authors or []:
            author = ET.SubElement(entry, f"{{{atom}}}author")
            ET.SubElement(author, f"{{{atom}}}name").text = name
        summary = ET.SubElement(entry, f"{{{atom}}}summary", type="text")
        summary.text = entry_item.summary_for(lang)
        if KnowledgeItem.summary_for.language(entry_item, lang) != lang:
            summary.set(xml_lang, KnowledgeItem.summary_for.language(entry_item, lang))
        ET.SubElement(entry, f"{{{atom}}}rights").text = entry_item.licence
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml")


@bp.route("/export.csv")
def export():
    q, sort, _page = query_args(request.args)
    result = search.search(q, filters_from_args(request.args), sort=sort, per_page=EXPORT_LIMIT, facets=False)
    rows = []
    header = ["title", "type", "year", "track", "authors", "organisations", "protective_factors",
              "target_groups", "evidence_status", "language", "licence", "publication_date", "url"]
    for hit in result.hits:
        row_item = hit.item
        rows.append([
            row_item.title, row_item.type, row_item.year or "", row_item.track_name, "; ".join(row_item.authors or []),
            "; ".join(row_item.organisations or []), "; ".join(row_item.factors), "; ".join(row_item.target_groups),
            row_item.evidence_status or "", row_item.language, row_item.licence,
            row_item.publication_date.isoformat() if row_item.publication_date else "",
            external_url("archive.item", key=row_item.key),
        ])
    return Response(spreadsheets.to_csv(header, rows), mimetype=spreadsheets.CSV_MIMETYPE,
                    headers={"Content-Disposition": 'attachment; filename="kennisbank.csv"'})


@bp.route("/contribute/<token>", methods=["GET", "POST"])
def contribute(token: str):
    invitation = services.invitation_for(token)
    if invitation is None:
        abort(404)
    form = ContributeForm()
    if request.method == "GET":
        form.summary.data = invitation.item.summary
    if form.validate_on_submit():
        uploads = [(f.stream, f.filename or "") for f in (form.files.data or []) if getattr(f, "filename", "")]
        try:
            added = services.contribute(invitation, summary=form.summary.data, uploads=uploads,
                                        consent=form.publication_consent.data, licence=form.licence.data)
        except filestore.UploadRefused as exc:
            form.files.errors = [str(exc)]
        else:
            flash(_("Thank you. Your contribution has been saved (%(count)d files added).", count=len(added)),
                  "success")
            return redirect(url_for("archive.contribute", token=token))
    return render_template("archive/contribute.html", form=form, invitation=invitation, item=invitation.item,
                           max_mb=filestore.max_bytes() // (1024 * 1024))


@bp.errorhandler(filestore.UploadRefused)
def refused(exc: filestore.UploadRefused):
    current_app.logger.info("upload refused: %s", exc)
    abort(400)


def _register_editorial_pages(state) -> None:
    """The editorial blueprint (``archive_manage``) comes with the public one."""
    state.app.register_blueprint(manage_bp, url_prefix=MANAGE_PREFIX)


bp.record_once(_register_editorial_pages)


@bp.cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the full-text index of every knowledge item (flask archive reindex)."""
    count = search.reindex_all()
    click.echo(f"{count} knowledge items indexed.")
