"""The back-office screens of communications: each part's blueprint is nested here."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("communications", __name__)
