"""Speakers' pages of the programme (blueprint ``programme_speakers``, registered with ``programme``):
the public photo of a speaker of the published programme, ``/<slug>/speakers`` (pretalx's address
for the speakers' list), and the organisers' speaker profiles (name, biographies, photo)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.core import services as core
from congress.core.models import Congress
from congress.core.queries import edition_or_404
from congress.errors import InvalidInput
from congress.extensions import talisman
from congress.programme import services as programme
from congress.programme import visits
from congress.storage import storage
from congress.uploads import FILE_CSP

bp = Blueprint("programme_speakers", __name__)

# A photo's address holds its content hash: it never changes, so browsers may keep it for a year.
PHOTO_CACHE = "public, max-age=31536000, immutable"


@bp.app_template_filter("initials")
def initials_filter(name: str) -> str:
    return core.initials(name)


@bp.app_template_filter("since_label")
def since_label_filter(category: str) -> str:
    return visits.category_label(category)


@bp.route("/<slug>/speakers")
def speakers_alias(slug: str):
    """pretalx's address of an event's speakers, for those who type it: the programme's speakers page."""
    edition_or_404(slug)
    return redirect(url_for("programme.speakers_page", slug=slug), code=301)


@bp.route("/<slug>/programme/speakers/<int:person_id>/photo/<name>")
@talisman(content_security_policy=FILE_CSP)
def photo(slug: str, person_id: int, name: str):
    """A speaker's photo, only while they speak in the published programme and it is their photo."""
    congress = edition_or_404(slug)
    person = next((p for p in programme.speakers_of(congress) if p.id == person_id), None)
    if person is None or not person.photo or person.photo != name:
        abort(404)
    key = core.photo_key(name)
    if key is None:
        abort(404)
    etag = name.split(".", 1)[0]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        mimetype = "image/png" if name.endswith(".png") else "image/jpeg"
        response = Response(storage(core.PHOTO_AREA).read(key), mimetype=mimetype)
    response.set_etag(etag)
    response.headers["Cache-Control"] = PHOTO_CACHE
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- the organisers' speaker profiles ---------------------------------------------------------


class SpeakerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    function = StringField(_l("Function"), validators=[Optional(), Length(max=200)])
    bio = TextAreaField(_l("Biography"), validators=[Optional(), Length(max=core.BIO_MAX)],
                        description=_l("In Dutch; shown on the programme's speaker pages."))
    bio_en = TextAreaField(_l("Biography in English"), validators=[Optional(), Length(max=core.BIO_MAX)],
                           description=_l("Optional; English readers see the Dutch one without it."))
    photo = FileField(_l("Photo"), description=_l("JPEG, PNG or WebP, at most 3 MB. It is cropped to a square of "
                                                  "256 pixels; metadata such as the location is removed."))
    remove_photo = BooleanField(_l("Remove the photo"))


def _organiser_congress_or_403(slug: str) -> Congress:
    congress = edition_or_404(slug)
    if not programme.manages_everything(current_user):
        abort(403)
    return congress


@bp.route("/manage/programme/<slug>/speakers")
@roles_required(Role.ORGANISER)
def manage_speakers(slug: str):
    congress = _organiser_congress_or_403(slug)
    public = {p.id for p in programme.speakers_of(congress)}
    return render_template("programme/manage_speakers.html", congress=congress,
                           people=programme.speakers_of_edition(congress), public=public)


@bp.route("/manage/programme/<slug>/speakers/<int:person_id>", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def edit_speaker(slug: str, person_id: int):
    congress = _organiser_congress_or_403(slug)
    person = programme.speaker_of_edition(congress, person_id)
    if person is None:
        abort(404)
    form = SpeakerForm(obj=person)
    status = 200
    if form.validate_on_submit():
        upload = request.files.get("photo")
        data = upload.read(core.PHOTO_MAX_BYTES + 1) if upload is not None and upload.filename else None
        try:
            programme.update_speaker(person, programme.SpeakerData(
                name=form.name.data or "", organisation=form.organisation.data or "",
                function=form.function.data or "", bio=form.bio.data or "", bio_en=form.bio_en.data or ""),
                photo=data, remove_photo=bool(form.remove_photo.data))
        except InvalidInput as exc:
            field = getattr(form, exc.field or "name", None) or form.name
            field.errors = [exc.message]
            status = 422
        else:
            flash(_("The speaker's profile has been saved."), "success")
            return redirect(url_for("programme_speakers.manage_speakers", slug=congress.slug))
    elif request.method == "POST":
        status = 422
    return render_template("programme/manage_speaker_form.html", congress=congress, person=person, form=form,
                           public=any(p.id == person.id for p in programme.speakers_of(congress))), status
