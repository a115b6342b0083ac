"""``flask --app wsgi congress municipalities import FILE``: the list of municipalities from CSV or XLSX."""

from __future__ import annotations

from pathlib import Path

import click

from congress.municipalities import services


def register(group: click.Group) -> None:
    group.add_command(municipalities_group)


@click.group("municipalities")
def municipalities_group() -> None:
    """The list of municipalities (CBS codes) that registrations may name."""


@municipalities_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Import municipalities (columns code and naam/name) from CSV or XLSX; prints the report row by
    row. All rows or none (one transaction); importing the same file again changes nothing."""
    try:
        report = services.import_file(file.name, file.read_bytes())
    except services.ImportRefused as exc:
        if exc.report is not None:
            for line in exc.report.lines():
                click.echo(line)
        raise click.ClickException(str(exc.message)) from None
    for line in report.lines():
        click.echo(line)
