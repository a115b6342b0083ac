"""The back office's navigation: one list, read by templates/manage/_nav.html.

Every back-office screen is reachable from an edition's cockpit within two clicks: the cockpit links
each entry below (one click), and each capability's own sub-navigation the rest (two). Add a screen
with one line; an entry whose endpoint does not exist in this application is left out, so that a
line may name a screen that is not merged yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from congress.accounts.models import Role

ORGANISER = Role.ORGANISER.value
TRACK_MANAGER = Role.TRACK_MANAGER.value
REVIEWER = Role.REVIEWER.value
CHECKIN = Role.CHECKIN.value
ADMIN = Role.ADMIN.value
SPEAKER = Role.SPEAKER.value


@dataclass(frozen=True)
class Entry:
    """A link of the navigation: ``roles`` may follow it (admins always); ``slug``: it takes the edition."""

    label: object  # a lazy string
    endpoint: str
    roles: tuple[str, ...]
    slug: bool
    group: str  # a key of GROUPS
    config: str | None = None  # a config switch that must be on (the outbox)
    outside: bool = False  # shown only outside an edition (the capabilities' lists of editions)


GROUPS = {
    "edition": _l("This edition"),
    "programme": _l("Programme"),
    "registrations": _l("Registrations"),
    "cfp": _l("Call for proposals"),
    "communications": _l("Communication"),
    "day": _l("On the day"),
    "office": _l("Back office"),
}

ENTRIES: list[Entry] = [
    Entry(_l("Cockpit"), "manage.cockpit.index", (ORGANISER,), True, "edition"),
    Entry(_l("Sessions"), "programme.manage_sessions", (ORGANISER, TRACK_MANAGER), True, "programme"),
    Entry(_l("Schedule"), "programme.schedule_editor", (ORGANISER, TRACK_MANAGER), True, "programme"),
    Entry(_l("Tracks"), "programme.manage_tracks", (ORGANISER,), True, "programme"),
    Entry(_l("Rooms"), "programme.manage_rooms", (ORGANISER,), True, "programme"),
    Entry(_l("Sign-up rounds"), "programme.manage_rounds", (ORGANISER,), True, "programme"),
    Entry(_l("Publish the programme"), "programme.publish", (ORGANISER, TRACK_MANAGER), True, "programme"),
    Entry(_l("All registrations"), "manage.registrations.index", (ORGANISER,), True, "registrations"),
    Entry(_l("Workshops and waiting lists"), "registration_manage.sessions", (ORGANISER,), True, "registrations"),
    Entry(_l("Statistics"), "manage.registrations.statistics", (ORGANISER,), True, "registrations"),
    Entry(_l("Reach report"), "reports.reach_report", (ORGANISER,), True, "registrations"),
    Entry(_l("Form and settings"), "registration_manage.settings", (ORGANISER,), True, "registrations"),
    Entry(_l("Register someone"), "registration_manage.new", (ORGANISER,), True, "registrations"),
    Entry(_l("Proposals"), "cfp.manage.proposals", (ORGANISER, TRACK_MANAGER, REVIEWER), True, "cfp"),
    Entry(_l("Reviewers"), "cfp.manage.assignments", (ORGANISER, TRACK_MANAGER), True, "cfp"),
    Entry(_l("Ranking"), "cfp.manage.ranking", (ORGANISER, TRACK_MANAGER), True, "cfp"),
    Entry(_l("Decision mails"), "cfp.manage.mails", (ORGANISER,), True, "cfp"),
    Entry(_l("Call settings"), "cfp.manage.settings", (ORGANISER,), True, "cfp"),
    Entry(_l("Mailings"), "communications.mailings.index", (ORGANISER,), True, "communications"),
    Entry(_l("Mail texts"), "communications.mail_texts.index", (ORGANISER,), True, "communications"),
    Entry(_l("Scheduled mails"), "communications.schedules.index", (ORGANISER,), True, "communications"),
    Entry(_l("Invitations"), "invitations.index", (ORGANISER,), True, "communications"),
    Entry(_l("Participants' network"), "network.manage", (ORGANISER,), True, "communications"),
    Entry(_l("Badges and print runs"), "badges.index", (ORGANISER,), True, "day"),
    Entry(_l("Check-in stations"), "checkin.stations", (ORGANISER,), True, "day"),
    Entry(_l("Arrivals dashboard"), "checkin.dashboard", (ORGANISER,), True, "day"),
    Entry(_l("Check-in desk"), "checkin.search", (ORGANISER, CHECKIN), True, "day"),
    Entry(_l("Scan badges"), "checkin.scan", (ORGANISER, CHECKIN), True, "day"),
    Entry(_l("Headcount per session"), "manage.cockpit.headcount", (ORGANISER, CHECKIN), True, "day"),
    Entry(_l("Catering and venue"), "manage.cockpit.catering", (ORGANISER, CHECKIN), True, "day"),
    Entry(_l("Archive the sessions"), "archive_manage.archive_sessions", (ORGANISER,), True, "day"),
    Entry(_l("Evaluations"), "evaluations.results", (ORGANISER,), True, "day"),
    Entry(_l("Certificates and accreditations"), "certificates.manage", (ORGANISER,), True, "day"),
    Entry(_l("All editions"), "manage.dashboard", (ORGANISER, TRACK_MANAGER, REVIEWER, CHECKIN), False, "office"),
    Entry(_l("Programme"), "programme.manage_index", (ORGANISER, TRACK_MANAGER), False, "office", outside=True),
    Entry(_l("Call for proposals"), "cfp.manage.index", (ORGANISER, TRACK_MANAGER, REVIEWER), False, "office",
          outside=True),
    Entry(_l("Registrations"), "registration_manage.editions", (ORGANISER,), False, "office", outside=True),
    Entry(_l("Archive the sessions"), "archive_manage.editions", (ORGANISER,), False, "office", outside=True),
    Entry(_l("My proposals"), "cfp.dashboard", (SPEAKER,), False, "office"),
    Entry(_l("Knowledge base"), "archive_manage.items", (ORGANISER,), False, "office"),
    Entry(_l("Staff and roles"), "manage.users", (ORGANISER,), False, "office"),
    Entry(_l("Mail outbox"), "manage.outbox", (ORGANISER,), False, "office", config="MAIL_OUTBOX_VISIBLE"),
    Entry(_l("Audit log"), "manage.audit", (ORGANISER,), False, "office"),
    Entry(_l("API tokens"), "manage.tokens", (ORGANISER,), False, "office"),
    Entry(_l("Active sessions"), "accounts.sessions", (ORGANISER, TRACK_MANAGER, REVIEWER, CHECKIN, SPEAKER),
          False, "office"),
    Entry(_l("Two-factor sign-in"), "accounts.security", (ORGANISER, TRACK_MANAGER, REVIEWER, CHECKIN, SPEAKER),
          False, "office"),
    Entry(_l("Edition settings"), "manage.editions.settings", (ORGANISER,), True, "edition"),
    Entry(_l("Event site"), "manage.site.index", (ORGANISER,), True, "edition"),
    Entry(_l("Privacy statement and retention"), "legal.manage_privacy", (ORGANISER,), True, "edition"),
    Entry(_l("Clone into a new edition"), "manage.cloning.clone", (ORGANISER,), True, "edition"),
    Entry(_l("New edition"), "manage.editions.new", (ORGANISER,), False, "office", outside=True),
]


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    endpoint: str


def _allowed(entry: Entry, slug: str | None) -> bool:
    if entry.endpoint not in current_app.view_functions:
        return False
    if entry.slug and not slug:
        return False
    if entry.outside and slug:
        return False
    if entry.config and not current_app.config.get(entry.config):
        return False
    return current_user.is_authenticated and current_user.has_role(*entry.roles)


def links(slug: str | None, entries: Iterable[Entry] = ENTRIES) -> list[tuple[str, list[Link]]]:
    """The current user's navigation, by group in GROUPS' order: (group label, links); empty groups left out."""
    grouped: dict[str, list[Link]] = {key: [] for key in GROUPS}
    for entry in entries:
        if _allowed(entry, slug):
            url = url_for(entry.endpoint, slug=slug) if entry.slug else url_for(entry.endpoint)
            grouped[entry.group].append(Link(str(entry.label), url, entry.endpoint))
    return [(str(GROUPS[key]), items) for key, items in grouped.items() if items]


def group_label(key: str) -> str:
    return str(GROUPS[key])


def first_link(slug: str) -> Link | None:
    """The first screen of an edition the current user may open (the cockpit for organisers)."""
    for _label, items in links(slug, [e for e in ENTRIES if e.slug]):
        return items[0]
    return None
