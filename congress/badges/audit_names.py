"""How the audit log names print runs (answering ``audit.signals.objects_described``)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from congress.audit.queries import name_objects
from congress.badges.models import PrintRun
from congress.core.models import Congress
from congress.extensions import db
from congress.i18n import pick


def print_runs(_kind: str, *, ids: list[int], locale: str, **_: Any) -> dict[int, tuple[str, str | None]]:
    def slug(run: PrintRun) -> str:
        return db.session.get(Congress, run.congress_id).slug

    return name_objects(PrintRun, ids,
                        lambda r: pick(f"Printopdracht {r.id} ({r.layout}, {slug(r)})",
                                       f"Print run {r.id} ({r.layout}, {slug(r)})", locale),
                        lambda r: url_for("badges.run", slug=slug(r), run_id=r.id))
