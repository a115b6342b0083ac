"""``flask --app wsgi congress edition …``: editions from the command line, for scripts.

``edition create``, ``edition list`` and ``edition status`` (the edition lifecycle) and
``edition clone`` (copying an edition's set-up into a new one) are commands of one group.
"""

from __future__ import annotations

from datetime import date

import click

from congress.core import services as core
from congress.core.cloning import clone_edition
from congress.core.models import CongressStatus
from congress.core.services import congress_by_slug
from congress.errors import ServiceError


def register(group: click.Group) -> None:
    @group.group("edition")
    def edition() -> None:
        """Create, list, clone editions and move them through draft → published → closed → archived."""

    _lifecycle_commands(edition)
    _clone_commands(edition)


def _lifecycle_commands(edition: click.Group) -> None:
    """``edition create``, ``edition list``, ``edition status`` (the lifecycle)."""
    def refused(exc: ServiceError) -> click.ClickException:
        fields = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.errors.items())
        return click.ClickException(fields or exc.message)

    @edition.command("create")
    @click.argument("slug")
    @click.option("--title-nl", required=True, help="Dutch title.")
    @click.option("--title-en", default="", help="English title (default: the Dutch one).")
    @click.option("--start", "starts_on", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day.")
    @click.option("--end", "ends_on", type=click.DateTime(["%Y-%m-%d"]), help="Last day (default: the first).")
    @click.option("--venue", default="", help="Name of the venue.")
    @click.option("--timezone", default="Europe/Amsterdam", show_default=True)
    def create(slug: str, title_nl: str, title_en: str, starts_on, ends_on, venue: str, timezone: str) -> None:
        """Create an edition as a draft (publish it with ``edition status SLUG published``)."""
        first: date = starts_on.date()
        try:
            congress = core.create_congress(slug, title_nl=title_nl, title_en=title_en, starts_on=first,
                                            ends_on=ends_on.date() if ends_on else first, venue_name=venue,
                                            timezone=timezone)
        except ServiceError as exc:
            raise refused(exc) from None
        click.echo(f"Edition {congress.slug} created ({congress.starts_on.isoformat()}), status {congress.status}.")

    @edition.command("list")
    def list_editions() -> None:
        """Every edition, the latest first: slug, status, dates, title."""
        rows = core.all_congresses()
        if not rows:
            click.echo("No editions.")
        for c in rows:
            days = c.starts_on.isoformat() + ("" if c.ends_on == c.starts_on else f"..{c.ends_on.isoformat()}")
            click.echo(f"{c.slug}\t{c.status}\t{days}\t{c.title_nl}")

    @edition.command("status")
    @click.argument("slug")
    @click.argument("status", type=click.Choice([s.value for s in CongressStatus if s != CongressStatus.DRAFT]))
    def status(slug: str, status: str) -> None:
        """Move an edition: draft → published → closed → archived, or closed → published."""
        congress = core.congress_by_slug(slug)
        if congress is None:
            raise click.ClickException(f"no edition with slug {slug!r}")
        old = congress.status
        try:
            core.change_status(congress, status)
        except ServiceError as exc:
            raise refused(exc) from None
        click.echo(f"Edition {slug}: {old} → {congress.status}.")


def _clone_commands(edition: click.Group) -> None:
    """``edition clone FROM_SLUG NEW_SLUG --start YYYY-MM-DD``."""

    @edition.command("clone")
    @click.argument("from_slug")
    @click.argument("new_slug")
    @click.option("--start", "starts_on", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
                  help="First day of the new edition (YYYY-MM-DD); every date moves by the same number of days.")
    @click.option("--title-nl", default=None, help="Dutch title (default: the original's).")
    @click.option("--title-en", default=None, help="English title (default: the original's).")
    def clone(from_slug: str, new_slug: str, starts_on, title_nl: str | None, title_en: str | None) -> None:
        """Copy an edition's set-up into a new draft edition (never people, registrations or reviews)."""
        source = congress_by_slug(from_slug)
        if source is None:
            raise click.ClickException(f"no edition with slug {from_slug!r}")
        try:
            result = clone_edition(source, new_slug, starts_on.date(), title_nl=title_nl, title_en=title_en)
        except ServiceError as exc:
            raise click.ClickException(f"{exc.field or 'edition'}: {exc.message}") from None
        target = result.congress
        click.echo(f"Cloned {from_slug} into {target.slug} (draft), {target.starts_on:%Y-%m-%d} to "
                   f"{target.ends_on:%Y-%m-%d}. Copied:")
        for kind, count in result.copied.items():
            click.echo(f"  {kind}: {count}")
