"""Public pages: the current edition's landing page and each edition's overview."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, render_template
from sqlalchemy import text

from congress.core import queries as core
from congress.extensions import db
from congress.programme import queries as programme

bp = Blueprint("public", __name__)


@bp.route("/")
def index():
    congress = core.current_congress()
    return render_template(
        "public/index.html", congress=congress, editions=core.public_congresses()
    )


@bp.route("/<slug>/")
def edition(slug: str):
    congress = core.public_congress_or_404(slug)
    sessions = programme.public_sessions(congress)
    days = [
        (day, list(items))
        for day, items in groupby(sessions, key=lambda s: programme.local_day(s, congress))
    ]
    return render_template("public/edition.html", congress=congress, days=days)


@bp.route("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
