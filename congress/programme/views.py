"""Programme pages: the public programme, its feeds and exports, and the management pages
(sessions, tracks, rooms, the schedule editor, publishing)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.core.models import Congress, Person, Room, Track
from congress.core.queries import all_congresses, edition_or_404, of_edition_or_404
from congress.extensions import db
from congress.i18n import current_language, format_in_zone
from congress.programme import feeds, speaker_views, visits
from congress.programme import services as programme
from congress.programme.caching import cached_programme
from congress.programme.calendar import calendar_for_sessions
from congress.programme.forms import (
    MoveForm,
    PublishForm,
    RoomForm,
    SessionForm,
    SignupRoundForm,
    TrackForm,
    format_choices,
)
from congress.programme.models import ProgrammeSession, SignupRound
from congress.programme.signals import feedback_url_wanted
from congress.security import embeddable
from congress.signals import first_answer
from congress.urls import external_url, public_base_url, public_domain, webcal_url

bp = Blueprint("programme", __name__)

EDITORS = (Role.ORGANISER, Role.TRACK_MANAGER)
bp.record_once(lambda state: state.app.register_blueprint(speaker_views.bp))  # photos, speakers' profiles


@bp.app_template_filter("change_label")
def change_label_filter(kind: str) -> str:
    return programme.change_label(kind)


@bp.app_template_filter("iso_in_zone")
def iso_in_zone_filter(value: str | None, timezone: str) -> str:
    return format_in_zone(datetime.fromisoformat(value), timezone, "EEE d MMM HH:mm") if value else ""


# --------------------------------------------------------------------------------------------
# Public
# --------------------------------------------------------------------------------------------


def _filter_or_400(congress: Congress) -> programme.ProgrammeFilter:
    try:
        return programme.parse_filter(congress, request.args)
    except programme.BadFilter:
        abort(400, description=_("The day in the address is not a valid date (use YYYY-MM-DD)."))


def _session_url(congress: Congress, s: ProgrammeSession) -> str:
    return external_url("programme.session_page", slug=congress.slug, session_id=s.id)


@bp.route("/<slug>/programme")
@visits.remember_version
@cached_programme(extra=visits.cache_key)
def programme_page(congress: Congress):
    flt = _filter_or_400(congress)
    view = "grid" if request.args.get("view") == "grid" else "list"
    days = programme.congress_days(congress)
    day = flt.day or (days[0] if len(days) > 1 and view == "grid" else None)
    sessions = [s for s in programme.public_sessions(congress)
                if programme.ProgrammeFilter(None, flt.track_ids, flt.formats, flt.languages).matches(s, congress)]
    shown_days = [day] if day else days
    grouped = dict(programme.group_by_day(sessions, congress))
    grids = {}
    if view == "grid":
        rooms = list(congress.rooms)
        for d in shown_days:
            grids[d] = programme.day_grid(congress, d, grouped.get(d, []), rooms)
    ics_args = flt.query_args(with_day=False)
    return render_template(
        "programme/public_programme.html", congress=congress, flt=flt, view=view, days=days, day=day,
        shown_days=shown_days, grouped=grouped, grids=grids, rooms=list(congress.rooms),
        formats=format_choices(), filter_args=flt.query_args(),
        ics_url=url_for("programme.programme_ics", slug=congress.slug, **ics_args),
        webcal_url=webcal_url("programme.programme_ics", slug=congress.slug, **ics_args),
        version=programme.latest_version(congress), **visits.since_last_visit(congress),
    )


def _public_session_or_404(congress: Congress, session_id: int) -> programme.PublishedSession:
    for session in programme.public_sessions(congress):
        if session.id == session_id:
            return session
    abort(404)


def _seats_key(congress: Congress, session_id: int) -> str:
    session = db.session.get(ProgrammeSession, session_id)
    return str(programme.seats_left(session)) if session is not None else ""


@bp.route("/<slug>/programme/embed")
@embeddable
@cached_programme()
def programme_embed(congress: Congress):
    """The programme for other sites' <iframe> (EMBED_ORIGINS): the list, with the page's filters."""
    flt = _filter_or_400(congress)
    days = programme.congress_days(congress)
    sessions = [s for s in programme.public_sessions(congress)
                if programme.ProgrammeFilter(None, flt.track_ids, flt.formats, flt.languages).matches(s, congress)]
    shown_days = [flt.day] if flt.day else days
    return render_template("programme/embed.html", congress=congress, flt=flt, days=days, shown_days=shown_days,
                           grouped=dict(programme.group_by_day(sessions, congress)), formats=format_choices(),
                           version=programme.latest_version(congress))


@bp.route("/<slug>/programme/sessions/<int:session_id>")
@cached_programme(extra=_seats_key)
def session_page(congress: Congress, session_id: int):
    session = _public_session_or_404(congress, session_id)
    return render_template(
        "programme/public_session.html", congress=congress, s=session, seats_left=programme.seats_left(session),
        webcal_url=webcal_url("programme.session_ics", slug=congress.slug, session_id=session.id),
    )


@bp.route("/<slug>/programme/speakers/<int:person_id>")
@cached_programme()
def speaker_page(congress: Congress, person_id: int):
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    sessions = programme.sessions_of_speaker(congress, person)
    if not sessions:
        abort(404)
    return render_template("programme/public_speaker.html", congress=congress, person=person, sessions=sessions)


@bp.route("/<slug>/programme/speakers")
@cached_programme()
def speakers_page(congress: Congress):
    return render_template("programme/public_speakers.html", congress=congress,
                           people=programme.speakers_of(congress))


@bp.route("/<slug>/programme/rooms/<int:room_id>")
@cached_programme()
def room_page(congress: Congress, room_id: int):
    room = of_edition_or_404(Room, room_id, congress)
    sessions = [s for s in programme.public_sessions(congress) if s.room_id == room.id]
    return render_template("programme/public_room.html", congress=congress, room=room,
                           grouped=programme.group_by_day(sessions, congress))


@bp.route("/<slug>/programme.pdf")
@cached_programme(html=False)
def programme_pdf(congress: Congress):
    from weasyprint import HTML  # noqa: PLC0415 - heavy (Pango, fonts); only this export needs it

    flt = _filter_or_400(congress)
    sessions = programme.filtered_sessions(congress, flt)
    html = render_template("programme/print.html", congress=congress,
                           grouped=programme.group_by_day(sessions, congress))
    pdf = HTML(string=html, base_url=public_base_url() + "/").write_pdf(pdf_variant="pdf/ua-1")  # tagged
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{congress.slug}-programme.pdf"'})


def _ics(congress: Congress, sessions: list[ProgrammeSession], name: str, filename: str) -> Response:
    body = calendar_for_sessions(
        sessions, congress, name=name, domain=public_domain(), url_for=lambda s: _session_url(congress, s),
        locale=current_language(),
    )
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@bp.route("/<slug>/programme.ics")
@cached_programme(html=False)
def programme_ics(congress: Congress):
    flt = _filter_or_400(congress)
    return _ics(congress, programme.filtered_sessions(congress, flt), congress.title(current_language()),
                f"{congress.slug}.ics")


@bp.route("/<slug>/programme/tracks/<int:track_id>.ics")
@cached_programme(html=False)
def track_ics(congress: Congress, track_id: int):
    track = of_edition_or_404(Track, track_id, congress)
    sessions = [s for s in programme.public_sessions(congress) if s.track_id == track.id]
    return _ics(congress, sessions, f"{congress.title(current_language())}: {track.name(current_language())}",
                f"{congress.slug}-track-{track.id}.ics")


@bp.route("/<slug>/programme/sessions/<int:session_id>.ics")
@cached_programme(html=False)
def session_ics(congress: Congress, session_id: int):
    session = _public_session_or_404(congress, session_id)
    return _ics(congress, [session], session.title_for(current_language()), f"{congress.slug}-session-{session.id}.ics")


def _export_urls(congress: Congress) -> feeds.Urls:
    return feeds.Urls(
        base=external_url("programme.programme_page", slug=congress.slug),
        session=lambda s: _session_url(congress, s),
        person=lambda p: external_url("programme.speaker_page", slug=congress.slug, person_id=p.id),
        room=lambda room_id: external_url("programme.room_page", slug=congress.slug, room_id=room_id),
        ics=lambda s: external_url("programme.session_ics", slug=congress.slug, session_id=s.id),
        feedback=first_answer(feedback_url_wanted, congress),
    )


def _version_label(congress: Congress) -> str:
    latest = programme.latest_version(congress)
    stamp = (congress.programme_changed_at or congress.created_at).strftime("%Y%m%d%H%M%S")
    return f"{latest.number if latest else 0}.{stamp}"


@bp.route("/<slug>/schedule.json")
@cached_programme(html=False)
def schedule_json(congress: Congress):
    data = feeds.schedule_json(congress, _export_urls(congress), version=_version_label(congress),
                               locale=current_language())
    return jsonify(data)


@bp.route("/<slug>/schedule.xml")
@cached_programme(html=False)
def schedule_xml(congress: Congress):
    body = feeds.schedule_xml(congress, _export_urls(congress), version=_version_label(congress),
                              locale=current_language())
    return Response(body, mimetype="application/xml")


@bp.route("/<slug>/programme/tracks.css")
@cached_programme(html=False)
def tracks_css(congress: Congress):
    """Each track's own colour for the grids (a stylesheet: the CSP forbids inline styles)."""
    rules = [f".grid-session.track-{t.id} {{ border-left-color: {t.colour}; }}"
             for t in congress.tracks if re.fullmatch(r"#[0-9a-fA-F]{6}", t.colour or "")]
    return Response("\n".join(rules) + "\n", mimetype="text/css")


@bp.route("/<slug>/programme/changes")
@cached_programme()
def changes_page(congress: Congress):
    return render_template("programme/public_changes.html", congress=congress,
                           versions=programme.versions(congress))


@bp.route("/<slug>/programme/changes.atom")
@cached_programme(html=False)
def changes_atom(congress: Congress):
    body = render_template("programme/changes_atom.xml", congress=congress, versions=programme.versions(congress),
                           feed_url=external_url("programme.changes_atom", slug=congress.slug),
                           page_url=external_url("programme.changes_page", slug=congress.slug))
    return Response(body, mimetype="application/atom+xml")


# --------------------------------------------------------------------------------------------
# Management
# --------------------------------------------------------------------------------------------


def _managed_congress_or_403(slug: str) -> Congress:
    congress = edition_or_404(slug)
    if not programme.can_manage_congress(current_user, congress):
        abort(403)
    return congress


def _organiser_congress_or_403(slug: str) -> Congress:
    congress = edition_or_404(slug)
    if not programme.manages_everything(current_user):
        abort(403)
    return congress


def _show_next_to_field(form: FlaskForm, exc: programme.ProgrammeError, default: str, *, keep: bool = False) -> None:
    """A refused change's message next to the field it names (``default`` when it names none)."""
    field = getattr(form, exc.field or default, None)
    if field is None:
        field = getattr(form, default)
    if keep and isinstance(field.errors, list):
        field.errors = [*field.errors, exc.message]
    else:
        field.errors = [exc.message]


def _to_utc(congress: Congress, value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=programme.zone(congress)).astimezone(UTC)


def _to_local(congress: Congress, value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(programme.zone(congress)).replace(tzinfo=None)


@bp.route("/manage/programme/")
@roles_required(*EDITORS)
def manage_index():
    mine = [c for c in all_congresses() if programme.can_manage_congress(current_user, c)]
    return render_template("programme/manage_index.html", congresses=mine)


@bp.route("/manage/programme/<slug>/")
@roles_required(*EDITORS)
def manage_sessions(slug: str):
    congress = _managed_congress_or_403(slug)
    sessions = programme.all_sessions(congress)
    conflicts = programme.find_conflicts(congress)
    return render_template(
        "programme/manage_sessions.html", congress=congress, sessions=sessions, conflicts=conflicts,
        by_session=programme.conflicts_by_session(conflicts),
        editable={s.id for s in sessions if programme.can_edit_session(current_user, s)},
        organiser=programme.manages_everything(current_user), version=programme.latest_version(congress),
    )


def _session_form(congress: Congress, session: ProgrammeSession | None) -> SessionForm:
    form = SessionForm(obj=session) if request.method == "GET" and session is not None else SessionForm()
    form.format.choices = format_choices()
    tracks = programme.editable_tracks(current_user, congress)
    if session is not None and session.track is not None and session.track not in tracks:
        tracks = [*tracks, session.track]
    track_choices = [(t.id, t.name(current_language())) for t in tracks]
    if programme.manages_everything(current_user):
        track_choices = [(None, _("(no track)")), *track_choices]
    form.track_id.choices = track_choices
    form.room_id.choices = [(None, _("(no room)"))] + [(r.id, f"{r.name} ({r.capacity})") for r in congress.rooms]
    rounds = programme.signup_rounds(congress)
    form.signup_round_id.choices = [(None, _("(none)"))] + [(r.id, r.name(current_language())) for r in rounds]
    people = programme.all_people()
    form.speaker_ids.choices = [(p.id, f"{p.name}{' · ' + p.organisation if p.organisation else ''}")
                                for p in people]
    if request.method == "GET" and session is not None:
        form.starts_at.data = _to_local(congress, session.starts_at)
        form.ends_at.data = _to_local(congress, session.ends_at)
        form.speaker_ids.data = [p.id for p in session.speakers]
    return form


@bp.route("/manage/programme/<slug>/sessions/new", methods=["GET", "POST"])
@bp.route("/manage/programme/<slug>/sessions/<int:session_id>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit_session(slug: str, session_id: int | None = None):
    congress = _managed_congress_or_403(slug)
    session = None
    if session_id is not None:
        session = of_edition_or_404(ProgrammeSession, session_id, congress)
        if not programme.can_edit_session(current_user, session):
            abort(403)
    form = _session_form(congress, session)
    if form.validate_on_submit():
        try:
            speaker_ids = list(form.speaker_ids.data or [])
            if form.new_speaker_name.data and form.new_speaker_name.data.strip():
                speaker_ids.append(programme.add_speaker(form.new_speaker_name.data,
                                                         form.new_speaker_email.data).id)
            data = programme.SessionData(
                title=form.title.data or "", abstract=form.abstract.data or "", format=form.format.data,
                title_en=form.title_en.data or "", abstract_en=form.abstract_en.data or "",
                language=form.language.data, target_audience=form.target_audience.data or "",
                track_id=form.track_id.data, room_id=form.room_id.data,
                starts_at=_to_utc(congress, form.starts_at.data), ends_at=_to_utc(congress, form.ends_at.data),
                capacity=form.capacity.data, signup_round_id=form.signup_round_id.data,
                signup_required=form.signup_required.data, is_cancelled=form.is_cancelled.data,
                speaker_ids=speaker_ids, stream_url=form.stream_url.data or "",
            )
            saved = programme.save_session(congress, session, data, current_user)
        except programme.ProgrammeError as exc:
            _show_next_to_field(form, exc, "title", keep=True)
        except programme.NotAllowed:
            abort(403)
        else:
            flash(_("The session “%(title)s” has been saved.", title=saved.title), "success")
            return redirect(url_for("programme.manage_sessions", slug=congress.slug))
    return render_template("programme/manage_session_form.html", congress=congress, form=form, session=session)


@bp.route("/manage/programme/<slug>/sessions/<int:session_id>/delete", methods=["POST"])
@roles_required(*EDITORS)
def delete_session(slug: str, session_id: int):
    congress = _managed_congress_or_403(slug)
    session = of_edition_or_404(ProgrammeSession, session_id, congress)
    try:
        programme.delete_session(session, current_user)
    except programme.NotAllowed:
        abort(403)
    flash(_("The session has been deleted."), "success")
    return redirect(url_for("programme.manage_sessions", slug=congress.slug))


@bp.route("/manage/programme/<slug>/schedule")
@roles_required(*EDITORS)
def schedule_editor(slug: str):
    congress = _managed_congress_or_403(slug)
    days = programme.congress_days(congress)
    try:
        day = date.fromisoformat(request.args["day"]) if request.args.get("day") else days[0]
    except ValueError:
        abort(400, description=_("The day in the address is not a valid date (use YYYY-MM-DD)."))
    if day not in days:
        day = days[0]
    sessions = programme.all_sessions(congress)
    conflicts = programme.find_conflicts(congress)
    rooms = list(congress.rooms)
    grid = programme.day_grid(congress, day, [s for s in sessions if s.starts_at], rooms)
    editable = {s.id for s in sessions if programme.can_edit_session(current_user, s)}
    move_form = MoveForm()
    move_form.room_id.choices = [(r.id, r.name) for r in rooms]
    move_form.day.choices = [(d.isoformat(), d.isoformat()) for d in days]
    return render_template(
        "programme/manage_schedule.html", congress=congress, day=day, days=days, grid=grid, rooms=rooms,
        conflicts=conflicts, by_session=programme.conflicts_by_session(conflicts), editable=editable,
        unscheduled=[s for s in sessions if s.starts_at is None and s.id in editable],
        placed=[s for s in sessions if s.starts_at is not None and s.id in editable
                and programme.local_day(s, congress) == day],
        move_form=move_form,
    )


@bp.route("/manage/programme/<slug>/schedule/move", methods=["POST"])
@roles_required(*EDITORS)
def move_session(slug: str):
    """The grid's drop target and the plain form without JavaScript (JSON when asked for)."""
    congress = _managed_congress_or_403(slug)
    wants_json = request.accept_mimetypes.best == "application/json"
    form = MoveForm()
    form.room_id.choices = [(r.id, r.name) for r in congress.rooms]
    form.day.choices = [(d.isoformat(), d.isoformat()) for d in programme.congress_days(congress)]
    day_value = form.day.data

    def answer(ok: bool, message: str, status: int = 200):
        if wants_json:
            return jsonify({"ok": ok, "message": message,
                            "conflicts": [c.message for c in programme.find_conflicts(congress)]}), status
        flash(message, "success" if ok else "error")
        return redirect(url_for("programme.schedule_editor", slug=congress.slug, day=day_value))

    if not form.validate_on_submit():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return answer(False, errors or _("The move could not be read."), 400)
    if not form.session_id.data.isdigit():
        abort(404)
    session = of_edition_or_404(ProgrammeSession, int(form.session_id.data), congress)
    hours, minutes = (int(x) for x in form.start.data.split(":"))
    starts_at = programme.local_datetime(congress, date.fromisoformat(form.day.data), time(hours, minutes))
    try:
        programme.move_session(session, current_user, room_id=form.room_id.data, starts_at=starts_at)
    except programme.NotAllowed:
        abort(403)
    except programme.ProgrammeError as exc:
        return answer(False, exc.message, 409)
    return answer(True, _("“%(title)s” has been moved.", title=session.title))


@bp.route("/manage/programme/<slug>/publish", methods=["GET", "POST"])
@roles_required(*EDITORS)
def publish(slug: str):
    congress = _managed_congress_or_403(slug)
    form = PublishForm()
    changes, _snapshot = programme.pending_changes(congress)
    preview = programme.mail_preview(congress, changes)
    # Guard rail: a version that e-mails people is published only from the confirmation step, which
    # says how many; the numbers it showed are posted back, so that a version that would mail others
    # than were shown asks again.
    shown = f"{preview.speakers}/{preview.attendees}"
    confirming = False
    status = 200
    conflicts = programme.find_conflicts(congress)
    hard = [c for c in conflicts if c.is_hard]
    if form.validate_on_submit():
        if preview.mails_anyone and not hard and request.form.get("mails") != shown:
            confirming = True
        else:
            try:
                version = programme.publish(congress, current_user, form.note.data or "")
            except programme.PublishRefused as refused:
                flash(refused.message, "error")
            except programme.NothingToPublish as refused:
                flash(refused.message, "error")
                status = 409
            else:
                flash(_("Version %(number)d of the programme has been published.", number=version.number),
                      "success")
                return redirect(url_for("programme.publish", slug=congress.slug))
    return render_template("programme/manage_publish.html", congress=congress, form=form, conflicts=conflicts,
                           hard=hard, changes=changes, preview=preview,
                           confirming=confirming, shown=shown, versions=programme.versions(congress)), status


@bp.route("/manage/programme/<slug>/tracks")
@roles_required(Role.ORGANISER)
def manage_tracks(slug: str):
    congress = _organiser_congress_or_403(slug)
    return render_template("programme/manage_tracks.html", congress=congress, managers=programme.managers_by_track())


@bp.route("/manage/programme/<slug>/tracks/new", methods=["GET", "POST"])
@bp.route("/manage/programme/<slug>/tracks/<int:track_id>", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def edit_track(slug: str, track_id: int | None = None):
    congress = _organiser_congress_or_403(slug)
    track = None
    if track_id is not None:
        track = of_edition_or_404(Track, track_id, congress)
    form = TrackForm(obj=track) if request.method == "GET" and track is not None else TrackForm()
    form.managers.choices = [(u.id, f"{u.name or u.email} <{u.email}>") for u in programme.track_manager_candidates()]
    if request.method == "GET" and track is not None:
        form.managers.data = programme.track_manager_ids(track)
    if form.validate_on_submit():
        try:
            saved = programme.save_track(
                congress, track, name_nl=form.name_nl.data, name_en=form.name_en.data, colour=form.colour.data,
                description_nl=form.description_nl.data or "", description_en=form.description_en.data or "",
                manager_ids=form.managers.data or [],
            )
        except programme.ProgrammeError as exc:
            _show_next_to_field(form, exc, "name_nl")
        else:
            flash(_("The track “%(name)s” has been saved.", name=saved.name(current_language())), "success")
            return redirect(url_for("programme.manage_tracks", slug=congress.slug))
    return render_template("programme/manage_track_form.html", congress=congress, form=form, track=track)


@bp.route("/manage/programme/<slug>/rooms")
@roles_required(Role.ORGANISER)
def manage_rooms(slug: str):
    congress = _organiser_congress_or_403(slug)
    return render_template("programme/manage_rooms.html", congress=congress)


@bp.route("/manage/programme/<slug>/rooms/new", methods=["GET", "POST"])
@bp.route("/manage/programme/<slug>/rooms/<int:room_id>", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def edit_room(slug: str, room_id: int | None = None):
    congress = _organiser_congress_or_403(slug)
    room = None
    if room_id is not None:
        room = of_edition_or_404(Room, room_id, congress)
    form = RoomForm(obj=room) if request.method == "GET" and room is not None else RoomForm()
    if request.method == "GET" and room is not None:
        form.available_from.data = _to_local(congress, room.available_from)
        form.available_until.data = _to_local(congress, room.available_until)
    if form.validate_on_submit():
        try:
            saved = programme.save_room(
                congress, room, name=form.name.data, capacity=form.capacity.data,
                accessibility_notes=form.accessibility_notes.data or "", stream_url=form.stream_url.data or "",
                available_from=_to_utc(congress, form.available_from.data),
                available_until=_to_utc(congress, form.available_until.data),
            )
        except programme.ProgrammeError as exc:
            _show_next_to_field(form, exc, "name")
        else:
            flash(_("The room “%(name)s” has been saved.", name=saved.name), "success")
            return redirect(url_for("programme.manage_rooms", slug=congress.slug))
    return render_template("programme/manage_room_form.html", congress=congress, form=form, room=room)


@bp.route("/manage/programme/<slug>/rounds", methods=["GET", "POST"])
@bp.route("/manage/programme/<slug>/rounds/<int:round_id>", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def manage_rounds(slug: str, round_id: int | None = None):
    """Sign-up rounds: time slots of parallel sessions of which an attendee picks one."""
    congress = _organiser_congress_or_403(slug)
    current = None
    if round_id is not None:
        current = of_edition_or_404(SignupRound, round_id, congress)
    form = SignupRoundForm(obj=current) if request.method == "GET" and current is not None else SignupRoundForm()
    if form.validate_on_submit():
        try:
            saved = programme.save_signup_round(congress, current, name_nl=form.name_nl.data,
                                                name_en=form.name_en.data or "", position=form.position.data or 0)
        except programme.ProgrammeError as exc:
            _show_next_to_field(form, exc, "name_nl")
        else:
            flash(_("The sign-up round “%(name)s” has been saved.", name=saved.name(current_language())), "success")
            return redirect(url_for("programme.manage_rounds", slug=congress.slug))
    return render_template("programme/manage_rounds.html", congress=congress, form=form, current=current,
                           rounds=programme.signup_rounds(congress))
