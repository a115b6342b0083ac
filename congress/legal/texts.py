"""The default privacy statement (``texts/privacy.<nl|en>.md``, filled in from the processing
register and the settings) and the organisation named on the legal pages.

Settings (``app.config``, all optional):

- ``LEGAL_CONTROLLER_NL`` / ``LEGAL_CONTROLLER_EN``: the controller (the ministry or organiser);
- ``LEGAL_CONTACT_EMAIL``: where people send privacy and accessibility questions;
- ``ACCESSIBILITY_STATEMENT_DATE``: the date of the accessibility statement (ISO, ``2026-12-01``).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from string import Template

from flask import current_app

from congress.core.models import Congress
from congress.i18n import pick
from congress.legal import register

TEXTS = Path(__file__).resolve().parent / "texts"
DEFAULT_CONTROLLER = ("Ministerie van Sociale Zaken en Werkgelegenheid", "Ministry of Social Affairs and Employment")
DEFAULT_CONTACT = "privacy@congres.example"
DEFAULT_STATEMENT_DATE = date(2026, 12, 1)


def controller(locale: str) -> str:
    config = current_app.config
    return pick(config.get("LEGAL_CONTROLLER_NL") or DEFAULT_CONTROLLER[0],
                config.get("LEGAL_CONTROLLER_EN") or config.get("LEGAL_CONTROLLER_NL") or DEFAULT_CONTROLLER[1],
                locale)


def contact_email() -> str:
    return current_app.config.get("LEGAL_CONTACT_EMAIL") or DEFAULT_CONTACT


def statement_date() -> date:
    value = current_app.config.get("ACCESSIBILITY_STATEMENT_DATE")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else DEFAULT_STATEMENT_DATE
    except ValueError:
        return DEFAULT_STATEMENT_DATE


@cache
def _template(locale: str) -> Template:
    return Template((TEXTS / f"privacy.{'en' if locale == 'en' else 'nl'}.md").read_text(encoding="utf-8"))


def processings_markdown(locale: str, months: int) -> str:
    """The register as the statement's section: one sub-heading per processing."""
    labels = {
        "fields": pick("Gegevens", "Data", locale), "purpose": pick("Doel", "Purpose", locale),
        "basis": pick("Grondslag", "Legal basis", locale), "retention": pick("Bewaartermijn", "Retention", locale),
        "recipients": pick("Wie ziet het", "Who sees it", locale),
    }
    parts = []
    for p in register.PROCESSINGS:
        parts.append(
            f"### {p.category(locale)}\n\n"
            f"- **{labels['fields']}:** {p.fields(locale)}\n"
            f"- **{labels['purpose']}:** {p.purpose(locale)}\n"
            f"- **{labels['basis']}:** {p.legal_basis(locale)}\n"
            f"- **{labels['retention']}:** {register.retention_text(p, locale, months)}\n"
            f"- **{labels['recipients']}:** {p.recipients(locale)}\n"
        )
    return "\n".join(parts).rstrip()


def default_privacy(congress: Congress, locale: str, months: int, due_text: str) -> str:
    """The default statement of an edition in Markdown (what the organiser starts editing from)."""
    email = contact_email()
    return _template(locale).safe_substitute(
        edition=_escape(congress.title(locale)),
        controller=_escape(controller(locale)),
        processings=processings_markdown(locale, months),
        months=str(months),
        due=due_text,
        contact=f"[{email}](mailto:{email})",
    )


def _escape(text: str) -> str:
    """Plain text inside Markdown: its markup characters stay characters."""
    return "".join("\\" + c if c in "\\`*_{}[]()<>#+!|~" else c for c in text)
