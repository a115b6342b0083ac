"""Demo recordings: two sessions of the 2024 edition get their recordings on the organisation's own
video platform (``video.congres.example``; no library in the environment writes a real video, so
uploads are left to the tests), each with short captions in Dutch and English. The 2024 sessions
were programmed by invitation, not through the call for proposals: the organiser agreed their
publication with the speakers, so no speaker's consent is missing and they are published."""

from __future__ import annotations

import sqlalchemy as sa

from congress.archive import recordings
from congress.archive.models import KnowledgeItem, KnowledgeRecording
from congress.extensions import db

PLATFORM = "https://video.congres.example/2024"

# Session title (start) → recordings: (slug, Dutch title, English title, [(seconds, Dutch, English), …]).
RECORDINGS = {
    "Opening van het eerste Congres": [
        ("opening", "Openingswoord", "Opening address", [
            (0, "Goedemorgen en welkom bij het eerste congres van de Agenda.",
             "Good morning and welcome to the first congress of the Agenda."),
            (4, "Vandaag gaat het over veerkracht en weerbaarheid in onze samenleving.",
             "Today is about resilience in our society."),
            (9, "We werken langs vier actielijnen, van kennisdeling tot beleidsontwikkeling.",
             "We work along four lines of action, from sharing knowledge to developing policy."),
        ]),
        ("opening-panel", "Panelgesprek met gemeenten", "Panel discussion with municipalities", [
            (0, "Wat hebben gemeenten nodig om beschermende factoren te versterken?",
             "What do municipalities need to strengthen protective factors?"),
            (5, "Vooral tijd en ruimte om met jongerenwerk en scholen samen te werken.",
             "Above all time and room to work with youth work and schools."),
        ]),
    ],
    "Digitale weerbaarheid bij jongeren": [
        ("digitale-weerbaarheid", "Workshop digitale weerbaarheid", "Workshop on digital resilience", [
            (0, "Hoe herkennen jongeren desinformatie en online polarisatie?",
             "How do young people recognise disinformation and online polarisation?"),
            (6, "We weten nog niet goed genoeg wat in de praktijk werkt.",
             "We do not yet know well enough what works in practice."),
            (11, "Daarom testen we wat werkt, samen met professionals.",
             "That is why we test what works, together with professionals."),
        ]),
    ],
}


def _stamp(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"00:{int(minutes):02d}:{rest:06.3f}"


def webvtt(cues: list[tuple[int, str, str]], language: str) -> bytes:
    """Captions in one language: each line shown until the next starts (the last for four seconds)."""
    blocks = ["WEBVTT"]
    for index, (start, dutch, english) in enumerate(cues):
        end = cues[index + 1][0] if index + 1 < len(cues) else start + 4
        blocks.append(f"{index + 1}\n{_stamp(start)} --> {_stamp(end)}\n{dutch if language == 'nl' else english}")
    return ("\n\n".join(blocks) + "\n").encode()


def load(report: list[str]) -> None:
    if db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeRecording)):
        return
    added = 0
    for start, wanted in RECORDINGS.items():
        item = db.session.scalar(sa.select(KnowledgeItem).where(KnowledgeItem.title.startswith(start),
                                                                KnowledgeItem.session_id.is_not(None)))
        if item is None:
            continue
        for slug, title, title_en, cues in wanted:
            recordings.add_recording(item, url=f"{PLATFORM}/{slug}", title=title, title_en=title_en,
                                     captions={lang: webvtt(cues, lang) for lang in recordings.CAPTION_LANGUAGES},
                                     publish=True)
            added += 1
    if added:
        report.append(f"Knowledge base: {added} recordings of congres-2024 sessions on {PLATFORM}, "
                      "with captions in Dutch and English.")
