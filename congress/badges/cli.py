"""``flask --app wsgi congress badges --congress congres-2025 --layout a4-4up --out badges.pdf``"""

from __future__ import annotations

import click

from congress.badges import services
from congress.badges.queries import LAYOUTS
from congress.core.queries import congress_by_slug


def register(group: click.Group) -> None:
    @group.command("badges")
    @click.option("--congress", "slug", required=True, help="Edition slug, e.g. congres-2025.")
    @click.option("--layout", type=click.Choice(sorted(LAYOUTS)), default="a6", show_default=True)
    @click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), required=True)
    @click.option("--registration", "registration_id", type=int, help="Only this registration.")
    @click.option("--who", type=click.Choice(["everyone", "track", "sector", "new"]), default="everyone",
                  show_default=True)
    @click.option("--track", "track_id", type=int, help="With --who track.")
    @click.option("--sector", "sector_id", type=int, help="With --who sector.")
    @click.option("--lang", "locale", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
    @click.option("--processes", type=int, default=None, help="Render processes (default: one per core).")
    def badges(slug: str, layout: str, out: str, registration_id: int | None, who: str, track_id: int | None,
               sector_id: int | None, locale: str, processes: int | None) -> None:
        """Render badges into one PDF, sorted by last name, with a progress bar."""
        congress = congress_by_slug(slug)
        if congress is None:
            raise click.ClickException(f"no edition with slug {slug!r}")
        if registration_id is not None:
            who = "one"
        registrations = services.select_registrations(
            congress, who, track_id=track_id, sector_id=sector_id, registration_id=registration_id
        )
        if not registrations:
            raise click.ClickException("nobody matches this selection: no PDF written")
        with click.progressbar(length=len(registrations), label="Badges", show_pos=True) as bar:
            last = [0]

            def progress(done: int, total: int) -> None:
                bar.update(done - last[0])
                last[0] = done

            pdf = services.render_registrations(registrations, layout, locale=locale, processes=processes,
                                                progress=progress)
        with open(out, "wb") as fh:
            fh.write(pdf)
        click.echo(f"{len(registrations)} badges, layout {layout}: {out} ({len(pdf) // 1024} KiB)")
