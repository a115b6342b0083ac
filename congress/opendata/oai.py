"""OAI-PMH 2.0 (https://www.openarchives.org/OAI/openarchivesprotocol.html) over the knowledge archive.

:func:`respond` answers one request (its arguments, from the query string or the form body) with the
whole XML document. Errors of the protocol are answers too (HTTP 200, ``<error code=…>``): for
``badVerb`` and ``badArgument`` the ``<request>`` element carries only the base URL, otherwise it
echoes the arguments.

Lists (ListIdentifiers, ListRecords) come in pages of 100 in the order of the last change, then the
id. The first page freezes the list at the moment of the request (records changed later belong to
the next incremental harvest, ``from`` = this harvest's ``responseDate``). The resumption token is
signed with the application's secret and carries the query (verb, metadataPrefix, set, from, until),
that moment and the position (the last record's change moment and id, and how many records came
before it). It is refused (``badResumptionToken``) when it is altered or signed by another secret,
used with another verb, older than 24 hours, or **stale**: when the records up to its position are
no longer the ones the harvester received (one of them changed or went out of the list, so the cursor
would be wrong), or when nothing is left after the position. docs/opendata.md says the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from lxml import etree
from werkzeug.datastructures import MultiDict

from congress.archive import queries as archive
from congress.core import queries as core
from congress.database import utcnow
from congress.opendata import records
from congress.opendata.records import OAI_DC_NS, OAI_DC_SCHEMA, OAI_NS, XSI_NS, datestamp
from congress.programme.queries import slugify
from congress.urls import external_url

OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
PAGE_SIZE = 100
TOKEN_MAX_AGE = timedelta(hours=24)
TOKEN_SALT = "congress.opendata.oai-resumption"
METADATA_PREFIX = "oai_dc"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
LIST_ARGUMENTS = ({"metadataPrefix"}, {"from", "until", "set"})
# verb → (required arguments, optional arguments, whether a resumptionToken may stand in for them)
VERBS: dict[str, tuple[set[str], set[str], bool]] = {
    "Identify": (set(), set(), False),
    "ListMetadataFormats": (set(), {"identifier"}, False),
    "ListSets": (set(), set(), True),
    "GetRecord": ({"identifier", "metadataPrefix"}, set(), False),
    "ListIdentifiers": (*LIST_ARGUMENTS, True),
    "ListRecords": (*LIST_ARGUMENTS, True),
}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")
_RECORDS_MARK = b"<!--records-->"


class OAIError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class OAIErrors(Exception):
    def __init__(self, errors: list[OAIError]) -> None:
        super().__init__(errors[0].message)
        self.errors = errors


@dataclass(frozen=True)
class ListQuery:
    verb: str
    prefix: str
    set_spec: str | None
    from_: str | None
    until: str | None


# --- arguments -------------------------------------------------------------------------------------------

def _arguments(args: MultiDict) -> tuple[str, dict[str, str]]:
    """The verb and its arguments, checked against the verb's signature (badVerb, badArgument)."""
    verbs = args.getlist("verb")
    if not verbs:
        raise OAIError("badVerb", _("The verb argument is missing."))
    if len(verbs) > 1:
        raise OAIError("badVerb", _("The verb argument is repeated."))
    verb = verbs[0]
    if verb not in VERBS:
        raise OAIError("badVerb", _("“%(verb)s” is not an OAI-PMH verb.", verb=verb[:50]))
    required, optional, resumable = VERBS[verb]
    allowed = required | optional | ({"resumptionToken"} if resumable else set())
    given: dict[str, str] = {}
    for name in args:
        if name == "verb":
            continue
        values = args.getlist(name)
        if name not in allowed:
            raise OAIError("badArgument", _("“%(name)s” is not an argument of %(verb)s.", name=name[:50], verb=verb))
        if len(values) > 1:
            raise OAIError("badArgument", _("The argument “%(name)s” is repeated.", name=name))
        if not values[0]:
            raise OAIError("badArgument", _("The argument “%(name)s” is empty.", name=name))
        given[name] = values[0]
    if "resumptionToken" in given:
        if len(given) > 1:
            raise OAIError("badArgument", _("A resumptionToken is the only argument besides the verb."))
        return verb, given
    missing = sorted(required - set(given))
    if missing:
        raise OAIError("badArgument", _("Missing argument: %(names)s.", names=", ".join(missing)))
    return verb, given


def _moment(value: str, name: str) -> tuple[datetime, str]:
    """A ``from``/``until`` value and its granularity ("day" or "second")."""
    try:
        if _DAY.fullmatch(value):
            return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC), "day"
        if _SECOND.fullmatch(value):
            return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC), "second"
    except ValueError:
        pass
    raise OAIError("badArgument", _("“%(name)s” is not a date of the form YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ.",
                                    name=name))


def _window(from_: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """``from`` (inclusive) and the moment just after ``until`` (exclusive), at their granularity."""
    since = before = None
    granularities = set()
    if from_ is not None:
        since, granularity = _moment(from_, "from")
        granularities.add(granularity)
    if until is not None:
        end, granularity = _moment(until, "until")
        granularities.add(granularity)
        before = end + (timedelta(days=1) if granularity == "day" else timedelta(seconds=1))
        if since is not None and since > end:
            raise OAIError("badArgument", _("“from” is later than “until”."))
    if len(granularities) > 1:
        raise OAIError("badArgument", _("“from” and “until” must have the same granularity."))
    return since, before


def _scope(query: ListQuery, upto: datetime | None) -> archive.HarvestScope:
    """The archive's scope for a list; an unknown set raises noRecordsMatch."""
    since, before = _window(query.from_, query.until)
    options: dict[str, Any] = {"since": since, "before": before, "upto": upto}
    spec = query.set_spec
    if spec is not None:
        if not _SET_SPEC.fullmatch(spec):
            raise OAIError("badArgument", _("“%(set)s” is not a valid setSpec.", set=spec[:80]))
        kind, _sep, value = spec.partition(":")
        if kind == "type" and not value:
            pass
        elif kind == "type" and value in {t.value for t in archive.ItemType}:
            options["item_type"] = value
        elif kind == "track" and not value:
            options["any_track"] = True
        elif kind == "track":
            names = tuple(n for n in archive.harvest_track_names() if slugify(n) == value)
            if not names:
                raise OAIError("noRecordsMatch", _("There is no set “%(set)s”.", set=spec))
            options["track_names"] = names
        elif kind == "edition" and not value:
            options["any_edition"] = True
        elif kind == "edition":
            edition = core.congress_by_slug(value)
            if edition is None:
                raise OAIError("noRecordsMatch", _("There is no set “%(set)s”.", set=spec))
            options["congress_id"] = edition.id
        else:
            raise OAIError("noRecordsMatch", _("There is no set “%(set)s”.", set=spec))
    return archive.HarvestScope(**options)


def _check_prefix(prefix: str) -> None:
    if prefix != METADATA_PREFIX:
        raise OAIError("cannotDisseminateFormat",
                       _("The metadata format “%(prefix)s” is not offered; use oai_dc.", prefix=prefix[:50]))


# --- resumption tokens -----------------------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def _token(query: ListQuery, upto: datetime, last: tuple[datetime, int], cursor: int, total: int) -> str:
    return _serializer().dumps({
        "v": query.verb, "p": query.prefix, "s": query.set_spec, "f": query.from_, "u": query.until,
        "t": upto.isoformat(), "a": last[0].isoformat(), "i": last[1], "c": cursor, "n": total,
    })


@dataclass(frozen=True)
class Resumed:
    query: ListQuery
    upto: datetime
    last: tuple[datetime, int]
    cursor: int
    total: int | None  # the list's size when the token was given (None in a token without it)


def _resume(verb: str, token: str) -> Resumed:
    bad = OAIError("badResumptionToken", _("The resumptionToken is not valid (altered, from another "
                                           "repository or another list); start the list again."))
    try:
        data = _serializer().loads(token, max_age=int(TOKEN_MAX_AGE.total_seconds()))
    except SignatureExpired:
        raise OAIError("badResumptionToken", _("The resumptionToken has expired; start the list again.")) from None
    except BadSignature:
        raise bad from None
    try:
        query = ListQuery(verb=data["v"], prefix=data["p"], set_spec=data["s"], from_=data["f"], until=data["u"])
        upto = datetime.fromisoformat(data["t"])
        last = (datetime.fromisoformat(data["a"]), int(data["i"]))
        cursor = int(data["c"])
        total = int(data["n"]) if data.get("n") is not None else None
    except (KeyError, TypeError, ValueError, AttributeError):
        raise bad from None
    if query.verb != verb:
        raise bad
    return Resumed(query, upto, last, cursor, total)


# --- the response ----------------------------------------------------------------------------------------

def _oai(name: str) -> str:
    return f"{{{OAI_NS}}}{name}"


def _envelope(now: datetime, attrs: dict[str, str]) -> etree._Element:
    root = etree.Element(_oai("OAI-PMH"), {f"{{{XSI_NS}}}schemaLocation": f"{OAI_NS} {OAI_SCHEMA}"},
                         nsmap={None: OAI_NS, "xsi": XSI_NS})
    etree.SubElement(root, _oai("responseDate")).text = datestamp(now)
    etree.SubElement(root, _oai("request"), attrs).text = external_url("opendata.oai_pmh")
    return root


def _document(root: etree._Element, records_xml: bytes = b"") -> bytes:
    body = etree.tostring(root, encoding="utf-8", xml_declaration=True)
    return body.replace(_RECORDS_MARK, records_xml, 1) if records_xml else body


def respond(args: MultiDict) -> bytes:
    now = utcnow()
    try:
        verb, given = _arguments(args)
    except OAIError as error:
        return _errors(_envelope(now, {}), [error])
    request_attrs = {"verb": verb, **given}
    root = _envelope(now, request_attrs)
    try:
        if verb == "Identify":
            return _document(_identify(root))
        if verb == "ListMetadataFormats":
            return _document(_list_metadata_formats(root, given.get("identifier")))
        if verb == "ListSets":
            if "resumptionToken" in given:
                raise OAIError("badResumptionToken", _("The list of sets comes in one piece; it has no "
                                                       "resumptionToken."))
            return _document(_list_sets(root))
        if verb == "GetRecord":
            return _get_record(root, given["identifier"], given["metadataPrefix"])
        return _list(root, verb, given, now)
    except OAIError as error:
        return _errors(_envelope(now, request_attrs), [error])
    except OAIErrors as failure:
        return _errors(_envelope(now, request_attrs), failure.errors)


def _errors(root: etree._Element, errors: list[OAIError]) -> bytes:
    if errors and errors[0].code in ("badVerb", "badArgument"):
        root.find(_oai("request")).attrib.clear()  # type: ignore[union-attr]
    for error in errors:
        etree.SubElement(root, _oai("error"), code=error.code).text = error.message
    return _document(root)


def _admin_emails() -> list[str]:
    configured = current_app.config.get("OAI_ADMIN_EMAIL") or parseaddr(
        current_app.config.get("MAIL_DEFAULT_SENDER") or "")[1]
    return [a.strip() for a in str(configured or "").split(",") if a.strip()] or ["congres@example.org"]


def _identify(root: etree._Element) -> etree._Element:
    identify = etree.SubElement(root, _oai("Identify"))
    name = current_app.config.get("OAI_REPOSITORY_NAME") or _("Knowledge base") + " · " + _("Congres")
    etree.SubElement(identify, _oai("repositoryName")).text = name
    etree.SubElement(identify, _oai("baseURL")).text = external_url("opendata.oai_pmh")
    etree.SubElement(identify, _oai("protocolVersion")).text = "2.0"
    for address in _admin_emails():
        etree.SubElement(identify, _oai("adminEmail")).text = address
    earliest = archive.earliest_change()
    etree.SubElement(identify, _oai("earliestDatestamp")).text = datestamp(earliest) if earliest else (
        "1970-01-01T00:00:00Z")
    etree.SubElement(identify, _oai("deletedRecord")).text = "persistent"
    etree.SubElement(identify, _oai("granularity")).text = GRANULARITY
    return root


def _item_or_error(identifier: str) -> archive.Harvested:
    key = records.key_of(identifier)
    item = archive.harvest_item(key) if key is not None else None
    if item is None:
        raise OAIError("idDoesNotExist", _("There is no record “%(identifier)s” in this repository.",
                                           identifier=identifier[:200]))
    return item


def _list_metadata_formats(root: etree._Element, identifier: str | None) -> etree._Element:
    if identifier is not None:
        _item_or_error(identifier)
    formats = etree.SubElement(root, _oai("ListMetadataFormats"))
    entry = etree.SubElement(formats, _oai("metadataFormat"))
    etree.SubElement(entry, _oai("metadataPrefix")).text = METADATA_PREFIX
    etree.SubElement(entry, _oai("schema")).text = OAI_DC_SCHEMA
    etree.SubElement(entry, _oai("metadataNamespace")).text = OAI_DC_NS
    return root


def _list_sets(root: etree._Element) -> etree._Element:
    sets = etree.SubElement(root, _oai("ListSets"))

    def add(spec: str, name: str) -> None:
        entry = etree.SubElement(sets, _oai("set"))
        etree.SubElement(entry, _oai("setSpec")).text = spec
        etree.SubElement(entry, _oai("setName")).text = name

    add("type", _("Items by type"))
    for item_type in archive.ItemType:
        add(f"type:{item_type.value}", str(archive.TYPE_LABELS[item_type.value]))
    add("track", _("Items by track"))
    seen: set[str] = set()
    for name in archive.harvest_track_names():
        slug = slugify(name)
        if slug and slug not in seen:
            seen.add(slug)
            add(f"track:{slug}", name)
    add("edition", _("Items by edition"))
    for edition in archive.harvest_editions():
        add(f"edition:{edition.slug}", edition.title())
    return root


def _get_record(root: etree._Element, identifier: str, prefix: str) -> bytes:
    errors = []
    item = None
    try:
        item = _item_or_error(identifier)
    except OAIError as error:
        errors.append(error)
    try:
        _check_prefix(prefix)
    except OAIError as error:
        errors.append(error)
    if errors or item is None:
        raise OAIErrors(errors)
    data = records.record_data(item)
    get_record = etree.SubElement(root, _oai("GetRecord"))
    get_record.append(etree.Comment("records"))
    return _document(root, records.record_xml(data))


def _list(root: etree._Element, verb: str, given: dict[str, str], now: datetime) -> bytes:
    if "resumptionToken" in given:
        resumed = _resume(verb, given["resumptionToken"])
        query, upto, last, cursor = resumed.query, resumed.upto, resumed.last, resumed.cursor
        scope = _scope(query, upto)
        if resumed.total is not None and not archive.harvest_changed_after(upto):
            # Nothing changed since the list was frozen: it is the list the token counted (signed).
            total, through = resumed.total, cursor
        else:
            total, through = archive.harvest_counts(scope, through=last)
        if through != cursor:
            raise OAIError("badResumptionToken", _("The list has changed since this resumptionToken was given "
                                                   "(a record already harvested changed); start the list again."))
        page = archive.harvest_page(scope, after=last, limit=PAGE_SIZE, full=verb == "ListRecords")
        if not page:
            raise OAIError("badResumptionToken", _("The rest of the list has changed since this resumptionToken "
                                                   "was given; start the list again."))
    else:
        query = ListQuery(verb=verb, prefix=given["metadataPrefix"], set_spec=given.get("set"),
                          from_=given.get("from"), until=given.get("until"))
        _check_prefix(query.prefix)
        upto, cursor = now, 0
        scope = _scope(query, upto)
        page = archive.harvest_page(scope, limit=PAGE_SIZE, full=verb == "ListRecords")
        if not page:
            raise OAIError("noRecordsMatch", _("No records match these arguments."))
        total = archive.harvest_counts(scope)[0] if len(page) == PAGE_SIZE else len(page)
    render = records.record_xml if verb == "ListRecords" else records.header_xml
    body = b"".join(render(records.record_data(item)) for item in page)
    listing = etree.SubElement(root, _oai(verb))
    listing.append(etree.Comment("records"))
    returned = cursor + len(page)
    if cursor or returned < total:
        attrs = {"completeListSize": str(total), "cursor": str(cursor)}
        token = etree.SubElement(listing, _oai("resumptionToken"), attrs)
        if returned < total:
            token.set("expirationDate", datestamp(now + TOKEN_MAX_AGE))
            token.text = _token(query, upto, (page[-1].updated_at, page[-1].id), returned, total)
    return _document(root, body)
