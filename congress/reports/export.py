"""The reach report as a workbook: one sheet per table of the page, the same figures."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from congress.reports.reach import Line, Reach


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _lines(lines: list[Line], first: str, *, code: bool = False, group: str | None = None) -> tuple[list, list]:
    header = ([_("CBS code")] if code else []) + [first] + ([group] if group else []) + [
        _("Registered"), _("Attended"), _("Attended (per cent)")]
    rows = [([line.code] if code else []) + [line.label] + ([line.group] if group else []) + [
        line.registered, line.attended, _percent(line.rate)] for line in lines]
    return header, rows


def sheets(reach: Reach) -> list[tuple[str, list[Any], list[list[Any]]]]:
    """(title, header, rows) of every table, in the page's order."""
    summary = [
        [_("Registered (confirmed)"), reach.registered],
        [_("Attended (checked in at the door)"), reach.attended],
        [_("Organisations"), reach.organisations],
        [_("Organisations here for the first time"), reach.organisations_first_time.registered],
        [_("Returning organisations"), reach.organisations_returning.registered],
        [_("Municipalities on the list"), reach.municipalities_listed],
        [_("Municipalities reached (registered)"), reach.municipalities_reached],
        [_("Municipalities reached (attended)"), reach.municipalities_attended],
        [_("Municipalities reached (per cent)"), _percent(reach.municipality_share)],
    ]
    out: list[tuple[str, list[Any], list[list[Any]]]] = [(_("Summary"), [_("Figure"), _("Number")], summary)]
    out.append((_("Sectors"), *_lines(reach.by_sector, _("Sector"))))
    out.append((_("Organisations"), *_lines(reach.by_organisation, _("Organisation"))))
    orgs = [reach.organisations_first_time, reach.organisations_returning]
    out.append((_("First time and returning"), [_("Organisations"), _("Registered"), _("Attended")],
                [[line.label, line.registered, line.attended] for line in orgs]))
    out.append((_("Municipalities"), *_lines(reach.by_municipality, _("Municipality"), code=True)))
    out.append((_("Tracks"), *_lines(reach.per_track, _("Track"))))
    out.append((_("Workshops"), *_lines(reach.per_workshop, _("Session"), group=_("Track"))))
    rows = []
    for item in reach.evaluations:
        base = [item.label, item.answers, item.checked_in, _percent(item.response_rate)]
        if not item.scores:
            rows.append([*base, None, None, None])
        for score in item.scores:
            rows.append([*base, score.question, score.answered, round(score.mean, 2)])
    header = [_("Track"), _("Answers"), _("Checked in"), _("Response rate (per cent)"), _("Question"),
              _("Answers to the question"), _("Mean")]
    out.append((_("Evaluations"), header, rows))
    return out
