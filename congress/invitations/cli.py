"""``flask --app wsgi congress invitations import SLUG FILE --list NAME [--send] [--valid-only]``."""

from __future__ import annotations

from pathlib import Path

import click

from congress.core import queries as core
from congress.invitations import services


def register(group: click.Group) -> None:
    """Add invitations' commands to ``flask congress``."""
    group.add_command(invitations_group)


@click.group("invitations")
def invitations_group() -> None:
    """Invitation lists of an edition."""


@invitations_group.command("import")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--list", "list_name", required=True,
              help="The list for rows without a list column (created when it does not exist).")
@click.option("--send", is_flag=True, help="Send the invitations of the imported lists at once.")
@click.option("--valid-only", is_flag=True,
              help="Import the valid rows of a file with refused rows (without it such a file imports nothing).")
def import_command(slug: str, file: Path, list_name: str, send: bool, valid_only: bool) -> None:
    """Import contacts (name, e-mail, organisation, sector, list) from CSV or XLSX; prints the report,
    row by row. Nothing is half-imported: one transaction."""
    congress = core.congress_by_slug(slug)
    if congress is None:
        raise click.ClickException(f"no edition with the slug {slug!r}")
    data = file.read_bytes()
    try:
        report = services.import_contacts(congress, file.name, data, list_name, valid_only=valid_only)
    except services.ImportError_ as exc:
        if exc.report is not None:
            for line in exc.report.lines():
                click.echo(line)
        raise click.ClickException(exc.message) from None
    for line in report.lines():
        click.echo(line)
    click.echo(f"{report.imported} invitees imported into {slug}.")
    if send:
        queued = skipped = 0
        for list_id in services.lists_of_invitees(report.invitee_ids):
            sent = services.send_invitations(congress, list_id)
            queued, skipped = queued + sent.queued, skipped + sent.skipped
        click.echo(f"Invitations: {queued} queued, {skipped} skipped (unsubscribed).")
