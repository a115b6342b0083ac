"""``flask --app wsgi congress invitations …`` and ``… mailing …``: each part adds its commands here."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add communications' commands to ``flask congress`` (each part adds one line)."""
