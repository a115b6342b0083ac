"""Check-in pages: the station (for tablets and scanners), and for staff and organisers the
stations, a scan form that works without JavaScript, manual search, undo and the live dashboard."""

from __future__ import annotations

import io
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from congress.accounts.access import roles_required
from congress.accounts.models import Role
from congress.audit.services import record_export
from congress.badges import queries as badge_queries
from congress.badges import services as badges
from congress.checkin import queries, services
from congress.checkin.forms import ScanForm, SearchForm, StationForm
from congress.checkin.models import VENUE, CheckIn, Station
from congress.core.queries import edition_or_404, of_edition_or_404
from congress.database import utcnow
from congress.extensions import talisman
from congress.i18n import current_language
from congress.programme.models import ProgrammeSession
from congress.registration import queries as registrations
from congress.registration.models import Registration
from congress.security import CONTENT_SECURITY_POLICY, private_page
from congress.urls import external_url

bp = Blueprint("checkin", __name__)


def _local_next(default: str) -> str:
    target = request.form.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default


def _list_choices(congress) -> list[SelectChoice]:
    choices = [SelectChoice(VENUE, _("Venue entrance"))]
    for session in congress.sessions:
        if session.starts_at is not None:
            label = f"{session.title} ({session.room.name if session.room else '—'})"
            choices.append(SelectChoice(str(session.id), label))
    return choices


# --- the station device ---------------------------------------------------------------------------

# The camera's QR decoder (where the browser has no BarcodeDetector) is WebAssembly: this page alone
# may compile it. Still no inline scripts, no other hosts.
STATION_CSP = {**CONTENT_SECURITY_POLICY, "script-src": "'self' 'wasm-unsafe-eval'"}


@bp.route("/station/")
@talisman(content_security_policy=STATION_CSP)
def station():
    """A shell: the device signs in with the station token from its set-up link (kept on the device)."""
    statuses = {status: str(label) for status, label in registrations.STATUS_LABELS.items()}
    return render_template("checkin/station.html", statuses=statuses)


@bp.route("/station/sw.js")
def station_worker():
    """The station's service worker, served from /station/ so that its scope is the station page."""
    response = send_from_directory(Path(current_app.static_folder) / "js", "station-sw.js",
                                   mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


# --- staff ---------------------------------------------------------------------------------------

@bp.route("/manage/checkin/<slug>/", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def stations(slug: str):
    congress = edition_or_404(slug)
    form = StationForm()
    form.list.choices = _list_choices(congress)
    created = None
    if form.validate_on_submit():
        session_id = None if form.list.data == VENUE else int(form.list.data)
        station, secret = services.create_station(congress, form.name.data, session_id=session_id)
        link = external_url("checkin.station") + "#setup=" + secret
        created = {"station": station, "link": link, "qr": badges.qr_svg(link, title=_("Set-up link"))}
        flash(_("Station %(name)s created. Open the set-up link on the device; it is shown only once.",
                name=station.name), "success")
    return render_template("checkin/stations.html", congress=congress, form=form,
                           stations=queries.stations_of(congress), created=created)


@bp.route("/manage/checkin/<slug>/stations/<int:station_id>/revoke", methods=["POST"])
@roles_required(Role.ORGANISER)
def revoke_station(slug: str, station_id: int):
    congress = edition_or_404(slug)
    station = of_edition_or_404(Station, station_id, congress)
    services.revoke_station(station)
    flash(_("Station %(name)s can no longer scan.", name=station.name), "success")
    return redirect(url_for("checkin.stations", slug=slug))


@bp.route("/manage/checkin/<slug>/scan", methods=["GET", "POST"])
@roles_required(Role.CHECKIN, Role.ORGANISER)
def scan(slug: str):
    """Scanning without JavaScript: a USB or Bluetooth scanner types into the field and presses Enter."""
    congress = edition_or_404(slug)
    form = ScanForm()
    form.list.choices = _list_choices(congress)
    answer = None
    if form.validate_on_submit():
        try:
            answer = services.scan(services.Scan(
                code=form.code.data.strip(), list=form.list.data, congress=congress, user_id=current_user.id,
                admit=form.admit.data, station_label=current_user.name or current_user.email))
        except services.CheckinError:
            form.list.errors = [*form.list.errors, _("Choose a list of this edition.")]
        form.code.data = ""
        form.admit.data = False
    return render_template("checkin/scan.html", congress=congress, form=form, answer=answer)


@bp.route("/manage/checkin/<slug>/search")
@roles_required(Role.CHECKIN, Role.ORGANISER)
def search(slug: str):
    """For those who forgot their badge: find them, check them in, print a badge on the spot."""
    congress = edition_or_404(slug)
    form = SearchForm(request.args)
    people: list[Registration] = []
    if request.args and form.validate():
        people = registrations.find_for_checkin(congress, form.q.data, limit=50)
    present = queries.venue_checkins(congress, [p.id for p in people])
    return render_template("checkin/search.html", congress=congress, form=form, people=people, present=present)


@bp.route("/manage/checkin/<slug>/registrations/<int:registration_id>/checkin", methods=["POST"])
@roles_required(Role.CHECKIN, Role.ORGANISER)
def manual_checkin(slug: str, registration_id: int):
    congress = edition_or_404(slug)
    registration = of_edition_or_404(Registration, registration_id, congress)
    code = badges.issue_code(registration)
    answer = services.scan(services.Scan(code=code, congress=congress, user_id=current_user.id,
                                         station_label=current_user.name or current_user.email))
    messages = {
        "ok": (_("%(name)s is checked in.", name=registration.name), "success"),
        "already_checked_in": (_("%(name)s was already checked in.", name=registration.name), "info"),
    }
    message, category = messages.get(answer["result"], (_("%(name)s cannot be checked in (%(result)s).",
                                                           name=registration.name, result=answer["result"]), "error"))
    flash(message, category)
    return redirect(_local_next(url_for("checkin.search", slug=slug)))


@bp.route("/manage/checkin/<slug>/registrations/<int:registration_id>/badge.pdf")
@roles_required(Role.CHECKIN, Role.ORGANISER)
def print_badge(slug: str, registration_id: int):
    congress = edition_or_404(slug)
    registration = of_edition_or_404(Registration, registration_id, congress)
    layout = request.args.get("layout", "a6")
    if layout not in badge_queries.LAYOUTS:
        abort(404)
    pdf = badges.render_registrations([registration], layout, locale=current_language(),
                                      processes=1)
    record_export("badge", congress_id=congress.id, count=1, format="pdf", registration=registration.id)
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name=f"badge-{registration.id}.pdf")


@bp.route("/manage/checkin/<slug>/checkins/<int:checkin_id>/undo", methods=["POST"])
@roles_required(Role.CHECKIN, Role.ORGANISER)
def undo(slug: str, checkin_id: int):
    congress = edition_or_404(slug)
    checkin = of_edition_or_404(CheckIn, checkin_id, congress)
    services.undo(checkin, current_user.id)
    flash(_("The check-in has been undone."), "success")
    return redirect(_local_next(url_for("checkin.search", slug=slug)))


@bp.route("/manage/checkin/<slug>/checkins/<int:checkin_id>/checkout", methods=["POST"])
@roles_required(Role.CHECKIN, Role.ORGANISER)
def check_out(slug: str, checkin_id: int):
    """Someone leaves the venue: their check-in stays, with the time they left (audited)."""
    congress = edition_or_404(slug)
    checkin = of_edition_or_404(CheckIn, checkin_id, congress)
    if checkin.undone_at is not None:
        abort(404)
    services.check_out(checkin)
    flash(_("%(name)s is checked out.", name=checkin.registration.name), "success")
    return redirect(_local_next(url_for("checkin.search", slug=slug)))


@bp.route("/manage/checkin/<slug>/dashboard")
@roles_required(Role.ORGANISER)
def dashboard(slug: str):
    congress = edition_or_404(slug)
    return render_template("checkin/dashboard.html", congress=congress,
                           figures=services.dashboard(congress, current_language()))


@bp.route("/manage/checkin/<slug>/dashboard.json")
@roles_required(Role.ORGANISER)
def dashboard_json(slug: str):
    congress = edition_or_404(slug)
    return jsonify(services.dashboard(congress, current_language()))


# --- online participation: the registrant's way into a session's stream ------------------------------

@bp.route("/my/<secret>/join/<int:session_id>")
def join(secret: str, session_id: int):
    """Open a session's stream or meeting link from the personal page. During the session (from 15
    minutes before its start) this records the registrant's online attendance, once, then sends them
    on; before or after it, a page says when the session is, with the link. Only a confirmed
    registrant of the session's edition gets here: the link is never on a public page."""
    registration = registrations.by_secret_or_404(secret)
    if registration.status != "confirmed":
        abort(404)
    session = of_edition_or_404(ProgrammeSession, session_id, registration.congress)
    target = session.effective_stream_url
    if session.is_cancelled or not target:
        abort(404)
    window = services.join_window(session)
    state = window.state(utcnow())
    if state == "open":
        services.record_online_join(registration.id, registration.congress_id, session)
        response = redirect(target, code=303)
    else:
        response = Response(render_template("checkin/join.html", congress=registration.congress, session=session,
                                            state=state, target=target, secret=secret))
    # The path holds the personal secret: the site-wide Referrer-Policy (strict-origin-when-cross-origin)
    # gives the stream's host the origin at most, and the links carry rel="noreferrer".
    return private_page(response)
