"""Commands of the legal capability: saving an edition's privacy statement and retention period,
copying them into a clone, and noting that the retention job anonymised an edition."""

from __future__ import annotations

from flask_babel import gettext as _

from congress.audit.services import record
from congress.core.models import Congress
from congress.database import transactional, utcnow
from congress.errors import InvalidInput
from congress.extensions import db
from congress.legal import queries
from congress.legal.models import DEFAULT_RETENTION_MONTHS, MAX_RETENTION_MONTHS, LegalSettings
from congress.legal.queries import (
    add_months,
    default_privacy,
    privacy_markdown,
    retention_due_on,
    retention_months,
    retention_overview,
    settings_of,
)
from congress.sanitize import has_forbidden_characters

__all__ = [
    "DEFAULT_RETENTION_MONTHS", "MAX_RETENTION_MONTHS", "LegalError", "add_months", "copy_settings",
    "default_privacy", "mark_anonymised", "privacy_markdown", "retention_due_on", "retention_months",
    "retention_overview", "save_privacy", "settings_of",
]

MAX_TEXT = 100_000


class LegalError(InvalidInput):
    """A privacy statement or retention period that breaks a rule (422, shown next to the field)."""


def _settings_for_update(congress: Congress) -> LegalSettings:
    settings = settings_of(congress)
    if settings is None:
        settings = LegalSettings(congress_id=congress.id, retention_months=DEFAULT_RETENTION_MONTHS)
        db.session.add(settings)
    return settings


def validate(privacy_nl: str, privacy_en: str, months: int | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, text in (("privacy_nl", privacy_nl), ("privacy_en", privacy_en)):
        if len(text) > MAX_TEXT:
            errors[name] = [_("The statement is too long: at most %(n)d characters.", n=MAX_TEXT)]
        elif has_forbidden_characters(text):
            errors[name] = [_("The statement contains characters that cannot be stored.")]
    if months is None or not 1 <= months <= MAX_RETENTION_MONTHS:
        errors["retention_months"] = [
            _("Choose a number of months from %(low)d to %(high)d.", low=1, high=MAX_RETENTION_MONTHS)]
    return errors


@transactional
def save_privacy(congress: Congress, *, privacy_nl: str, privacy_en: str,
                 retention_months: int | None) -> LegalSettings:
    """Store the statement (an empty text: the default) and the retention period; audited."""
    privacy_nl, privacy_en = (privacy_nl or "").replace("\r\n", "\n").strip(), (privacy_en or "").replace(
        "\r\n", "\n").strip()
    errors = validate(privacy_nl, privacy_en, retention_months)
    if errors:
        raise LegalError(next(iter(errors.values()))[0], errors=errors)
    # The default text left as it was stays the default (it follows the register and the period).
    old_months = queries.retention_months(congress)
    if privacy_nl == default_privacy(congress, "nl", old_months).strip():
        privacy_nl = ""
    if privacy_en == default_privacy(congress, "en", old_months).strip():
        privacy_en = ""
    settings = _settings_for_update(congress)
    changed = {
        "privacy_nl": settings.privacy_nl != privacy_nl, "privacy_en": settings.privacy_en != privacy_en,
        "retention_months": settings.retention_months != retention_months,
    }
    settings.privacy_nl, settings.privacy_en = privacy_nl, privacy_en
    settings.retention_months = int(retention_months)  # type: ignore[arg-type]
    record("legal.privacy_saved", settings, congress_id=congress.id,
           changed=sorted(k for k, v in changed.items() if v), retention_months=settings.retention_months)
    return settings


def copy_settings(source: Congress, target: Congress) -> LegalSettings | None:
    """Copy the statement and retention period of ``source`` into ``target`` (in the caller's
    transaction: the clone's). The edition's title in a written statement is the organiser's to change."""
    settings = settings_of(source)
    if settings is None:
        return None
    copy = _settings_for_update(target)
    copy.privacy_nl, copy.privacy_en = settings.privacy_nl, settings.privacy_en
    copy.retention_months = settings.retention_months
    copy.anonymised_at = None
    return copy


def mark_anonymised(congress: Congress) -> None:
    """Note, in the caller's (the retention run's) transaction, that the edition was anonymised."""
    _settings_for_update(congress).anonymised_at = utcnow()
