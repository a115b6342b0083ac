"""WebVTT captions (https://www.w3.org/TR/webvtt1/): checked strictly enough that a browser shows
them as written, and read into cues for the transcript on the item's page.

What is checked: the size (``ARCHIVE_MAX_CAPTION_BYTES``), no NUL bytes, UTF-8 (a byte-order mark
is allowed), the signature line ``WEBVTT`` (optionally followed by a space or tab and text), every
cue's timing line (``[hh:]mm:ss.ttt --> [hh:]mm:ss.ttt`` with minutes and seconds below 60), an end
after its start, and start times that never go back. A refusal names the line that is wrong.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

DEFAULT_MAX_CAPTION_BYTES = 1024 * 1024
MAX_CUES = 20_000
MAX_LINE_CHARS = 10_000

_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^{_TIME}[ \t]+-->[ \t]+{_TIME}(?:[ \t]+(.*))?$")
_LOOKS_LIKE_TIME = re.compile(r"^\s*\d+:\d")
_SIGNATURE = re.compile(r"^WEBVTT(?:[ \t].*)?$")
_TAG = re.compile(r"<[^>]*>")


class CaptionsRefused(ValueError):
    """The captions file is not accepted; ``str(exc)`` is a message for the user naming the line."""


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    text: str  # the payload as plain text: tags removed, character references resolved

    @property
    def start(self) -> str:
        """The start as the transcript shows it: ``m:ss`` or ``h:mm:ss``."""
        seconds = self.start_ms // 1000
        hours, rest = divmod(seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@dataclass(frozen=True)
class Captions:
    text: str  # the file as stored (UTF-8, newlines normalised, without a byte-order mark)
    cues: tuple[Cue, ...]


def max_caption_bytes() -> int:
    return int(current_app.config.get("ARCHIVE_MAX_CAPTION_BYTES", DEFAULT_MAX_CAPTION_BYTES))


def _ms(hours: str | None, minutes: str, seconds: str, millis: str) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def plain_text(payload: str) -> str:
    """A cue's payload without its tags (``<v Anna>``, ``<b>``, timestamps), references resolved."""
    return " ".join(html.unescape(_TAG.sub("", payload)).split())


def _refuse(number: int, message: str) -> CaptionsRefused:
    return CaptionsRefused(_l("Line %(number)d: %(problem)s", number=number, problem=message))


def parse(data: bytes, *, limit: int | None = None) -> Captions:
    """Check a WebVTT file and read its cues; :class:`CaptionsRefused` says what is wrong and where."""
    limit = max_caption_bytes() if limit is None else limit
    if not data:
        raise CaptionsRefused(_l("The captions file is empty."))
    if len(data) > limit:
        raise CaptionsRefused(_l("The captions file is larger than %(size)d kB.", size=max(limit // 1024, 1)))
    if b"\x00" in data:
        line = data[:data.index(b"\x00")].count(b"\n") + 1
        raise _refuse(line, _l("the file contains a NUL byte."))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refuse(data[:exc.start].count(b"\n") + 1, _l("the file is not valid UTF-8 text.")) from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not _SIGNATURE.match(lines[0]):
        raise _refuse(1, _l('a WebVTT file starts with the line "WEBVTT".'))
    cues: list[Cue] = []
    number = 1
    # The header: everything up to the first blank line belongs to it.
    while number < len(lines) and lines[number].strip():
        if "-->" in lines[number]:
            raise _refuse(number + 1, _l("a blank line must separate the WEBVTT line from the first cue."))
        number += 1
    previous_start = -1
    while number < len(lines):
        if not lines[number].strip():
            number += 1
            continue
        block_start = number
        block: list[str] = []
        while number < len(lines) and lines[number].strip():
            if len(lines[number]) > MAX_LINE_CHARS:
                raise _refuse(number + 1, _l("the line is longer than %(count)d characters.", count=MAX_LINE_CHARS))
            block.append(lines[number])
            number += 1
        first = block[0]
        keyword = first.split()[0]
        if keyword in ("NOTE", "STYLE", "REGION") and "-->" not in first:
            if keyword == "NOTE" or not cues:
                continue
            raise _refuse(block_start + 1, _l("STYLE and REGION blocks must come before the first cue."))
        timing_index = 0 if "-->" in first else 1
        if timing_index == 1 and (len(block) < 2 or "-->" not in block[1]):
            if _LOOKS_LIKE_TIME.match(first):  # a timing line written wrongly ("->", commas): that line
                timing_index = 0
            else:
                raise _refuse(block_start + 1 + (1 if len(block) > 1 else 0),
                              _l('a cue needs a timing line such as "00:00:01.000 --> 00:00:04.000".'))
        line_number = block_start + timing_index + 1
        match = _TIMING.match(block[timing_index].strip())
        if match is None:
            raise _refuse(line_number, _l('the cue timing "%(timing)s" is not well-formed (write it as '
                                          '"00:00:01.000 --> 00:00:04.000").', timing=block[timing_index][:80]))
        start, end = _ms(*match.groups()[0:4]), _ms(*match.groups()[4:8])
        if end <= start:
            raise _refuse(line_number, _l("the cue ends before (or when) it starts."))
        if start < previous_start:
            raise _refuse(line_number, _l("the cue starts before the cue above it: cues must be in order of time."))
        later = [i for i, line in enumerate(block[timing_index + 1:]) if "-->" in line]
        if later:
            raise _refuse(line_number + 1 + later[0], _l("a blank line must separate one cue from the next."))
        previous_start = start
        cues.append(Cue(start, end, plain_text("\n".join(block[timing_index + 1:]))))
        if len(cues) > MAX_CUES:
            raise _refuse(line_number, _l("the file has more than %(count)d cues.", count=MAX_CUES))
    if not cues:
        raise CaptionsRefused(_l("The captions file has no cues."))
    return Captions(text="\n".join(lines).rstrip("\n") + "\n", cues=tuple(cues))
