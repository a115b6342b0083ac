"""schema.org JSON-LD for the public pages, so that search engines and aggregators read what a page
is about: the edition as an ``Event`` with its sessions as ``EducationEvent`` sub-events, a session,
a speaker as a ``Person``, a knowledge item as the ``CreativeWork`` its type is (with licence,
authors, dates, subjects, and an intervention's recognition level).

Templates call :func:`json_ld` with one of the builders (template globals, see ``templating``); the
script's text is allowed by its hash in the Content-Security-Policy, never by 'unsafe-inline'.
Every URL comes from PUBLIC_BASE_URL.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import current_app
from markupsafe import Markup

from congress.archive import queries as archive
from congress.core.models import Congress, CongressStatus, Person
from congress.i18n import current_language
from congress.programme import queries as programme
from congress.security import allow_inline_script
from congress.urls import external_url

CONTEXT = "https://schema.org"
# The knowledge item types as the schema.org types that say what they are.
ITEM_TYPES = {
    "sessieverslag": "Report",
    "presentatie": "PresentationDigitalDocument",
    "opname": "VideoObject",
    "interventie": "LearningResource",
    "evaluatie": "Report",
    "rapport": "Report",
    "nieuws": "NewsArticle",
    "mijlpaal": "CreativeWork",
}


def json_ld(data: dict[str, Any]) -> Markup:
    """``<script type="application/ld+json">`` with ``data``, safe inside HTML (``<``, ``>`` and ``&``
    escaped as JSON escapes, so no text can close the script), allowed by its hash."""
    text = (json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
    allow_inline_script(text)
    return Markup(f'<script type="application/ld+json">{text}</script>')  # noqa: S704 - escaped above


def _iso(moment: datetime | None, congress: Congress) -> str | None:
    """A moment with the edition's UTC offset (search engines want the offset, not UTC alone)."""
    return moment.astimezone(programme.zone(congress)).isoformat() if moment else None


def _organisation() -> dict[str, Any]:
    return {"@type": "Organization", "name": current_app.config["PUBLISHER_NAME"],
            "url": external_url("public.index")}


def _place(congress: Congress) -> dict[str, Any]:
    parts = [part.strip() for part in congress.venue_address.split(",") if part.strip()]
    address: dict[str, Any] = {"@type": "PostalAddress", "addressCountry": "NL"}
    if parts:
        address["streetAddress"] = parts[0]
    city = congress.venue_city
    if city:
        address["addressLocality"] = city
        postcode = parts[-1].removesuffix(city).strip() if parts else ""
        if postcode and postcode != parts[0]:
            address["postalCode"] = postcode
    return {"@type": "Place", "name": congress.venue_name or congress.title(current_language()), "address": address}


def _texts(data: dict[str, Any], obj: Any, lang: str, *, title: str = "title_for", description: str) -> None:
    """``name`` and ``description`` of an edition, session or item in the page's language ``lang``,
    the other as fallback, as plain text (what search engines read); a title that also exists in the
    other language is added as a language-tagged ``alternateName`` (JSON-LD ``@value`` / ``@language``)."""
    field = getattr(type(obj), title)
    data["name"] = getattr(obj, title)(lang)
    shown = field.language(obj, lang)
    others = [{"@value": text, "@language": code} for code, text in field.versions(obj)
              if code != shown and text != data["name"]]
    if others:
        data["alternateName"] = others[0]
    text = getattr(obj, description)(lang)
    if text:
        data["description"] = text


def _person(person: Person, congress: Congress | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": "Person", "name": person.name}
    if person.organisation:
        data["affiliation"] = {"@type": "Organization", "name": person.organisation}
    if person.function:
        data["jobTitle"] = person.function
    if congress is not None:
        data["url"] = external_url("programme.speaker_page", slug=congress.slug, person_id=person.id)
    return data


def session_event(congress: Congress, session: Any, *, with_parent: bool = True) -> dict[str, Any]:
    """A published session as an ``EducationEvent``."""
    lang = current_language()
    data: dict[str, Any] = {
        "@type": "EducationEvent",
        "@id": external_url("programme.session_page", slug=congress.slug, session_id=session.id),
        "url": external_url("programme.session_page", slug=congress.slug, session_id=session.id),
        "startDate": _iso(session.starts_at, congress),
        "endDate": _iso(session.ends_at, congress),
        "eventStatus": f"{CONTEXT}/EventCancelled" if session.is_cancelled else f"{CONTEXT}/EventScheduled",
        "eventAttendanceMode": f"{CONTEXT}/OfflineEventAttendanceMode",
        "inLanguage": session.language or "nl",
        "location": {**_place(congress), "name": session.room.name} if session.room else _place(congress),
        "performer": [_person(p, congress) for p in session.speakers],
        "organizer": _organisation(),
    }
    _texts(data, session, lang, description="abstract_for")
    if session.target_audience:
        data["audience"] = {"@type": "Audience", "audienceType": session.target_audience}
    if session.track is not None:
        data["about"] = session.track.name(lang)
    if with_parent:
        data["superEvent"] = {"@type": "Event", "@id": external_url("public.edition", slug=congress.slug),
                              "name": congress.title(lang)}
    return {"@context": CONTEXT, **data} if with_parent else data


def edition_event(congress: Congress) -> dict[str, Any]:
    """The edition as an ``Event`` with its published sessions as sub-events."""
    lang = current_language()
    status = {CongressStatus.PUBLISHED.value: "EventScheduled"}.get(congress.status, "EventScheduled")
    zone = programme.zone(congress)
    ends = datetime.combine(congress.ends_on, congress.ends_at_time, tzinfo=zone) if congress.ends_at_time else None
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Event",
        "@id": external_url("public.edition", slug=congress.slug),
        "url": external_url("public.edition", slug=congress.slug),
        "startDate": _iso(congress.starts_at, congress) if congress.starts_at_time else congress.starts_on.isoformat(),
        "endDate": ends.isoformat() if ends else congress.ends_on.isoformat(),
        "eventStatus": f"{CONTEXT}/{status}",
        "eventAttendanceMode": f"{CONTEXT}/OfflineEventAttendanceMode",
        "location": _place(congress),
        "organizer": _organisation(),
        "inLanguage": ["nl", "en"],
        "subEvent": [session_event(congress, s, with_parent=False) for s in programme.public_sessions(congress)],
    }
    _texts(data, congress, lang, title="title", description="description")
    if "description" not in data and congress.tagline(lang):
        data["description"] = congress.tagline(lang)
    return data


def speaker(congress: Congress, person: Person, sessions: list[Any]) -> dict[str, Any]:
    data = {"@context": CONTEXT, **_person(person, congress),
            "@id": external_url("programme.speaker_page", slug=congress.slug, person_id=person.id)}
    if person.bio:
        data["description"] = person.bio
    data["performerIn"] = [{"@type": "EducationEvent", "@id": external_url(
        "programme.session_page", slug=congress.slug, session_id=s.id), "name": s.title_for(current_language())}
        for s in sessions]
    return data


def knowledge_item(item: Any) -> dict[str, Any]:
    """A published knowledge item as the ``CreativeWork`` its type is."""
    url = external_url("archive.item", key=item.key)
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": ITEM_TYPES.get(item.type, "CreativeWork"),
        "@id": url,
        "url": url,
        "inLanguage": item.language,
        "publisher": _organisation(),
        "isPartOf": {"@type": "Collection", "@id": external_url("archive.index"), "name": "Kennisbank"},
    }
    _texts(data, item, current_language(), description="summary_for")
    authors = [{"@type": "Person", "name": name} for name in item.authors or []]
    authors += [{"@type": "Organization", "name": name} for name in item.organisations or []]
    if authors:
        data["author"] = authors
    licence = archive.licence_uri(item.licence)
    if licence:
        data["license"] = licence
    published = item.publication_date or (item.published_at.date() if item.published_at else None)
    if published:
        data["datePublished"] = published.isoformat()
    if item.updated_at:
        data["dateModified"] = item.updated_at.isoformat()
    about = [t.value for t in item.terms if t.kind in ("factor", "target_group")]
    if item.track_name:
        about.insert(0, item.track_name)
    if about:
        data["about"] = about
    keywords = [t.value for t in item.terms if t.kind == "tag"]
    if keywords:
        data["keywords"] = keywords
    if item.congress is not None and item.congress.is_public:
        data["recordedAt" if item.type == "opname" else "mentions"] = {
            "@type": "Event", "@id": external_url("public.edition", slug=item.congress.slug),
            "name": item.congress.title(current_language())}
    videos = [_video(item, recording) for recording in archive.public_recordings(item)]
    if videos:
        data["video"] = videos
    if item.type == "interventie" and item.evidence_status:
        # The intervention's recognition level (erkenningsniveau), as Dutch databases of effective
        # interventions state it.
        data["additionalProperty"] = {"@type": "PropertyValue", "propertyID": "erkenningsniveau",
                                      "name": "Erkenningsniveau",
                                      "value": archive.level_name(item.evidence_status) or item.evidence_status}
    return data


def _video(item: Any, recording: Any) -> dict[str, Any]:
    """A published recording as a ``VideoObject``: the file on this site (``contentUrl``) or its page on
    the organisation's video platform (``url``), with its WebVTT captions (``caption``)."""
    lang = current_language()
    video: dict[str, Any] = {"@type": "VideoObject", "name": recording.title_for(lang) or item.title_for(lang),
                             "inLanguage": item.language}
    if recording.published_at:
        video["uploadDate"] = recording.published_at.isoformat()
    if recording.source == "file":
        video["contentUrl"] = external_url("archive.recordings.video", key=item.key, recording_id=recording.id)
        video["encodingFormat"] = recording.content_type
    else:
        video["url"] = recording.url
    captions = [{"@type": "MediaObject", "encodingFormat": "text/vtt", "inLanguage": caption.language,
                 "contentUrl": external_url("archive.recordings.captions_file", key=item.key,
                                            recording_id=recording.id, language=caption.language)}
                for caption in recording.captions]
    if captions:
        video["caption"] = captions
    return video
