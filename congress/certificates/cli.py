"""``flask --app wsgi congress certificates --congress congres-2024 --out DIR [--combined]``"""

from __future__ import annotations

from pathlib import Path

import click

from congress.certificates import render, services
from congress.certificates.queries import file_part
from congress.certificates.rules import with_attendance
from congress.core.queries import congress_by_slug
from congress.database import utcnow


def register(group: click.Group) -> None:
    @group.command("certificates")
    @click.option("--congress", "slug", required=True, help="Edition slug, e.g. congres-2024.")
    @click.option("--out", "out", type=click.Path(file_okay=False, writable=True), required=True,
                  help="Directory for the PDFs (made if missing).")
    @click.option("--combined", is_flag=True, help="Also write all certificates as one PDF, for printing.")
    def certificates(slug: str, out: str, combined: bool) -> None:
        """Write one certificate PDF per person who attended (with a progress bar), and print the counts."""
        congress = congress_by_slug(slug)
        if congress is None:
            raise click.ClickException(f"no edition with slug {slug!r}")
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        context = services.edition(congress, with_presences=True)
        people = list(with_attendance(congress, context, utcnow()))
        if not people:
            raise click.ClickException("nobody attended a session that has ended: no certificate written")
        issued = [render.Issued(cert, services.issue(cert)[1]) for cert in people]
        # Rendered in child processes (render.render_each / render_batch), written as they come.
        with click.progressbar(length=len(issued), label="Certificates", show_pos=True) as bar:
            for item, pdf in zip(issued, render.render_each(issued), strict=True):
                registration = item.certificate.registration
                name = f"{congress.slug}-{registration.id:06d}-{file_part(registration.name)}.pdf"
                (folder / name).write_bytes(pdf)
                bar.update(1)
        click.echo(f"{len(issued)} certificates written to {folder}")
        if combined:
            path = folder / f"{congress.slug}-certificates.pdf"
            path.write_bytes(render.render_batch(issued, lang="nl"))
            click.echo(f"combined: {path}")
