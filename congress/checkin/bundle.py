"""The bundle a check-in station keeps offline: the edition's public key, the revoked codes and the
attendees, with a ``version`` kept by the database (migration checkin_0003) and the delta since an
earlier version. The protocol: docs/checkin-stations.md."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from congress.badges import queries as badge_queries
from congress.badges import services as badges
from congress.checkin.models import BundleChange, BundleVersion
from congress.core.models import Congress
from congress.database import utcnow
from congress.extensions import db
from congress.registration import queries as registrations
from congress.registration.models import Registration
from congress.registration.queries import EnrolmentStatus


def _attendee(registration: Registration | sa.Row) -> dict[str, str]:
    """What a station shows of someone (a scan's answer and the bundle alike)."""
    notes = "; ".join(part for part in (registration.accessibility, registration.dietary) if part)
    return {"name": registration.name, "organisation": registration.organisation, "notes": notes}


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


_CODE_FORMAT = "C1 + base32(version u8 | congress u32 | registration u32 | nonce 6 bytes | signature 64)"


def bundle_version(congress: Congress) -> str:
    """The bundle's current version, an opaque string (``<edition>-<epoch>-<counter>``): one row, kept
    by the database's triggers in the transaction of every change (migration checkin_0003). What an
    unchanged poll compares with its ETag; no bundle is built for that."""
    row = db.session.execute(sa.select(BundleVersion.epoch, BundleVersion.seq)
                             .where(BundleVersion.congress_id == congress.id)).first()
    return _version(congress.id, row.epoch, row.seq) if row is not None else _version(congress.id, "0", 0)


def _version(congress_id: int, epoch: str, seq: int) -> str:
    return f"{congress_id}-{epoch}-{seq}"


def _parse_version(text: str) -> tuple[int, str, int] | None:
    parts = text.split("-")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit() or len(text) > 64:
        return None
    return int(parts[0]), parts[1], int(parts[2])


def _bundle_head(congress: Congress, version: str) -> dict[str, Any]:
    return {
        "congress": congress.slug,
        "congress_id": congress.id,
        "version": version,
        "algorithm": "Ed25519",
        "public_key": badges.public_key_b64(congress),
        "code_format": _CODE_FORMAT,
    }


def _holders(congress: Congress, only: sa.Select | None = None) -> list[dict[str, Any]]:
    return [
        {**_attendee(r), "id": r.id,
         "sessions": [e.session_id for e in r.enrolments if e.status == EnrolmentStatus.ENROLLED.value],
         "status": r.status}
        for r in registrations.station_attendees(congress, only=only)
    ]


def bundle(congress: Congress) -> dict[str, Any]:
    """Everything a station needs offline: the public key, the revoked codes and the attendees. Its
    ``version`` is read first, so the bundle is at least that recent (a later delta may repeat a change:
    applying it again is harmless)."""
    head = _bundle_head(congress, bundle_version(congress))
    return {
        **head,
        "revocations": badge_queries.revocations(congress),
        "attendees": _holders(congress),
        "generated_at": _iso(utcnow()),
    }


def bundle_since(congress: Congress, since: str) -> dict[str, Any] | None:
    """What changed since the station's ``since`` version: the registrations changed since then
    (``changed``), and of those the attendees and revocations a full bundle holds now. A station
    removes every attendee and revocation of a ``changed`` registration and adds the delta's; it then
    holds exactly the full bundle (attendees by id, revocations by registration and then as issued).
    None when ``since`` is no version of this edition's counter (unknown, forged, of another edition,
    from before the counter was made anew): the caller answers the full bundle."""
    parsed = _parse_version(since)
    if parsed is None or parsed[0] != congress.id:
        return None
    row = db.session.execute(sa.select(BundleVersion.epoch, BundleVersion.seq)
                             .where(BundleVersion.congress_id == congress.id)).first()
    epoch, seq = (row.epoch, row.seq) if row is not None else ("0", 0)
    if parsed[1] != epoch or parsed[2] > seq:
        return None
    changed = (sa.select(BundleChange.registration_id)
               .where(BundleChange.congress_id == congress.id, BundleChange.seq > parsed[2]))
    return {
        **_bundle_head(congress, _version(congress.id, epoch, seq)),
        "since": since,
        "changed": sorted(db.session.scalars(changed)),
        "revocations": badge_queries.revocations(congress, only=changed),
        "attendees": _holders(congress, only=changed),
        "generated_at": _iso(utcnow()),
    }


def apply_bundle_delta(held: dict[str, Any], delta: dict[str, Any]) -> dict[str, Any]:
    """What a station holds after applying ``delta`` to ``held`` (the rule station.js follows; the
    tests check it against a full bundle)."""
    changed = set(delta["changed"])
    attendees = [a for a in held["attendees"] if a["id"] not in changed] + delta["attendees"]
    revocations = [r for r in held["revocations"] if r["registration"] not in changed] + delta["revocations"]
    return {
        **held,
        **{key: value for key, value in delta.items() if key not in ("since", "changed")},
        "attendees": sorted(attendees, key=lambda a: a["id"]),
        "revocations": sorted(revocations, key=lambda r: r["registration"]),  # stable: as issued within one
    }
