"""The licences items are published under, by the short name stored on the item, and their URIs
(for open data: schema.org ``license``, Dublin Core ``rights``, DCAT)."""

from __future__ import annotations

LICENCE_URIS = {
    "CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC BY-SA 4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC BY-NC 4.0": "https://creativecommons.org/licenses/by-nc/4.0/",
    "CC BY-NC-SA 4.0": "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    "CC BY-ND 4.0": "https://creativecommons.org/licenses/by-nd/4.0/",
    "CC BY-NC-ND 4.0": "https://creativecommons.org/licenses/by-nc-nd/4.0/",
    "CC0 1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "CC0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "Public domain": "https://creativecommons.org/publicdomain/mark/1.0/",
}
_BY_FOLDED = {name.casefold().replace("-", " "): uri for name, uri in LICENCE_URIS.items()}


def licence_uri(name: str) -> str | None:
    """The URI of a licence's short name ("CC BY 4.0", "cc-by 4.0" alike), or the name itself when it
    is a URI already; None when it is neither (shown as text only)."""
    value = (name or "").strip()
    if value.startswith(("https://", "http://")):
        return value
    return _BY_FOLDED.get(value.casefold().replace("-", " "))
