"""``flask --app wsgi congress …``: users, API tokens, demo data, the worker and the mail queue."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from congress import backup as backups
from congress import capabilities
from congress import storage as files
from congress.accounts import services as accounts
from congress.accounts.models import ApiToken, Role, TokenScope
from congress.core.models import Congress, Track
from congress.demo import load_demo
from congress.extensions import db
from congress.jobs import run_worker
from congress.mail.services import send_due_mail

congress_cli = AppGroup("congress", help="Congres administration commands.")


@congress_cli.command("create-user")
@click.argument("email")
@click.option("--role", "roles", multiple=True, type=click.Choice([r.value for r in Role]), required=True,
              help="Role to grant; repeat for several.")
@click.option("--name", default="", help="Display name.")
@click.option("--password", default=None, help="Password; asked for when interactive, else generated.")
@click.option("--edition", "editions", multiple=True, metavar="SLUG",
              help="Grant the roles for this edition only; repeat for several (default: every edition).")
@click.option("--track", "tracks", multiple=True, metavar="NAME",
              help="A track manager's track, by its Dutch or English name (with one --edition); repeat for several.")
def create_user(email: str, roles: tuple[str, ...], name: str, password: str | None, editions: tuple[str, ...],
                tracks: tuple[str, ...]) -> None:
    """Create a staff account (or add roles to an existing one)."""
    congress_ids, track_ids = _scope(editions, tracks)
    generated = False
    if password is None:
        if sys.stdin.isatty():
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        else:
            password, generated = accounts.generate_password(), True
    try:
        user = accounts.create_user(email, name=name, password=password, roles=roles, congress_ids=congress_ids,
                                    track_ids=track_ids)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    scope = f" in {', '.join(editions)}" if editions else ""
    click.echo(f"User {user.email} has roles: {', '.join(sorted(user.roles))}{scope}")
    if generated:
        click.echo(f"Password: {password}")


def _scope(editions: tuple[str, ...], tracks: tuple[str, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The ids of the editions and tracks named on the command line; an unknown one is an error."""
    congress_ids = []
    for slug in editions:
        congress = db.session.scalar(sa.select(Congress).where(Congress.slug == slug))
        if congress is None:
            raise click.ClickException(f"no edition with slug {slug!r}")
        congress_ids.append(congress.id)
    if tracks and len(congress_ids) != 1:
        raise click.ClickException("--track needs exactly one --edition")
    track_ids = []
    for name in tracks:
        wanted = name.strip().lower()
        track = db.session.scalar(sa.select(Track).where(
            Track.congress_id == congress_ids[0],
            sa.or_(sa.func.lower(Track.name_nl) == wanted, sa.func.lower(Track.name_en) == wanted)))
        if track is None:
            raise click.ClickException(f"no track {name!r} in {editions[0]}")
        track_ids.append(track.id)
    return tuple(congress_ids), tuple(track_ids)


@congress_cli.command("create-token")
@click.argument("name")
@click.option("--scope", type=click.Choice([s.value for s in TokenScope]), required=True)
def create_token(name: str, scope: str) -> None:
    """Create an API token; the secret is printed once, as the last line."""
    issued = accounts.create_api_token(name, scope)
    click.echo(f"API token #{issued.token.id} '{name}' with scope '{scope}'. Store it now; it is not shown again:")
    click.echo(issued.secret)


@congress_cli.command("list-tokens")
def list_tokens() -> None:
    for token in db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id)):
        state = "revoked" if token.revoked_at else "active"
        click.echo(f"{token.id}\t{token.name}\t{token.scope}\t{token.prefix}…\t{state}")


@congress_cli.command("revoke-token")
@click.argument("token_id", type=int)
def revoke_token(token_id: int) -> None:
    if accounts.revoke_api_token(token_id) is None:
        raise click.ClickException(f"no token with id {token_id}")
    click.echo(f"Token {token_id} revoked.")


@congress_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no edition yet.")
def demo(if_empty: bool) -> None:
    """Load the demo editions congres-2025 and congres-2024 (idempotent)."""
    if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(Congress)):
        click.echo("The database already has editions; demo data not loaded.")
        return
    report = load_demo()
    for line in report:
        click.echo(line)


@congress_cli.command("worker")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1),
              help="Worker threads in each consumer process.")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(min=1),
              help="Consumer processes, supervised by this one (a process that dies is started again).")
def worker(workers: int, processes: int) -> None:
    """Run the background job consumer (mail delivery, scheduled jobs); periodic jobs run once per
    period whatever the number of processes and hosts."""
    code = run_worker(workers=workers, processes=processes)
    if code:
        raise SystemExit(code)


@congress_cli.command("send-mail")
def send_mail() -> None:
    """Deliver every queued message that is due, now, in this process."""
    counts = send_due_mail()
    click.echo(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing due")


@congress_cli.command("backup")
@click.argument("directory", type=click.Path(file_okay=False))
def backup(directory: str) -> None:
    """Back up the database and the uploaded files into DIRECTORY (new or empty; mode 0700)."""
    try:
        result = backups.backup(directory)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup of the {result.database} database and {result.files} files "
               f"({result.bytes:,} bytes) in {result.path}")


@congress_cli.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--force", is_flag=True, help="Replace a database and file folders that already hold data.")
def restore(directory: str, force: bool) -> None:
    """Restore a backup made by `congress backup` (every file's SHA-256 is checked first)."""
    try:
        result = backups.restore(directory, force=force)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored the {result.database} database and {result.files} files from {result.path}")


storage_cli = AppGroup("storage", help="The files the app writes and serves (docs/deploy.md, \"Object storage\").")
congress_cli.add_command(storage_cli)


@storage_cli.command("migrate")
@click.option("--to", "target_url", required=True, metavar="s3://BUCKET/PREFIX",
              help="The object storage to copy every file into (endpoint and credentials: STORAGE_S3_*).")
def storage_migrate(target_url: str) -> None:
    """Copy every stored file (archive, speaker photos and slides, print runs) into object storage and
    verify each copy's SHA-256; files already there with the same hash are left alone, so it may be
    run again (after an interruption, or just before switching STORAGE_URL)."""
    try:
        targets = files.migration_target(target_url)
        plan = files.migration_plan()
    except (files.StorageConfigError, files.StorageUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    counts = {"copied": 0, "present": 0}
    failed: list[str] = []
    with click.progressbar(plan, label=f"Copying {len(plan)} files", show_pos=True,
                           item_show_func=lambda item: f"{item[0]}/{item[1]}" if item else "") as bar:
        for area, key in bar:
            try:
                counts[files.migrate_file(area, key, targets[area])] += 1
            except (files.MigrationError, files.StorageUnavailable, FileNotFoundError) as exc:
                failed.append(f"{area}/{key}: {exc}")
    click.echo(f"{counts['copied']} copied and verified, {counts['present']} already there with the same hash, "
               f"{len(failed)} failed.")
    if failed:
        for line in failed:
            click.echo(f"  {line}", err=True)
        raise click.ClickException("not every file was copied: run the command again once the cause is fixed")
    click.echo(f"Every file is in {target_url}: set STORAGE_URL={target_url} (and the STORAGE_S3_* settings) "
               "on every host and restart.")


def init_app(app: Flask) -> None:
    """The foundation's commands plus each capability's ``cli.register(congress_cli)``."""
    for module in capabilities.modules("cli"):
        module.register(congress_cli)
    app.cli.add_command(congress_cli)
