"""The licences items are published under, by the short name stored on the item, and their URIs
(for open data: schema.org ``license``, Dublin Core ``rights``, DCAT)."""

from __future__ import annotations

import re

_CC = re.compile(r"^\s*CC[\s-]*(BY(?:[\s-]+(?:NC|SA|ND))*)(?:[\s-]+(\d\.\d))?\s*$", re.IGNORECASE)
_CC0 = re.compile(r"^\s*CC[\s-]*0(?:[\s-]+1\.0)?\s*$", re.IGNORECASE)


def licence_uri(licence: str) -> str | None:
    """The URI of a licence as stored ("CC BY 4.0", "cc-by-sa 4.0", "CC0 1.0", a URL as it is); None
    for other text (a licence without a URI, shown as text only)."""
    text = (licence or "").strip()
    if text.startswith(("https://", "http://")):
        return text
    if _CC0.match(text):
        return "https://creativecommons.org/publicdomain/zero/1.0/"
    if text.lower() in ("public domain", "publiek domein", "pdm", "pdm 1.0"):
        return "https://creativecommons.org/publicdomain/mark/1.0/"
    match = _CC.match(text)
    if match:
        code = "-".join(part.lower() for part in re.split(r"[\s-]+", match.group(1)))
        return f"https://creativecommons.org/licenses/{code}/{match.group(2) or '4.0'}/"
    return None
