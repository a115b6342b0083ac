"""``flask --app wsgi congress evaluations to-archive congres-2024``"""

from __future__ import annotations

import click

from congress.core.queries import congress_by_slug
from congress.evaluations import services


def register(group: click.Group) -> None:
    @group.group("evaluations")
    def evaluations() -> None:
        """Session evaluations."""

    @evaluations.command("to-archive")
    @click.argument("slug")
    def to_archive(slug: str) -> None:
        """Make each session's aggregated evaluation (from the threshold of answers on) a draft
        knowledge item of type evaluatie, once; running again makes no second one."""
        congress = congress_by_slug(slug)
        if congress is None:
            raise click.ClickException(f"no edition with slug {slug!r}")
        try:
            outcome = services.to_archive(congress)
        except services.NotClosed as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"{congress.slug}: {len(outcome.made)} draft evaluation items made, "
                   f"{len(outcome.existing)} there already, {len(outcome.below_threshold)} sessions below the "
                   "threshold (nothing made)")
        for session in outcome.not_archived:
            click.echo(f"  not yet linked to a session item (archive the session, then run again): {session.title}")
