"""``flask --app wsgi congress retention [--dry-run]``: anonymise the editions whose retention period
has passed, printing per edition what it would do (``--dry-run``) or did (counts)."""

from __future__ import annotations

from datetime import date

import click

from congress.manage import retention


def register(group: click.Group) -> None:
    @group.command("retention")
    @click.option("--dry-run", is_flag=True, help="Only show what would be anonymised.")
    @click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                  help="Act as if today were this day (YYYY-MM-DD), e.g. to see what is due next year.")
    def retention_command(dry_run: bool, today) -> None:
        """Anonymise personal data of editions whose retention period has passed (counts and archive stay)."""
        day: date = today.date() if today else date.today()
        results = retention.run(dry_run=dry_run, today=day)
        if not results:
            click.echo("No editions.")
        verb = "would anonymise" if dry_run else "anonymised"
        for r in results:
            if not r.due:
                click.echo(f"{r.slug}: retention {r.months} months, due on {r.due_on.isoformat()}; nothing to do yet.")
            elif r.total == 0:
                click.echo(f"{r.slug}: due since {r.due_on.isoformat()}; nothing left to anonymise.")
            else:
                parts = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in r.counts.items())
                click.echo(f"{r.slug}: due since {r.due_on.isoformat()}; {verb} {parts}.")
