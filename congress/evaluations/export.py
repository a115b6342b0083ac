"""The results as a spreadsheet: aggregates only (never a single answer, never a free text), and only of
the sessions with at least the threshold of answers."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from congress.evaluations.queries import SubjectResult


def header() -> list[str]:
    return [_("Session"), _("Question"), _("Answers to the question"), _("Mean"), _("Spread (sd)"),
            _("Answer"), _("Number")]


def rows(results: list[SubjectResult], locale: str) -> list[list[Any]]:
    out: list[list[Any]] = []
    for subject in results:
        if not subject.shown:
            continue
        name = subject.session.title if subject.session is not None else _("The whole congress")
        for item in subject.questions:
            if not item.distribution:
                continue  # free texts are no aggregate
            mean = None if item.mean is None else round(item.mean, 2)
            spread = None if item.spread is None else round(item.spread, 2)
            for label, number in item.distribution:
                out.append([name, item.question.label(locale), item.answered, mean, spread, label, number])
    return out
