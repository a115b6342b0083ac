"""``flask --app wsgi congress edition …``: editions from the command line, for scripts.

``edition create``, ``edition list`` and ``edition status`` (the edition lifecycle) and
``edition clone`` (copying an edition's set-up into a new one) are commands of one group.
"""

from __future__ import annotations

import click


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
