"""Exports of the back office: CSV and XLSX of registrations and per-session attendance, and a PDF
attendance list (weasyprint)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import render_template
from flask_babel import gettext as _

from congress import spreadsheets
from congress.core.models import Congress
from congress.programme.models import ProgrammeSession
from congress.registration import services
from congress.registration.models import Enrolment, Registration
from congress.registration.queries import ENROLMENT_LABELS, ROLE_LABELS, STATUS_LABELS


def _local(value: datetime | None, congress: Congress) -> datetime | None:
    """A stored UTC time as the edition's wall-clock time, to the minute (a date cell in XLSX)."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(congress.timezone)).replace(tzinfo=None, second=0, microsecond=0)


def registration_rows(congress: Congress, registrations: Iterable[Registration], locale: str
                      ) -> tuple[list[str], list[list[Any]]]:
    questions = services.questions(congress)
    header = [_("Number"), _("Name"), _("E-mail address"), _("Organisation"), _("Function"), _("Sector"),
              _("Badge role"), _("Status"), _("Registered at"), _("Confirmed at"), _("Dietary wishes"),
              _("Accessibility needs"), _("Attendee list"), _("Photos"), _("Participants' network"), _("Sessions")]
    header += [q.label(locale) for q in questions]
    rows = []
    for r in registrations:
        sessions = "; ".join(
            f"{e.session.title}{' (' + _('waiting list') + ')' if e.status == 'waitlisted' else ''}"
            for e in r.enrolments)
        row = [r.id, r.name, r.email, r.organisation, r.function, r.sector.name(locale) if r.sector else "",
               str(ROLE_LABELS.get(r.role, r.role)), str(STATUS_LABELS.get(r.status, r.status)),
               _local(r.created_at, congress), _local(r.confirmed_at, congress),
               r.dietary, r.accessibility, _("yes") if r.consent_attendee_list else _("no"),
               _("yes") if r.consent_photos else _("no"), _("yes") if r.consent_network else _("no"), sessions]
        row += [q.display((r.answers or {}).get(str(q.id)), locale) for q in questions]
        rows.append(row)
    return header, rows


def attendance_rows(session: ProgrammeSession, enrolments: Sequence[Enrolment]) -> tuple[list[str], list[list[Any]]]:
    header = [_("Place"), _("Name"), _("Organisation"), _("Sector"), _("Badge role"), _("Status"), _("Signature")]
    rows = []
    waiting = 0
    waiting_word = _("waiting list")
    for e in enrolments:
        r = e.registration
        if e.status == "waitlisted":
            waiting += 1
        rows.append([
            f"{waiting_word} {waiting}" if e.status == "waitlisted" else "",
            r.name, r.organisation, r.sector.name("nl") if r.sector else "", str(ROLE_LABELS.get(r.role, r.role)),
            str(ENROLMENT_LABELS.get(e.status, e.status)) + ("" if r.status == "confirmed" else
                                                              f" ({STATUS_LABELS.get(r.status, r.status)})"),
            "",
        ])
    return header, rows


def to_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    return spreadsheets.to_csv(header, rows)


def to_xlsx(title: str, header: list[str], rows: list[list[Any]]) -> bytes:
    return spreadsheets.to_xlsx(title, header, rows)


def attendance_pdf(congress: Congress, session: ProgrammeSession, enrolments: Sequence[Enrolment]) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415 - heavy (Pango, fonts); loaded only when a PDF is asked for

    html = render_template("manage/registrations/attendance_pdf.html", congress=congress, session=session,
                           enrolments=[e for e in enrolments if e.status == "enrolled"],
                           waiting=[e for e in enrolments if e.status == "waitlisted"])
    return HTML(string=html).write_pdf()


def scanned_rows(people: Sequence[Registration], enrolled_ids: set[int]) -> tuple[list[str], list[list[Any]]]:
    """Who was scanned in at a session, by name, and whether they had enrolled."""
    header = [_("Name"), _("Organisation"), _("Sector"), _("Badge role"), _("Enrolled")]
    return header, [[r.name, r.organisation, r.sector.name("nl") if r.sector else "",
                     str(ROLE_LABELS.get(r.role, r.role)), _("yes") if r.id in enrolled_ids else _("no")]
                    for r in people]


def scanned_pdf(congress: Congress, session: ProgrammeSession, people: Sequence[Registration],
                enrolled_ids: set[int]) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415 - heavy (Pango, fonts); loaded only when a PDF is asked for

    html = render_template("manage/registrations/attendance_pdf.html", congress=congress, session=session,
                           scanned=people, enrolled_ids=enrolled_ids)
    return HTML(string=html).write_pdf()
