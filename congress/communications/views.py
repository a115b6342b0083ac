"""The back-office screens of communications: each part's blueprint is nested here."""

from __future__ import annotations

from flask import Blueprint

from congress.communications import mailing_views, mailtext_views, schedule_views, unsubscribe_views

bp = Blueprint("communications", __name__)
bp.register_blueprint(mailing_views.bp)
bp.register_blueprint(mailtext_views.bp)
bp.register_blueprint(schedule_views.bp)
bp.register_blueprint(unsubscribe_views.bp)
