"""One knowledge item as an OAI-PMH record: its header and its ``oai_dc`` (Simple Dublin Core) metadata.

A record is built from a :class:`RecordData`, a frozen copy of everything it shows (links already
made from the configured base URL). The serialised record is cached under that copy, so it is
rebuilt exactly when something it shows changes (the item, a speaker's name, a related item's
status…) and never served stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from lxml import etree

from congress.archive import queries as archive
from congress.archive.queries import Harvested
from congress.programme.queries import slugify
from congress.urls import external_url, public_base_url, public_domain

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# DCMI Type Vocabulary term per item type (https://www.dublincore.org/specifications/dublin-core/dcmi-type-vocabulary/).
DCMI_TYPES = {
    archive.ItemType.SESSION_REPORT.value: "Text",
    archive.ItemType.PRESENTATION.value: "Text",
    archive.ItemType.RECORDING.value: "MovingImage",
    archive.ItemType.INTERVENTION.value: "Text",
    archive.ItemType.EVALUATION.value: "Text",
    archive.ItemType.REPORT.value: "Text",
    archive.ItemType.NEWS.value: "Text",
    archive.ItemType.MILESTONE.value: "Text",
}

_CC = re.compile(r"^\s*CC[\s-]*(BY(?:[\s-]+(?:NC|SA|ND))*)(?:[\s-]+(\d\.\d))?\s*$", re.IGNORECASE)
_CC0 = re.compile(r"^\s*CC[\s-]*0(?:[\s-]+1\.0)?\s*$", re.IGNORECASE)


def licence_uri(licence: str) -> str:
    """The URI of a licence as stored ("CC BY 4.0", "CC BY-SA 4.0", "CC0 1.0", a URL); other text as it is."""
    text = licence.strip()
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
    return text


def oai_identifier(key: str) -> str:
    """``oai:<host of PUBLIC_BASE_URL>:<item key>``: the key never changes, so neither does this."""
    return f"oai:{public_domain()}:{key}"


def key_of(identifier: str) -> str | None:
    """The item key an identifier of this repository names; None for any other identifier."""
    prefix = f"oai:{public_domain()}:"
    key = identifier[len(prefix):] if identifier.startswith(prefix) else ""
    return key if re.fullmatch(r"[A-Za-z0-9_-]{1,16}", key) else None


def datestamp(moment: datetime) -> str:
    """UTC at seconds granularity, as OAI-PMH wants it: ``YYYY-MM-DDThh:mm:ssZ``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def set_specs(item_type: str, track_name: str, edition_slug: str | None) -> tuple[str, ...]:
    specs = [f"type:{item_type}"]
    if track_name and slugify(track_name):
        specs.append(f"track:{slugify(track_name)}")
    if edition_slug:
        specs.append(f"edition:{edition_slug}")
    return tuple(specs)


@dataclass(frozen=True)
class RecordData:
    """Everything a record shows, copied from the item and its relations."""

    identifier: str
    datestamp: str
    sets: tuple[str, ...]
    deleted: bool
    title: str = ""
    description: str = ""
    language: str = ""
    creators: tuple[str, ...] = ()
    subjects: tuple[tuple[str, str], ...] = ()  # (value, language or "")
    item_type: str = ""
    date: str = ""
    formats: tuple[str, ...] = ()
    permalink: str = ""
    relations: tuple[str, ...] = ()
    rights: str = ""


_KEY, _SLUG, _ID = "KEY0placeholder", "slug0placeholder", 987654321


@lru_cache(maxsize=8)
def _link_templates(base_url: str) -> tuple[str, str, str]:
    """The item, edition and session links on this base URL with placeholders: a page of records
    fills them in instead of building each link through the URL map."""
    return (external_url("archive.item", key=_KEY), external_url("public.edition", slug=_SLUG),
            external_url("programme.session_page", slug=_SLUG, session_id=_ID))


def record_data(item: Harvested) -> RecordData:
    """The record of an item read by ``archive.queries.harvest_page``/``harvest_item``."""
    header = {"identifier": oai_identifier(item.key), "datestamp": datestamp(item.updated_at),
              "sets": set_specs(item.type, item.track_name, item.edition)}
    if item.deleted:
        return RecordData(**header, deleted=True)
    creators = [name for name in item.speakers if name] + item.authors + item.organisations
    subjects: list[tuple[str, str]] = [(item.track_name, "nl")] if item.track_name else []
    for kind in (archive.TermKind.FACTOR.value, archive.TermKind.TARGET_GROUP.value, archive.TermKind.TAG.value):
        subjects += [(value, "") for value in item.terms.get(kind, [])]
    relations = []
    item_link, edition_link, session_link = _link_templates(public_base_url())
    if item.session_id is not None and item.edition:
        relations.append(session_link.replace(_SLUG, item.edition).replace(str(_ID), str(item.session_id)))
    if item.edition:
        relations.append(edition_link.replace(_SLUG, item.edition))
    relations += [item_link.replace(_KEY, key) for key in item.related]
    return RecordData(
        **header, deleted=False, title=item.title, description=item.summary or "", language=item.language or "",
        creators=tuple(dict.fromkeys(creators)), subjects=tuple(dict.fromkeys(subjects)), item_type=item.type,
        date=item.publication_date.isoformat() if item.publication_date else "",
        formats=tuple(dict.fromkeys(item.formats)), permalink=item_link.replace(_KEY, item.key),
        relations=tuple(relations), rights=licence_uri(item.licence or ""),
    )


def _header(parent: etree._Element | None, data: RecordData) -> etree._Element:
    attrs = {"status": "deleted"} if data.deleted else {}
    tag = f"{{{OAI_NS}}}header"
    header = etree.Element(tag, attrs, nsmap={None: OAI_NS}) if parent is None else etree.SubElement(parent, tag, attrs)
    etree.SubElement(header, f"{{{OAI_NS}}}identifier").text = data.identifier
    etree.SubElement(header, f"{{{OAI_NS}}}datestamp").text = data.datestamp
    for spec in data.sets:
        etree.SubElement(header, f"{{{OAI_NS}}}setSpec").text = spec
    return header


def _dc(parent: etree._Element, name: str, text: str, lang: str = "") -> None:
    element = etree.SubElement(parent, f"{{{DC_NS}}}{name}", {XML_LANG: lang} if lang else {})
    element.text = text


def _metadata(record: etree._Element, data: RecordData) -> None:
    metadata = etree.SubElement(record, f"{{{OAI_NS}}}metadata")
    dc = etree.SubElement(metadata, f"{{{OAI_DC_NS}}}dc",
                          {f"{{{XSI_NS}}}schemaLocation": f"{OAI_DC_NS} {OAI_DC_SCHEMA}"},
                          nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS})
    _dc(dc, "title", data.title, data.language)
    for creator in data.creators:
        _dc(dc, "creator", creator)
    for subject, lang in data.subjects:
        _dc(dc, "subject", subject, lang)
    if data.description:
        _dc(dc, "description", data.description, data.language)
    if data.date:
        _dc(dc, "date", data.date)
    _dc(dc, "type", DCMI_TYPES.get(data.item_type, "Text"))
    _dc(dc, "type", data.item_type, "nl")
    for content_type in data.formats:
        _dc(dc, "format", content_type)
    _dc(dc, "identifier", data.permalink)
    if data.language:
        _dc(dc, "language", data.language)
    for relation in data.relations:
        _dc(dc, "relation", relation)
    if data.rights:
        _dc(dc, "rights", data.rights)


@lru_cache(maxsize=20_000)
def header_xml(data: RecordData) -> bytes:
    return etree.tostring(_header(None, data), encoding="utf-8")


@lru_cache(maxsize=20_000)
def record_xml(data: RecordData) -> bytes:
    record = etree.Element(f"{{{OAI_NS}}}record", nsmap={None: OAI_NS})
    _header(record, data)
    if not data.deleted:
        _metadata(record, data)
    return etree.tostring(record, encoding="utf-8")
