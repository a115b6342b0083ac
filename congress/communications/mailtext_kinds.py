"""The system mails an organiser can edit, the placeholders each one offers, and their values.

Every kind names the default template under ``templates/email/`` it replaces, the placeholders its
text may use (the common ones of :data:`COMMON` and its own), and the placeholders it cannot do
without (the link a confirmation request exists for). :func:`values_for` fills them from the context
the capability that sends the mail gives the default template, in two forms: as they read in the text
part, and as Markdown for the HTML part (every value escaped, links as autolinks, lists as lists), so
that both parts say the same. docs/mail-texts.md documents them; a test keeps it complete.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from congress.communications.sandbox import markdown_literal
from congress.core.models import Congress
from congress.i18n import format_date_range, format_day, format_in_zone, format_time_in_zone
from congress.programme.services import change_label

# Every placeholder and what it holds (one line each; the edit page and docs/mail-texts.md show them).
MEANINGS: dict[str, Any] = {
    "name": _l("the recipient's name"),
    "edition": _l("the title of the edition"),
    "edition_dates": _l("the edition's dates, e.g. 12 March 2026"),
    "venue": _l("the venue: its name and address"),
    "contact_email": _l("the edition's contact address"),
    "manage_url": _l("the recipient's personal link: their registration, where they change or cancel it"),
    "programme": _l("the workshops the person chose, with day, times and room, one per line"),
    "confirm_url": _l("the link that confirms the registration (required in this mail)"),
    "hours": _l("how many hours an unconfirmed registration holds its places"),
    "waiting_position": _l("the person's place on the waiting list"),
    "session": _l("the workshop with the place that became free, with day, times and room"),
    "changed_sessions": _l("the sessions that changed, with their new day, times and room, one per line"),
    "register_url": _l("the registration form of the edition"),
    "lapsed": _l("“yes” when the registration lapsed because it was not confirmed in time, else empty"),
    "proposal_title": _l("the title of the proposal"),
    "comments": _l("the reviewers' comments meant for the speaker, one per line"),
    "inviter": _l("the name of the speaker who invites"),
    "signup_url": _l("where a co-speaker without an account signs up"),
    "days": _l("how many days the link in this mail stays valid"),
    "session_title": _l("the title of the session"),
    "decline_url": _l("the link with which the invitee says they cannot come"),
    "reserved_until": _l("the date until which places are reserved for the invitee's list, or empty"),
}
# Placeholders every kind offers.
COMMON = ("name", "edition", "edition_dates", "venue", "contact_email")
# Values that are links (autolinks in the HTML part) and values that are lists (one item a line).
LINKS = frozenset({"manage_url", "confirm_url", "register_url", "signup_url", "decline_url"})
LISTS = frozenset({"programme", "changed_sessions", "comments"})
EMAILS = frozenset({"contact_email"})


@dataclass(frozen=True)
class Kind:
    """One system mail an organiser can edit."""

    label: Any
    group: str  # a key of GROUPS
    own: tuple[str, ...] = ()  # its placeholders beyond COMMON
    required: tuple[str, ...] = ()  # placeholders its text must use
    # A different meaning of a placeholder in this mail (the personal link of a speaker).
    meanings: dict[str, Any] = field(default_factory=dict)
    # Not transactional: the unsubscribe link is added below the text.
    unsubscribe: bool = False

    @property
    def placeholders(self) -> tuple[str, ...]:
        return COMMON + self.own

    def meaning(self, name: str) -> str:
        return str(self.meanings.get(name) or MEANINGS[name])


GROUPS = {
    "registration": _l("Registration"),
    "speakers": _l("Speakers and call for proposals"),
    "invitations": _l("Invitations"),
}

_DECISION_LINK = _l("the link with which the speaker confirms the session or withdraws (only in the submitting "
                    "speaker's mail; empty for co-speakers)")
KINDS: dict[str, Kind] = {
    "registration/confirm": Kind(_l("Confirmation request"), "registration",
                                 ("manage_url", "confirm_url", "hours", "programme"), ("confirm_url",)),
    "registration/confirmed": Kind(_l("Registration confirmed, with e-ticket"), "registration",
                                   ("manage_url", "programme")),
    "registration/waitlisted": Kind(_l("On the waiting list"), "registration", ("manage_url", "waiting_position")),
    "registration/promoted_edition": Kind(
        _l("A place in the edition became free (from its waiting list)"), "registration",
        ("manage_url", "confirm_url", "hours", "programme"), ("confirm_url",),
        {"confirm_url": _l("the link that confirms the place, empty when the registration was confirmed before "
                           "(use {% if confirm_url %}…{% endif %}; required in this mail)")}),
    "registration/promoted": Kind(_l("A seat in a workshop became free (promotion)"), "registration",
                                  ("manage_url", "session", "programme")),
    "registration/sessions_changed": Kind(_l("Programme change"), "registration",
                                          ("manage_url", "changed_sessions", "programme")),
    "registration/cancelled": Kind(_l("Cancellation"), "registration", ("register_url", "lapsed")),
    "registration/link": Kind(_l("Personal link"), "registration", ("manage_url",), ("manage_url",)),
    "programme/speaker_session_changed": Kind(
        _l("Speaker: session changed"), "speakers", ("changed_sessions",),
        meanings={"changed_sessions": _l("the speaker's sessions that changed, with their new day, times and room "
                                         "and what changed, one per line")}),
    "cfp/decision_accepted": Kind(_l("Call for proposals: accepted"), "speakers",
                                  ("proposal_title", "manage_url", "comments"),
                                  meanings={"manage_url": _DECISION_LINK}),
    "cfp/decision_rejected": Kind(_l("Call for proposals: not accepted"), "speakers", ("proposal_title", "comments")),
    "cfp/decision_held": Kind(_l("Call for proposals: on hold"), "speakers", ("proposal_title",)),
    "cfp/co_speaker_invitation": Kind(
        _l("Call for proposals: invitation to be co-speaker"), "speakers",
        ("inviter", "proposal_title", "manage_url", "signup_url", "days"), ("manage_url",),
        {"manage_url": _l("the personal link with which the co-speaker accepts (required in this mail)"),
         "name": _l("empty: the invitation goes to an address, not yet to a person")}),
    "archive/speaker_invitation": Kind(
        _l("Speaker invitation: slides for the knowledge base"), "speakers", ("session_title", "manage_url", "days"),
        ("manage_url",),
        {"manage_url": _l("the personal link where the speaker adds slides and a summary (required in this mail)")}),
    "invitations/invitation": Kind(_l("Invitation"), "invitations",
                                   ("register_url", "decline_url", "reserved_until"), ("register_url",),
                                   unsubscribe=True),
    "invitations/reminder": Kind(_l("Invitation: reminder"), "invitations",
                                 ("register_url", "decline_url", "reserved_until"), ("register_url",),
                                 unsubscribe=True),
}


@dataclass(frozen=True)
class Values:
    """The placeholders' values as the text part reads them, and as Markdown for the HTML part."""

    plain: dict[str, str]
    markdown: dict[str, str]


def _session_line(session: Any, timezone: str) -> str:
    """"Title: Thursday 12 March 10:00–11:30, Room A" in the current locale."""
    when = format_in_zone(session.starts_at, timezone, "EEEE d MMMM HH:mm")
    if getattr(session, "ends_at", None) is not None:
        when += "–" + format_time_in_zone(session.ends_at, timezone)
    room = getattr(getattr(session, "room", None), "name", "")
    title = session.title_for() if hasattr(session, "title_for") else session.title  # the current locale's
    line = f"{title}: {when}" + (f", {room}" if room else "")
    if getattr(session, "is_cancelled", False):
        line = f"{title}: {_('cancelled')}"
    return line


def _programme(context: dict[str, Any], timezone: str) -> list[str]:
    registration = context.get("registration")
    pairs = context.get("enrolments")
    if pairs is None:
        pairs = [(e, e.position) for e in getattr(registration, "enrolments", None) or ()]
    lines = []
    for enrolment, rank in sorted(pairs, key=lambda p: (p[0].session.starts_at, p[0].session.title)):
        line = _session_line(enrolment.session, timezone)
        if enrolment.status == "waitlisted":
            line += " (" + _("waiting list, place %(n)d", n=rank or 1) + ")"
        lines.append(line)
    return lines


def _changed(kind: str, context: dict[str, Any], timezone: str) -> list[str]:
    if kind == "programme/speaker_session_changed":
        lines = []
        for session, kinds in context.get("items") or ():
            line = _session_line(session, timezone)
            labels = ", ".join(change_label(k) for k in kinds or ())
            lines.append(f"{line} ({labels})" if labels else line)
        return lines
    return [_session_line(s, timezone) for s in context.get("sessions") or ()]


def _venue(congress: Congress) -> str:
    return ", ".join(part for part in (congress.venue_name, congress.venue_address) if part)


def _person_name(context: dict[str, Any]) -> str:
    if context.get("name"):
        return str(context["name"])
    for key in ("registration", "invitee", "person", "speaker", "user"):
        name = getattr(context.get(key), "name", None)
        if name:
            return str(name)
    return ""


def plain_values(kind: str, congress: Congress | None, locale: str, context: dict[str, Any]) -> dict[str, Any]:
    """Every placeholder of ``kind`` from the default template's context; lists as lists of lines."""
    spec = KINDS[kind]
    with force_locale(locale):
        timezone = congress.timezone if congress is not None else "Europe/Amsterdam"
        proposal = context.get("proposal")
        reserved = context.get("reserved_until")
        found: dict[str, Any] = {
            "name": _person_name(context),
            "edition": congress.title(locale) if congress is not None else "",
            "edition_dates": format_date_range(congress.starts_on, congress.ends_on) if congress is not None else "",
            "venue": _venue(congress) if congress is not None else "",
            "contact_email": congress.contact_email if congress is not None else "",
            "manage_url": str(context.get("link") or context.get("manage_url") or ""),
            "confirm_url": str(context.get("confirm_link") or ""),
            "hours": str(context.get("hours") or ""),
            "waiting_position": str(context.get("waiting_rank") or getattr(context.get("registration"),
                                                                          "waitlist_position", None) or 1),
            "register_url": str(context.get("register_link") or ""),
            "lapsed": "yes" if context.get("reason") == "expired" else "",
            "proposal_title": str(getattr(proposal, "title", None) or context.get("title") or ""),
            "comments": [str(c) for c in context.get("comments") or ()],
            "inviter": str(context.get("inviter") or ""),
            "signup_url": str(context.get("signup") or ""),
            "days": str(context.get("days") or ""),
            "session_title": str(context.get("title") or ""),
            "decline_url": str(context.get("decline_link") or ""),
            "reserved_until": format_day(reserved, fmt="long") if isinstance(reserved, date) else "",
        }
        wanted = set(spec.placeholders)
        if "programme" in wanted:
            found["programme"] = _programme(context, timezone)
        if "changed_sessions" in wanted:
            found["changed_sessions"] = _changed(kind, context, timezone)
        if "session" in wanted:
            session = context.get("session")
            found["session"] = _session_line(session, timezone) if session is not None else ""
    return {name: found.get(name, "") for name in spec.placeholders}


def as_values(raw: dict[str, Any]) -> Values:
    """The text part's and the HTML part's forms of the values (see the module's docstring)."""
    plain: dict[str, str] = {}
    markdown: dict[str, str] = {}
    for name, value in raw.items():
        if isinstance(value, list | tuple):
            plain[name] = "\n".join(f"- {line}" for line in value)
            markdown[name] = "\n".join(f"- {markdown_literal(line)}" for line in value)
        elif name in LINKS:
            plain[name] = value
            markdown[name] = f"<{value}>" if value and not set(value) & set("<> \n") else markdown_literal(value)
        elif name in EMAILS and value and "@" in value and not set(value) & set("<> \n()[]"):
            plain[name] = value
            markdown[name] = f"<{value}>"
        else:
            plain[name] = str(value)
            markdown[name] = markdown_literal(str(value))
    return Values(plain, markdown)


def values_for(kind: str, congress: Congress | None, locale: str, context: dict[str, Any]) -> Values:
    return as_values(plain_values(kind, congress, locale, context))


def grouped() -> list[tuple[str, list[tuple[str, Kind]]]]:
    """The kinds by group, in the order of GROUPS (the index page)."""
    return [(str(label), [(k, spec) for k, spec in KINDS.items() if spec.group == key])
            for key, label in GROUPS.items()]


def placeholder_names() -> Iterable[str]:
    return MEANINGS.keys()
