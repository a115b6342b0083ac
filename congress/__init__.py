"""Congres: congress and event management. ``create_app`` builds the Flask application.

The package itself stays light: ``import congress.badges.render`` (a badge-rendering child process, a
benchmark, a script) runs this file first, and must not pay for Flask-SQLAlchemy, Huey, Alembic and
every capability. So the app factory lives in :mod:`congress.app` and is loaded on first use of
``congress.create_app`` (PEP 562)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from congress.app import ConfigurationError, create_app

__all__ = ["ConfigurationError", "create_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from congress import app  # noqa: PLC0415 - loaded on first use, see the module's docstring

        return getattr(app, name)
    raise AttributeError(f"module 'congress' has no attribute {name!r}")
