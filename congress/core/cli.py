"""``flask --app wsgi congress edition …``: editions from the command line, for scripts.

``edition create``, ``edition list`` and ``edition status`` (the edition lifecycle) and
``edition clone`` (copying an edition's set-up into a new one) are commands of one group.
"""

from __future__ import annotations

import click

from congress.core.cloning import clone_edition
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
