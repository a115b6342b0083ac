"""Evaluation into evidence: after an edition's evaluation has closed, each session with at least
``EVALUATION_MIN_RESPONSES`` answers becomes a draft knowledge item of type ``evaluatie``.

The item holds the aggregates only: the number of answers and the response rate, each rating question's
mean, spread and distribution, each choice question's distribution. Free texts are never copied: a
sentence can name or betray its writer. An editor who wants to quote one reads them on the edition's
results page and quotes by hand, as any other text an editor writes.

The item is related to the session's archive item (``sessieverslag``) and is a process evaluation of
each intervention that item presents. It stays a draft until an editor publishes it through the archive's
workflow. Running again makes no second item (the archive's unique ``session_id`` on
``knowledge_session_evaluations`` decides) and never changes one that exists, edited or not; it only adds
the relations to a session item or an intervention linked since.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from congress.archive import services as archive
from congress.core.models import Congress
from congress.database import transactional, utcnow
from congress.errors import Conflict
from congress.evaluations.queries import QuestionResult, SubjectResult, min_responses, results
from congress.evaluations.rules import closes_at
from congress.programme.models import ProgrammeSession

# The item's language: its summary and text are Dutch, like the congress; its title names it in both
# languages, so that an English search finds it too. An editor may add an English text.
ITEM_LANGUAGE = "nl"


class NotClosed(Conflict):
    """The edition's evaluation is still open: its answers may yet change."""


@dataclass
class EvidenceOutcome:
    """What a run did: sessions whose item it made, whose item was there, below the threshold, and those
    of its items (new or old) that have no session item to be linked to yet."""

    made: list[ProgrammeSession] = field(default_factory=list)
    existing: list[ProgrammeSession] = field(default_factory=list)
    below_threshold: list[ProgrammeSession] = field(default_factory=list)
    not_archived: list[ProgrammeSession] = field(default_factory=list)

    def summary(self) -> str:
        return (f"made={len(self.made)} existing={len(self.existing)} below_threshold={len(self.below_threshold)} "
                f"not_archived={len(self.not_archived)}")


_MARKDOWN_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]<>|#"})


def _md(text: str) -> str:
    """Plain text inside a Markdown line or table cell (one line, specials escaped)."""
    return " ".join(str(text).split()).translate(_MARKDOWN_SPECIAL)


def _number(value: float, locale: str) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if locale == "nl" else text


def _percent(value: float) -> str:
    return f"{round(value * 100)}%"


def overall(result: SubjectResult) -> QuestionResult | None:
    """The form's first rating question (the overall rating): its mean is the session's score."""
    return next((q for q in result.questions if q.question.scale is not None), None)


def _question_section(q: QuestionResult, locale: str) -> list[str]:
    lines = [f"### {_md(q.question.label(locale))}", ""]
    if q.mean is not None and q.spread is not None:
        lines += [_("Mean %(mean)s, spread (sd) %(sd)s, %(n)d answered",
                    mean=_number(q.mean, locale), sd=_number(q.spread, locale), n=q.answered)
                  + (f" · {_md(q.question.scale_ends(locale))}" if q.question.scale_ends(locale) else ""), ""]
    else:
        lines += [_("%(n)d answered", n=q.answered), ""]
    if q.distribution:
        lines += ["| " + _("Answer") + " | " + _("Number") + " |", "| --- | ---: |"]
        lines += [f"| {_md(label)} | {count} |" for label, count in q.distribution]
        lines.append("")
    return lines


def body_in(result: SubjectResult, congress: Congress, locale: str) -> str:
    """The aggregates of one session in ``locale``, as Markdown (headings, figures, tables)."""
    with force_locale(locale):
        lines = ["## " + _("Results of the evaluation"), "",
                 _("The aggregated answers of the participants of the session %(session)s at %(edition)s. "
                   "Only totals are shown: no single answer, and none of the free texts.",
                   session="«" + _md(result.session.title) + "»", edition=_md(congress.title(locale))), "",
                 "- " + _("Answers: %(n)d", n=result.answers)]
        if result.checked_in:
            lines.append("- " + _("Checked in at the session: %(n)d", n=result.checked_in))
        if result.response_rate is not None:
            lines.append("- " + _("Response rate: %(rate)s", rate=_percent(result.response_rate)))
        lines.append("")
        for q in result.questions:
            if q.question.scale is not None or q.distribution:
                lines += _question_section(q, locale)
        return "\n".join(lines).rstrip() + "\n"


def title_of(session: ProgrammeSession) -> str:
    """Bilingual: the Dutch and the English name of the item, then the session's title."""
    with force_locale("nl"):
        dutch = _("Evaluation")
    with force_locale("en"):
        english = _("Evaluation")
    return f"{dutch} · {english}: {session.title}"[:300]


def summary_of(result: SubjectResult, congress: Congress, locale: str = "nl") -> str:
    score = overall(result)
    with force_locale(locale):
        text = _("%(n)d participants of this session at %(edition)s evaluated it.", n=result.answers,
                 edition=congress.title(locale))
        if score is not None and score.mean is not None and score.question.scale is not None:
            text += " " + _("Mean score %(mean)s out of %(high)d.", mean=_number(score.mean, locale),
                            high=score.question.scale[1])
    return text


def figures_of(result: SubjectResult) -> archive.SessionFigures:
    score = overall(result)
    return archive.SessionFigures(
        responses=result.answers, checked_in=result.checked_in,
        mean=None if score is None else score.mean,
        scale_high=None if score is None or score.question.scale is None else score.question.scale[1])


def evaluation_closed(congress: Congress, now: datetime | None = None) -> bool:
    return closes_at(congress) <= (now or utcnow())


@transactional
def to_archive(congress: Congress, *, now: datetime | None = None) -> EvidenceOutcome:
    """Each session of the closed evaluation with at least the threshold of answers gets its draft
    ``evaluatie`` item (once: see the module's text). NotClosed while the evaluation is open."""
    if not evaluation_closed(congress, now):
        raise NotClosed(_l("The evaluation is still open: its results can become evidence once it has closed."),
                        code="not_closed")
    threshold = min_responses()
    outcome = EvidenceOutcome()
    for result in results(congress, ITEM_LANGUAGE):
        session = result.session
        if session is None:  # the whole congress: not a session
            continue
        if result.answers < threshold or not result.shown:
            outcome.below_threshold.append(session)
            continue
        body = body_in(result, congress, ITEM_LANGUAGE)
        _row, made = archive.add_session_evaluation(
            session, title_of(session), summary=summary_of(result, congress, ITEM_LANGUAGE), body=body,
            language=ITEM_LANGUAGE, figures=figures_of(result))
        (outcome.made if made else outcome.existing).append(session)
        if archive.session_item(session.id) is None:
            outcome.not_archived.append(session)
    return outcome
