"""Details as sentences: the one renderer of an audit event's data and of a knowledge item's history.

``readable(data)`` turns ``{"evidence_status": None, "status": "confirmed"}`` into
``[("Bewijskracht", "—"), ("Status", "bevestigd")]``: field names and known values through
:mod:`congress.audit.labels`, ``None`` as a dash, booleans as yes/no, lists joined. A capability with
values of its own (the knowledge base's evidence statuses) passes them in ``values``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from congress.audit.labels import FIELD_LISTS, field_label, value_label
from congress.i18n import pick

EMPTY = "—"
ValueLabels = Mapping[str, Mapping[str, Any]]


def value_text(name: str, value: Any, locale: str | None = None, values: ValueLabels | None = None) -> str:
    """One value as text: known values translated, empties as a dash."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return pick("ja", "yes", locale) if value else pick("nee", "no", locale)
    if isinstance(value, list | tuple):
        if name in FIELD_LISTS:
            return ", ".join(field_label(str(v), locale) for v in value)
        return ", ".join(value_text(name, v, locale, values) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{field_label(k, locale)}: {value_text(k, v, locale, values)}" for k, v in value.items())
    own = (values or {}).get(name, {})
    if isinstance(value, str) and value in own:
        return str(own[value])
    if isinstance(value, str):
        return value_label(value, locale) or value
    return str(value)


def readable(data: Mapping[str, Any] | None, locale: str | None = None, values: ValueLabels | None = None,
             names: Mapping[str, str] | None = None, *, skip_empty: bool = False) -> list[tuple[str, str]]:
    """The details as (label, text) pairs, in their stored order; ``names`` overrides field labels;
    ``skip_empty`` leaves out what holds nothing (the log's rows)."""
    return [((names or {}).get(k) or field_label(k, locale), value_text(k, v, locale, values))
            for k, v in (data or {}).items() if not (skip_empty and value_text(k, v, locale, values) == EMPTY)]


def line(name: str, value: Any, locale: str | None = None, values: ValueLabels | None = None,
         names: Mapping[str, str] | None = None) -> str:
    """``"Label: text"`` (the knowledge base's history shows its versions as such lines)."""
    return f"{(names or {}).get(name) or field_label(name, locale)}: {value_text(name, value, locale, values)}"
