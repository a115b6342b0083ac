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
from xml.sax.saxutils import escape

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
XML_NS = "http://www.w3.org/XML/1998/namespace"

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

def oai_identifier(key: str) -> str:
    """``oai:<host of PUBLIC_BASE_URL>:<item key>``: the key never changes, so neither does this."""
    return _identifier_prefix(public_base_url()) + key


@lru_cache(maxsize=8)
def _identifier_prefix(base_url: str) -> str:
    return f"oai:{public_domain()}:"


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
    titles: tuple[tuple[str, str], ...] = ()  # (language, text): the Dutch, the English (either may be left out)
    descriptions: tuple[tuple[str, str], ...] = ()
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


@lru_cache(maxsize=8)
def _video_template(base_url: str) -> str:
    return external_url("archive.recordings.video", key=_KEY, recording_id=_ID)


def _versions(nl: str | None, en: str | None) -> tuple[tuple[str, str], ...]:
    """A bilingual text as ``dc`` elements show it: each language it exists in, Dutch first."""
    return tuple((lang, text) for lang, text in (("nl", nl), ("en", en)) if text)


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
    # Its published recordings: the video file on this site, or the page on the video platform.
    relations += [_video_template(public_base_url()).replace(_KEY, item.key).replace(str(_ID), value[5:])
                  if value.startswith("file:") else value[4:] for value in item.recordings]
    return RecordData(
        **header, deleted=False, titles=_versions(item.title, item.title_en),
        descriptions=_versions(item.summary, item.summary_en), language=item.language or "",
        creators=tuple(dict.fromkeys(creators)), subjects=tuple(dict.fromkeys(subjects)), item_type=item.type,
        date=item.publication_date.isoformat() if item.publication_date else "",
        formats=tuple(dict.fromkeys(item.formats)), permalink=item_link.replace(_KEY, item.key),
        relations=tuple(relations), rights=archive.licence_uri(item.licence) or (item.licence or ""),
    )


# Characters XML 1.0 does not allow; stored text never carries them into a record (they would make
# the whole response unreadable for a harvester).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What a text needs done to it at all: most values need nothing, and one scan tells.
_UNSAFE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DC_OPEN = (f'<metadata><oai_dc:dc xmlns:oai_dc="{OAI_DC_NS}" xmlns:dc="{DC_NS}" xmlns:xsi="{XSI_NS}" '
            f'xsi:schemaLocation="{OAI_DC_NS} {OAI_DC_SCHEMA}">')
_DC_CLOSE = "</oai_dc:dc></metadata>"


def clean(value: str) -> str:
    """The text without the characters XML 1.0 does not allow (both ways of writing a record use it)."""
    return _NOT_XML.sub("", value)


def _text(value: str) -> str:
    # A carriage return is written as a reference: a parser would read a bare one as a newline.
    return escape(clean(value), _CR) if _UNSAFE.search(value) else value


_CR = {"\r": "&#13;"}


def _header(data: RecordData, namespace: bool = False) -> str:
    """The record's header. Written as text (escaped) rather than built as a tree: a page of 100
    records is a few hundred elements, and this is the harvest's hot path. :func:`plain_record_xml`
    builds the same record as an lxml tree; tests/opendata/test_records.py compares the two."""
    xmlns = f' xmlns="{OAI_NS}"' if namespace else ""
    status = ' status="deleted"' if data.deleted else ""
    specs = "".join(_set_spec(spec) for spec in data.sets)
    return (f"<header{xmlns}{status}><identifier>{_text(data.identifier)}</identifier>"
            f"<datestamp>{data.datestamp}</datestamp>{specs}</header>")


@lru_cache(maxsize=4096)
def _set_spec(spec: str) -> str:
    return f"<setSpec>{_text(spec)}</setSpec>"


def _dc(name: str, text: str, lang: str = "") -> str:
    attr = f' xml:lang="{_text(lang)}"' if lang else ""
    return f"<dc:{name}{attr}>{_text(text)}</dc:{name}>"


# Creators, subjects, types, formats, rights and languages repeat from record to record: their
# elements are written once.
_dc_repeated = lru_cache(maxsize=16_384)(_dc)


def _metadata(data: RecordData) -> str:
    # Title and description once per language they exist in, each with its xml:lang.
    parts = [_DC_OPEN, *(_dc("title", text, lang) for lang, text in data.titles)]
    parts += [_dc_repeated("creator", creator) for creator in data.creators]
    parts += [_dc_repeated("subject", subject, lang) for subject, lang in data.subjects]
    parts += [_dc("description", text, lang) for lang, text in data.descriptions]
    if data.date:
        parts.append(_dc_repeated("date", data.date))
    parts += [_dc_repeated("type", DCMI_TYPES.get(data.item_type, "Text")), _dc_repeated("type", data.item_type, "nl")]
    parts += [_dc_repeated("format", content_type) for content_type in data.formats]
    parts.append(_dc("identifier", data.permalink))
    if data.language:
        parts.append(_dc_repeated("language", data.language))
    parts += [_dc("relation", relation) for relation in data.relations]
    if data.rights:
        parts.append(_dc_repeated("rights", data.rights))
    parts.append(_DC_CLOSE)
    return "".join(parts)


def plain_record_xml(data: RecordData) -> bytes:
    """The same record as :func:`record_xml`, built the plain way: an lxml tree, serialised by lxml.
    Slower; kept as the reference the fast text version is compared with (tests/opendata/test_records.py)."""
    record = etree.Element(f"{{{OAI_NS}}}record", nsmap={None: OAI_NS})
    header = etree.SubElement(record, f"{{{OAI_NS}}}header")
    if data.deleted:
        header.set("status", "deleted")
    etree.SubElement(header, f"{{{OAI_NS}}}identifier").text = clean(data.identifier)
    etree.SubElement(header, f"{{{OAI_NS}}}datestamp").text = data.datestamp
    for spec in data.sets:
        etree.SubElement(header, f"{{{OAI_NS}}}setSpec").text = clean(spec)
    if not data.deleted:
        metadata = etree.SubElement(record, f"{{{OAI_NS}}}metadata")
        dc = etree.SubElement(metadata, f"{{{OAI_DC_NS}}}dc", {f"{{{XSI_NS}}}schemaLocation":
                              f"{OAI_DC_NS} {OAI_DC_SCHEMA}"}, nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS})

        def add(name: str, text: str, lang: str = "") -> None:
            element = etree.SubElement(dc, f"{{{DC_NS}}}{name}")
            if lang:
                element.set(f"{{{XML_NS}}}lang", clean(lang))
            element.text = clean(text)

        for lang, text in data.titles:
            add("title", text, lang)
        for creator in data.creators:
            add("creator", creator)
        for subject, lang in data.subjects:
            add("subject", subject, lang)
        for lang, text in data.descriptions:
            add("description", text, lang)
        if data.date:
            add("date", data.date)
        add("type", DCMI_TYPES.get(data.item_type, "Text"))
        add("type", data.item_type, "nl")
        for content_type in data.formats:
            add("format", content_type)
        add("identifier", data.permalink)
        if data.language:
            add("language", data.language)
        for relation in data.relations:
            add("relation", relation)
        if data.rights:
            add("rights", data.rights)
    return etree.tostring(record, encoding="utf-8")


@lru_cache(maxsize=20_000)
def header_xml(data: RecordData) -> bytes:
    return _header(data, namespace=True).encode("utf-8")


@lru_cache(maxsize=20_000)
def record_xml(data: RecordData) -> bytes:
    metadata = "" if data.deleted else _metadata(data)
    return f'<record xmlns="{OAI_NS}">{_header(data)}{metadata}</record>'.encode()
