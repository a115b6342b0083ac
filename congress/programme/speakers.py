"""Speakers as the organisers keep them: an edition's speakers, and a speaker's public profile
(name, organisation, function, biography in Dutch and English, photo).

Photos and biographies are checked by ``congress.core.photos`` (the call for proposals' profile
page uses the same rules). Only speakers of the published programme are shown publicly
(``reading.speakers_of``); this module is for the back office.
"""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from flask_babel import gettext as _

from congress.audit.services import record
from congress.core import services as core
from congress.core.models import Congress, Person
from congress.database import transactional
from congress.errors import InvalidInput
from congress.extensions import db
from congress.programme.models import ProgrammeSession, session_speakers
from congress.sanitize import has_forbidden_characters

TEXT_MAX = 200


class SpeakerRefused(InvalidInput):
    """A speaker's profile that cannot be kept; ``field`` names the form field."""


@dataclasses.dataclass(frozen=True)
class SpeakerData:
    name: str
    organisation: str = ""
    function: str = ""
    bio: str = ""
    bio_en: str = ""


def speakers_of_edition(congress: Congress) -> list[Person]:
    """Everybody who speaks in one of the edition's sessions (published or not), by name."""
    return list(db.session.scalars(
        sa.select(Person).join(session_speakers, session_speakers.c.person_id == Person.id)
        .join(ProgrammeSession, ProgrammeSession.id == session_speakers.c.session_id)
        .where(ProgrammeSession.congress_id == congress.id).distinct().order_by(Person.name, Person.id)
    ))


def speaker_of_edition(congress: Congress, person_id: int) -> Person | None:
    """The person when they speak in the edition, else None (a forged id of someone else's edition)."""
    return db.session.scalar(
        sa.select(Person).join(session_speakers, session_speakers.c.person_id == Person.id)
        .join(ProgrammeSession, ProgrammeSession.id == session_speakers.c.session_id)
        .where(ProgrammeSession.congress_id == congress.id, Person.id == person_id).limit(1)
    )


@transactional
def update_speaker(person: Person, data: SpeakerData, *, photo: bytes | None = None,
                   remove_photo: bool = False) -> Person:
    """The profile and photo together: nothing half-saved when one of them is refused."""
    name = data.name.strip()
    if not name:
        raise SpeakerRefused(_("Fill in the name."), field="name")
    for field, text in (("name", name), ("organisation", data.organisation), ("function", data.function)):
        if len(text) > TEXT_MAX:
            raise SpeakerRefused(_("At most %(n)d characters.", n=TEXT_MAX), field=field)
        if has_forbidden_characters(text):
            raise SpeakerRefused(_("This text contains characters that cannot be stored."), field=field)
    bio, bio_en = core.check_biography(data.bio, data.bio_en)
    person.name, person.organisation, person.function = name, data.organisation.strip(), data.function.strip()
    person.bio, person.bio_en = bio, bio_en
    if photo is not None:
        core.set_photo(person, photo)
    elif remove_photo:
        core.remove_photo(person)
    db.session.flush()
    record("programme.speaker.update", person, name=person.name)
    return person
