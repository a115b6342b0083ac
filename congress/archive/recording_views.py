"""Recordings of a knowledge item: the editors' page (nested in ``archive_manage``: add a video or a
link with captions, replace captions, publish under the speakers' consent, remove) and the public
files (nested in ``archive``: the video, served with ranges, and the captions as text/vtt)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from congress.accounts.access import require_edition, roles_required
from congress.accounts.models import Role
from congress.archive import files as filestore
from congress.archive import recordings
from congress.archive.errors import ArchiveError
from congress.archive.files import FILE_CSP
from congress.archive.forms import CaptionsForm, RecordingActionForm, RecordingForm
from congress.archive.models import KnowledgeItem, KnowledgeRecording, RecordingSource
from congress.archive.services import item_by_key
from congress.archive.webvtt import max_caption_bytes
from congress.errors import show_refusal
from congress.extensions import db, talisman
from congress.i18n import current_language
from congress.uploads import UploadRefused, read_limited

manage_bp = Blueprint("recordings", __name__)
public_bp = Blueprint("recordings", __name__)
EDITOR = Role.ORGANISER.value


@public_bp.app_template_global("recording_transcripts")
def recording_transcripts(recording: KnowledgeRecording, lang: str) -> list[recordings.Transcript]:
    """The transcripts, the page's language first."""
    return sorted(recordings.transcripts(recording), key=lambda t: t.language != lang)


@public_bp.app_template_global("default_caption")
def default_caption(recording: KnowledgeRecording, lang: str) -> str:
    """The language of the captions shown by default: the page's, else the only ones there are."""
    languages = [c.language for c in recording.captions]
    return lang if lang in languages else (languages[0] if languages else "")


@public_bp.app_template_filter("file_size")
def file_size(size: int) -> str:
    """``840 kB`` or ``12,5 MB`` (a decimal comma in Dutch)."""
    if size < 1024 * 1024:
        return f"{max(-(-size // 1024), 1)} kB"
    text = f"{size / (1024 * 1024):.1f}".removesuffix(".0")
    return (text.replace(".", ",") if current_language() == "nl" else text) + " MB"


# --- the editors' page --------------------------------------------------------------------------------

def _item_or_404(item_id: int) -> KnowledgeItem:
    item = db.get_or_404(KnowledgeItem, item_id)
    require_edition(item.congress_id)  # an item of another's edition: 403
    return item


def _recording_or_404(item: KnowledgeItem, recording_id: int) -> KnowledgeRecording:
    recording = recordings.recording_of(item, recording_id)
    if recording is None:
        abort(404)
    return recording


def _page(item: KnowledgeItem, form: RecordingForm | None = None, captions_forms: dict[int, CaptionsForm] | None = None,
          status: int = 200) -> Any:
    forms = captions_forms or {}
    form = form or RecordingForm(prefix="recording")
    form.video.description = _("MP4 or WebM, at most %(size)s. Larger recordings: put them on the organisation's "
                               "video platform and enter the address below.",
                               size=file_size(recordings.max_video_bytes()))
    for language in recordings.CAPTION_LANGUAGES:
        getattr(form, f"captions_{language}").description = _(
            "Optional: a WebVTT file (.vtt) of at most %(size)s, starting with the line WEBVTT.",
            size=file_size(max_caption_bytes()))
    return render_template(
        "archive/manage/recordings.html", item=item, form=form,
        captions_forms={r.id: forms.get(r.id) or CaptionsForm(prefix=f"captions-{r.id}") for r in item.recordings},
        action_form=RecordingActionForm(prefix="action"), missing=recordings.consent_missing(item),
        public={r.id: recordings.is_public(r) for r in item.recordings},
        hosts=recordings.allowed_hosts(),
    ), status


def _read_file(storage: Any, limit: int, field: str) -> bytes | None:
    if storage is None or not getattr(storage, "filename", ""):
        return None
    try:
        return read_limited(storage.stream, limit)
    except UploadRefused as exc:
        raise recordings.RecordingRefused(str(exc), field=field) from exc


@manage_bp.route("/<int:item_id>/recordings", methods=["GET", "POST"])
@roles_required(EDITOR)
def page(item_id: int):
    item = _item_or_404(item_id)
    form = RecordingForm(prefix="recording")
    if request.method == "GET" or not form.validate_on_submit():
        return _page(item, form, status=200 if request.method == "GET" else 422)
    try:
        captions = {}
        for language in recordings.CAPTION_LANGUAGES:
            name = f"captions_{language}"
            data = _read_file(getattr(form, name).data, max_caption_bytes() + 1, name)
            if data is not None:
                captions[language] = data
        video = form.video.data
        recording = recordings.add_recording(
            item, video=(video.stream, video.filename or "") if video is not None and getattr(video, "filename", "")
            else None, url=form.url.data or "", title=form.title.data or "", title_en=form.title_en.data or "",
            captions=captions, publish=bool(form.publish.data))
    except ArchiveError as exc:
        show_refusal(form, exc)
        return _page(item, form, status=422)
    flash(_("The recording has been added and published.") if recording.published
          else _("The recording has been added. It is not published yet."), "success")
    return redirect(url_for("archive_manage.recordings.page", item_id=item.id), 303)


@manage_bp.route("/<int:item_id>/recordings/<int:recording_id>/captions", methods=["POST"])
@roles_required(EDITOR)
def captions(item_id: int, recording_id: int):
    item = _item_or_404(item_id)
    recording = _recording_or_404(item, recording_id)
    form = CaptionsForm(prefix=f"captions-{recording.id}")
    if form.validate_on_submit():
        try:
            data = _read_file(form.file.data, max_caption_bytes() + 1, "file")
            if data is None:
                raise recordings.RecordingRefused(_("Choose a captions file."), field="file")
            recordings.set_captions(recording, form.language.data, data)
        except ArchiveError as exc:
                show_refusal(form, exc)
        else:
            flash(_("The captions have been saved."), "success")
            return redirect(url_for("archive_manage.recordings.page", item_id=item.id), 303)
    return _page(item, captions_forms={recording_id: form}, status=422)


@manage_bp.route("/<int:item_id>/recordings/<int:recording_id>/captions/<language>/delete", methods=["POST"])
@roles_required(EDITOR)
def remove_captions(item_id: int, recording_id: int, language: str):
    item = _item_or_404(item_id)
    recording = _recording_or_404(item, recording_id)
    if RecordingActionForm(prefix="action").validate_on_submit():
        try:
            recordings.remove_captions(recording, language)
        except ArchiveError:
            abort(404)
        flash(_("The captions have been removed."), "success")
    return redirect(url_for("archive_manage.recordings.page", item_id=item.id), 303)


@manage_bp.route("/<int:item_id>/recordings/<int:recording_id>/<action>", methods=["POST"])
@roles_required(EDITOR)
def act(item_id: int, recording_id: int, action: str):
    item = _item_or_404(item_id)  # first: an item of another's edition is refused (403) whatever the action
    if action not in ("publish", "unpublish", "delete"):
        abort(404)
    recording = _recording_or_404(item, recording_id)
    if not RecordingActionForm(prefix="action").validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
    elif action == "publish":
        try:
            recordings.publish_recording(recording)
        except recordings.ConsentMissing as exc:
            flash(exc.message, "error")
        else:
            flash(_("The recording has been published."), "success")
    elif action == "unpublish":
        recordings.unpublish_recording(recording)
        flash(_("The recording is no longer published."), "success")
    else:
        recordings.remove_recording(recording)
        flash(_("The recording has been removed."), "success")
    return redirect(url_for("archive_manage.recordings.page", item_id=item.id), 303)


@manage_bp.route("/<int:item_id>/recordings/<int:recording_id>/video")
@roles_required(EDITOR)
@talisman(content_security_policy=FILE_CSP)
def preview_video(item_id: int, recording_id: int):
    return _send_video(_recording_or_404(_item_or_404(item_id), recording_id))


@manage_bp.route("/<int:item_id>/recordings/<int:recording_id>/captions/<language>.vtt")
@roles_required(EDITOR)
def preview_captions(item_id: int, recording_id: int, language: str):
    return _send_captions(_recording_or_404(_item_or_404(item_id), recording_id), language)


# --- the public files ---------------------------------------------------------------------------------

def _public_recording_or_404(key: str, recording_id: int) -> KnowledgeRecording:
    item = recordings_item_by_key(key)
    recording = recordings.recording_of(item, recording_id) if item is not None else None
    if recording is None or not recordings.is_public(recording):
        abort(404)
    return recording


def recordings_item_by_key(key: str) -> KnowledgeItem | None:
    return item_by_key(key) if len(key) <= 16 else None


def _send_video(recording: KnowledgeRecording) -> Response:
    if recording.source != RecordingSource.FILE.value or not recording.sha256:
        abort(404)
    # Inline (a <video> plays it), with its real type; ranges and ETags come from the storage.
    return filestore.area().send(filestore.key_for(recording.sha256), mimetype=recording.content_type,
                                 download_name=recording.filename, max_age=3600)


def _send_captions(recording: KnowledgeRecording, language: str) -> Response:
    caption = recording.caption(language)
    if caption is None:
        abort(404)
    response = Response(caption.text, mimetype="text/vtt")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@public_bp.route("/item/<key>/recordings/<int:recording_id>/video")
@talisman(content_security_policy=FILE_CSP)
def video(key: str, recording_id: int):
    return _send_video(_public_recording_or_404(key, recording_id))


@public_bp.route("/item/<key>/recordings/<int:recording_id>/captions/<language>.vtt")
@talisman(content_security_policy=FILE_CSP)
def captions_file(key: str, recording_id: int, language: str):
    return _send_captions(_public_recording_or_404(key, recording_id), language)
