"""``flask --app wsgi congress invitations …`` and ``… mailing …``: each part adds its commands here."""

from __future__ import annotations

import click

from congress.communications import mailings
from congress.communications.mailings import Audience, Draft, MailingConflict, MailingError
from congress.core import queries as core

# --to: the groups a script names, as the page's audience filters
AUDIENCES = {
    "confirmed": Audience(status="confirmed"),
    "waitlisted": Audience(status="waitlisted"),
    "checked-in": Audience(checked_in="yes"),
    "speakers": Audience(kind=mailings.KIND_SPEAKERS),
    "invitees": Audience(kind=mailings.KIND_INVITEES),
}


def register(group: click.Group) -> None:
    """Add communications' commands to ``flask congress`` (each part adds one line)."""
    group.add_command(mailing_group)


@click.group("mailing")
def mailing_group() -> None:
    """Mailings to a group of an edition."""


@mailing_group.command("send")
@click.argument("slug")
@click.option("--to", "to", type=click.Choice(sorted(AUDIENCES)), required=True, help="Who receives it.")
@click.option("--subject", required=True, help="The Dutch subject (placeholders allowed).")
@click.option("--text-file", type=click.File("r", encoding="utf-8"), required=True,
              help="The Dutch text, Markdown with placeholders ({{ name }}, {{ manage_url }}, {{ edition }}).")
@click.option("--subject-en", default="", help="The English subject (optional).")
@click.option("--text-file-en", type=click.File("r", encoding="utf-8"), default=None,
              help="The English text (optional).")
def send_command(slug: str, to: str, subject: str, text_file, subject_en: str, text_file_en) -> None:  # type: ignore[no-untyped-def]
    """Send a mailing: the same service as the page (once per address, unsubscribed addresses skipped);
    the messages are queued here and delivered by the worker. Prints how many were queued."""
    congress = core.congress_by_slug(slug)
    if congress is None:
        raise click.ClickException(f"no edition with the slug {slug!r}")
    draft = Draft(AUDIENCES[to], subject, text_file.read(), subject_en, text_file_en.read() if text_file_en else "")
    try:
        mailing = mailings.create_mailing(congress, draft)
        mailings.start_sending(mailing.id, hand_over=False)
    except (MailingError, MailingConflict) as exc:
        details = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.errors.items())
        raise click.ClickException(details or exc.message) from None
    report = mailings.send_pending(mailing.id)
    click.echo(f"Mailing {mailing.id} to {to} of {slug}: {report.queued} queued, "
               f"{report.skipped} skipped (unsubscribed).")
