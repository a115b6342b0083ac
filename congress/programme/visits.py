""""New since your last visit" on the public programme.

The programme is published in numbered versions, each with its changelog (``ProgrammeVersion.changes``).
A visitor's browser keeps the number of the version it was last shown in a first-party cookie
(``programme_seen``, path ``/<slug>/programme``, SameSite=Lax, a year): a number and nothing else,
no personal data, no identifier. The programme page marks what changed in the versions after that
one and says so at the top; then the cookie moves on to the latest version. A first visit (no
cookie) shows nothing, nor does a visit with nothing new. It works without JavaScript.

The functions are plain (values in, values out); ``remember_version`` is the one piece that
touches the request and the response.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from flask import current_app, make_response, request
from flask_babel import gettext as _
from flask_babel import ngettext

from congress.core.models import Congress
from congress.extensions import db
from congress.programme.models import ProgrammeVersion
from congress.programme.reading import versions

COOKIE = "programme_seen"
MAX_AGE = 365 * 24 * 3600
MAX_DIGITS = 9
# What a visitor is told about a session, in this order (the summary and the badges).
CATEGORIES = ("new", "moved", "changed", "cancelled", "removed")
_MOVED = {"moved", "room"}


@dataclasses.dataclass(frozen=True)
class SinceChange:
    session_id: int
    title: str
    category: str


def cookie_path(slug: str) -> str:
    return f"/{slug}/programme"


def parse_seen(raw: str | None) -> int | None:
    """The version number in the cookie; None for no cookie or anything that is not a small number."""
    if not raw or len(raw) > MAX_DIGITS or not raw.isascii() or not raw.isdigit():
        return None
    number = int(raw)
    return number if number > 0 else None


def effective_seen(seen: int | None, latest: int | None) -> int | None:
    """The version to compare with, or None when there is nothing to tell: a first visit, a visitor
    who has seen the latest version, a number from the future (a forged or stale cookie)."""
    if seen is None or latest is None or seen >= latest:
        return None
    return seen


def _category(kinds: list[list[str]]) -> str | None:
    """What one session's changes over several versions (oldest first) come to for a visitor."""
    flat = {kind for entry in kinds for kind in entry}
    last = kinds[-1]
    if "removed" in last:
        return None if "new" in flat else "removed"
    if "new" in flat:
        return "new"
    if "cancelled" in last:
        return "cancelled"
    if flat & _MOVED:
        return "moved"
    return "changed"


def changes_since(versions: Iterable[Any], seen: int | None) -> dict[int, SinceChange]:
    """Per session, what changed in the versions after ``seen`` (versions with ``number`` and ``changes``)."""
    if seen is None:
        return {}
    kinds: dict[int, list[list[str]]] = {}
    titles: dict[int, str] = {}
    for version in sorted((v for v in versions if v.number > seen), key=lambda v: v.number):
        for change in version.changes or []:
            session_id = change.get("session_id")
            if not isinstance(session_id, int):
                continue
            kinds.setdefault(session_id, []).append(list(change.get("kinds") or ["changed"]))
            titles[session_id] = str(change.get("title") or "")
    result = {}
    for session_id, entries in kinds.items():
        category = _category(entries)
        if category is not None:
            result[session_id] = SinceChange(session_id, titles[session_id], category)
    return result


def summary(changes: Mapping[int, SinceChange]) -> list[tuple[str, int]]:
    """``[("new", 3), ("moved", 1)]``: the counts per category, in the order of CATEGORIES."""
    counts = {category: 0 for category in CATEGORIES}
    for change in changes.values():
        counts[change.category] += 1
    return [(category, n) for category, n in counts.items() if n]


def count_label(category: str, n: int) -> str:
    labels = {
        "new": ngettext("%(num)d new", "%(num)d new", n),
        "moved": ngettext("%(num)d moved", "%(num)d moved", n),
        "changed": ngettext("%(num)d changed", "%(num)d changed", n),
        "cancelled": ngettext("%(num)d cancelled", "%(num)d cancelled", n),
        "removed": ngettext("%(num)d removed", "%(num)d removed", n),
    }
    return labels[category]


def category_label(category: str) -> str:
    """The badge of a session that changed since the last visit."""
    labels = {"new": _("New"), "moved": _("Moved"), "changed": _("Changed"), "cancelled": _("Cancelled"),
              "removed": _("Removed")}
    return labels.get(category, category)


def latest_number(congress_id: int) -> int | None:
    return db.session.scalar(sa.select(sa.func.max(ProgrammeVersion.number))
                             .where(ProgrammeVersion.congress_id == congress_id))


def seen_by_visitor(congress_id: int) -> int | None:
    """The version the visitor's cookie names, when it is older than the latest (else None)."""
    return effective_seen(parse_seen(request.cookies.get(COOKIE)), latest_number(congress_id))


def since_last_visit(congress: Congress) -> dict[str, Any]:
    """The programme page's part: the version seen, the changes since, the summary's phrases."""
    seen = seen_by_visitor(congress.id)
    since = changes_since(versions(congress), seen)
    return {"seen": seen, "since": since, "since_summary": [count_label(c, n) for c, n in summary(since)]}


def cache_key(row: Any, **_kwargs: Any) -> str:
    """What the programme page depends on besides the programme: the version the visitor saw."""
    seen = seen_by_visitor(row.id)
    return "" if seen is None else str(seen)


def remember_version(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a public view routed with ``<slug>``: after it answers 200 or 304, the visitor's
    cookie names the edition's latest version (set only when it named another)."""

    @functools.wraps(view)
    def wrapped(slug: str, **kwargs: Any) -> Any:
        response = make_response(view(slug, **kwargs))
        if response.status_code not in (200, 304):
            return response
        latest = db.session.scalar(
            sa.select(sa.func.max(ProgrammeVersion.number)).join(Congress, Congress.id == ProgrammeVersion.congress_id)
            .where(Congress.slug == slug)
        )
        if latest is not None and request.cookies.get(COOKIE) != str(latest):
            response.set_cookie(COOKIE, str(latest), max_age=MAX_AGE, path=cookie_path(slug), samesite="Lax",
                                httponly=True, secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
            # A shared cache must not hand this visitor's cookie to the next one.
            response.cache_control.public = False
            response.cache_control.private = True
        return response

    return wrapped
