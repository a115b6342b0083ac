"""The reach report of an edition (the Minister's yearly letter to Parliament): who came, from where.

What counts, everywhere in the report:

* **registered**: a *confirmed* registration of the edition. Pending (not yet confirmed by e-mail),
  waiting-list and cancelled registrations (erased ones are cancelled) do not count.
* **attended**: a confirmed registration checked in at the door (the venue's list, a check-in not
  undone). A check-out does not undo attendance.
* per **workshop** (a session): confirmed registrations with a seat in it (not its waiting list), and
  confirmed registrations checked in at its room; per **track**: the distinct people of those over the
  track's sessions (someone in two sessions of a track counts once).
* per **organisation**: the name as typed, folded (case, accents and spaces: "Gemeente  Utrecht" and
  "gemeente utrecht" are one organisation); an organisation is **returning** when a confirmed
  registration of an edition that starts earlier names it, else **first time**.
* per **municipality**: the municipality chosen on the registration form from the organisers' list;
  **reached**: named by at least one confirmed registration, out of the municipalities on the list.
* **evaluations** per track: the sums of congress.evaluations' results of the track's sessions; the
  scores only from the sessions whose results are shown (``EVALUATION_MIN_RESPONSES`` answers or more),
  so that nothing below the threshold is reported.

Everything is read through the other capabilities' ``queries``; figures are computed here in Python
from the rows they return (an edition has hundreds, not millions, of registrations).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _

from congress.checkin import queries as checkin
from congress.core.models import Congress
from congress.evaluations import queries as evaluations
from congress.i18n import current_language
from congress.municipalities import queries as municipalities
from congress.programme import queries as programme
from congress.registration import queries as registration


@dataclass(frozen=True)
class Line:
    """One row of a table: a label (with a code for a municipality) and its two figures."""

    label: str
    registered: int
    attended: int
    code: str = ""
    group: str = ""  # a workshop's track

    @property
    def rate(self) -> float | None:
        """The share of the registered who attended."""
        return self.attended / self.registered if self.registered else None


@dataclass(frozen=True)
class Score:
    question: str
    answered: int
    mean: float


@dataclass(frozen=True)
class EvaluationLine:
    label: str
    answers: int  # every answer given, also of sessions below the threshold (a count says nothing of anyone)
    checked_in: int
    shown: bool
    scores: list[Score] = field(default_factory=list)

    @property
    def response_rate(self) -> float | None:
        return self.answers / self.checked_in if self.checked_in else None


@dataclass
class Reach:
    congress: Congress
    registered: int
    attended: int
    by_sector: list[Line]
    by_organisation: list[Line]
    by_municipality: list[Line]
    per_track: list[Line]
    per_workshop: list[Line]
    municipalities_listed: int
    municipalities_reached: int
    municipalities_attended: int
    organisations_first_time: Line  # label "first time": registered/attended = organisations, not people
    organisations_returning: Line
    evaluations: list[EvaluationLine]
    threshold: int

    @property
    def municipality_share(self) -> float | None:
        return self.municipalities_reached / self.municipalities_listed if self.municipalities_listed else None

    @property
    def organisations(self) -> int:
        return self.organisations_first_time.registered + self.organisations_returning.registered


def _sorted(lines: list[Line]) -> list[Line]:
    return sorted(lines, key=lambda line: (-line.registered, -line.attended, line.label.casefold(), line.code))


def report(congress: Congress, locale: str | None = None) -> Reach:
    locale = locale or current_language()
    rows = registration.confirmed_for_report(congress)
    confirmed = {row.id for row in rows}
    at_door = checkin.venue_checked_in(congress) & confirmed

    def line(label: str, ids: set[int], **extra: str) -> Line:
        return Line(label, len(ids), len(ids & at_door), **extra)

    # Sectors, in the organisers' order; a hidden one only when registrations chose it.
    sector_ids: dict[int | None, set[int]] = defaultdict(set)
    for row in rows:
        sector_ids[row.sector_id].add(row.id)
    by_sector = [line(s.name(locale), sector_ids.get(s.id, set())) for s in registration.sectors(congress)
                 if not s.hidden or sector_ids.get(s.id)]
    if sector_ids.get(None):
        by_sector.append(line(_("No sector given"), sector_ids[None]))

    # Organisations, folded; shown as most of their registrations spell them.
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    org_ids: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        key = registration.organisation_key(row.organisation)
        org_ids[key].add(row.id)
        if key:
            spellings[key][" ".join(row.organisation.split())] += 1
    by_organisation = _sorted([
        line(spellings[key].most_common(1)[0][0] if key else _("No organisation given"), ids)
        for key, ids in org_ids.items()])
    before = registration.organisations_of_editions_before(congress)
    named = [key for key in org_ids if key]
    returning = [key for key in named if key in before]
    first = [key for key in named if key not in before]
    attended_orgs = {key for key in named if org_ids[key] & at_door}
    organisations_first_time = Line(_("First time"), len(first), len([k for k in first if k in attended_orgs]))
    organisations_returning = Line(_("Returning"), len(returning), len([k for k in returning if k in attended_orgs]))

    # Municipalities of the list.
    listed = {m.id: m for m in municipalities.all_municipalities()}
    mun_ids: dict[int | None, set[int]] = defaultdict(set)
    for row in rows:
        mun_ids[row.municipality_id].add(row.id)
    by_municipality = _sorted([line(listed[m].name, ids, code=listed[m].code)
                               for m, ids in mun_ids.items() if m is not None and m in listed])
    if mun_ids.get(None):
        by_municipality.append(line(_("No municipality given"), mun_ids[None]))
    reached = [m for m in mun_ids if m is not None and m in listed]

    # Tracks and workshops.
    seats: dict[int, set[int]] = defaultdict(set)
    for registration_id, session_id in registration.confirmed_enrolments(congress):
        seats[session_id].add(registration_id)
    present: dict[int, set[int]] = defaultdict(set)
    for registration_id, session_id in checkin.session_checkins(congress):
        if registration_id in confirmed:
            present[session_id].add(registration_id)
    tracks = {t.id: t for t in congress.tracks}
    track_seats: dict[int, set[int]] = defaultdict(set)
    track_present: dict[int, set[int]] = defaultdict(set)
    per_workshop = []
    sessions = programme.all_sessions(congress)
    for session in sessions:
        if not (seats.get(session.id) or present.get(session.id)):
            continue
        if session.track_id is not None:
            track_seats[session.track_id] |= seats.get(session.id, set())
            track_present[session.track_id] |= present.get(session.id, set())
        track = tracks.get(session.track_id)
        per_workshop.append(Line(session.title, len(seats.get(session.id, ())), len(present.get(session.id, ())),
                                 group=track.name(locale) if track is not None else ""))
    per_track = [Line(t.name(locale), len(track_seats.get(t.id, ())), len(track_present.get(t.id, ())))
                 for t in congress.tracks]

    return Reach(
        congress=congress, registered=len(confirmed), attended=len(at_door), by_sector=by_sector,
        by_organisation=by_organisation, by_municipality=by_municipality, per_track=per_track,
        per_workshop=per_workshop, municipalities_listed=len(listed), municipalities_reached=len(reached),
        municipalities_attended=len([m for m in reached if mun_ids[m] & at_door]),
        organisations_first_time=organisations_first_time, organisations_returning=organisations_returning,
        evaluations=evaluation_lines(congress, locale, {s.id: s.track_id for s in sessions},
                                     {s: len(ids) for s, ids in present.items()}, len(at_door)),
        threshold=evaluations.min_responses())


def evaluation_lines(congress: Congress, locale: str, session_track: dict[int, int | None], present: dict[int, int],
                     at_door: int) -> list[EvaluationLine]:
    """Per track (the tracks' order), then the whole congress: the answers summed over the track's
    sessions (``session_track``: each session's track), against the confirmed registrations checked in at
    them (``present``: per session; the
    whole congress: ``at_door``); each 1–5 or 0–10 question's mean over the answers of the sessions
    shown only."""
    results = evaluations.results(congress, locale)
    tracks = list(congress.tracks)
    groups: dict[int | None, list[evaluations.SubjectResult]] = defaultdict(list)
    whole = None
    for result in results:
        if result.session is None:
            whole = result
        elif result.session.track_id is not None:
            groups[result.session.track_id].append(result)
    out = []
    for track in tracks:
        subjects = groups.get(track.id, [])
        checked_in = sum(n for session_id, n in present.items() if session_track.get(session_id) == track.id)
        out.append(_evaluation_line(track.name(locale), subjects, checked_in, locale))
    if whole is not None:
        out.append(_evaluation_line(_("The whole congress"), [whole], at_door, locale))
    return out


def _evaluation_line(label: str, subjects: list, checked_in: int, locale: str) -> EvaluationLine:
    answers = sum(s.answers for s in subjects)
    totals: dict[int, list] = {}
    for subject in subjects:
        if not subject.shown:
            continue
        for item in subject.questions:
            weight = sum(n for _label, n in item.distribution)  # the scale's answers
            if item.mean is None or not weight:
                continue
            entry = totals.setdefault(item.question.id, [item.question.label(locale), 0, 0.0])
            entry[1] += weight
            entry[2] += item.mean * weight
    scores = [Score(label_, answered, total / answered) for label_, answered, total in totals.values()]
    return EvaluationLine(label, answers, checked_in, any(s.shown for s in subjects), scores)
