"""Finds the capability packages under ``congress/`` and their optional modules.

A capability is a sub-package (registration, programme, …). The app factory registers the
``bp`` of its ``views`` and ``api`` modules, Alembic sees its ``models``, the worker imports its
``tasks``, the OpenAPI document merges its ``api.OPENAPI_PATHS``, and the demo loader calls its
``demo.load``. A new capability therefore needs no edit to a shared file.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from pathlib import Path
from types import ModuleType

PACKAGE_DIR = Path(__file__).resolve().parent
# The order in which capabilities are loaded; others follow alphabetically.
FIRST = ("core", "accounts", "audit", "mail", "programme")


@cache
def names() -> tuple[str, ...]:
    found = sorted(m.name for m in pkgutil.iter_modules([str(PACKAGE_DIR)]) if m.ispkg and m.name != "translations")
    return tuple([n for n in FIRST if n in found] + [n for n in found if n not in FIRST])


def modules(kind: str) -> list[ModuleType]:
    """``congress.<capability>.<kind>`` for every capability that has one."""
    loaded = []
    for name in names():
        if (PACKAGE_DIR / name / f"{kind}.py").exists() or (PACKAGE_DIR / name / kind).is_dir():
            loaded.append(importlib.import_module(f"congress.{name}.{kind}"))
    return loaded


def translation_directories() -> list[str]:
    """The foundation catalogue first, then one per capability that has its own."""
    dirs = [str(PACKAGE_DIR / "translations")]
    dirs += [str(PACKAGE_DIR / n / "translations") for n in names() if (PACKAGE_DIR / n / "translations").is_dir()]
    return dirs
