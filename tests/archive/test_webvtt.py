"""The WebVTT check (congress/archive/webvtt.py): good files are read into cues, bad and hostile ones
are refused with a message that names the line that is wrong."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from congress.archive.webvtt import CaptionsRefused, parse, plain_text

GOOD = """WEBVTT - Opening van het congres

NOTE Gemaakt door de redactie

STYLE
::cue { color: yellow; }

1
00:00:00.500 --> 00:00:03.000 align:start line:90%
<v Anna de Vries>Welkom bij het congres.

00:03.000 --> 00:06.250
We beginnen met de &amp; <b>plenaire</b> opening.

01:00:00.000 --> 01:00:02.000
Een uur later.
"""


def refusal(data: bytes, locale: str = "en", **kwargs) -> str:
    with pytest.raises(CaptionsRefused) as caught, force_locale(locale):
        parse(data, **kwargs)
    with force_locale(locale):
        return str(caught.value)


def test_a_good_file_is_read_into_cues(app):
    captions = parse(GOOD.encode())
    assert [(c.start_ms, c.end_ms) for c in captions.cues] == [(500, 3000), (3000, 6250), (3_600_000, 3_602_000)]
    assert [c.text for c in captions.cues] == ["Welkom bij het congres.", "We beginnen met de & plenaire opening.",
                                               "Een uur later."]
    assert [c.start for c in captions.cues] == ["0:00", "0:03", "1:00:00"]


def test_byte_order_mark_and_windows_line_ends_are_accepted(app):
    data = "\ufeffWEBVTT\r\n\r\n00:00.000 --> 00:01.000\r\nHallo\r\n".encode()
    captions = parse(data)
    assert captions.cues[0].text == "Hallo"
    assert "\r" not in captions.text and not captions.text.startswith("\ufeff")


@pytest.mark.parametrize(("data", "line", "words"), [
    (b"WEBVTTX\n\n00:00.000 --> 00:01.000\nHoi\n", 1, "WEBVTT"),
    (b"1\n00:00.000 --> 00:01.000\nHoi\n", 1, "WEBVTT"),
    (b"WEBVTT\n00:00.000 --> 00:01.000\nHoi\n", 2, "blank line"),
    (b"WEBVTT\n\n00:00.000 -> 00:01.000\nHoi\n", 3, "not well-formed"),
    (b"WEBVTT\n\n00:00.000 --> 00:01\nHoi\n", 3, "not well-formed"),
    (b"WEBVTT\n\n00:61.000 --> 00:62.000\nHoi\n", 3, "not well-formed"),
    (b"WEBVTT\n\n00:00:00,000 --> 00:00:01,000\nHoi\n", 3, "not well-formed"),
    (b"WEBVTT\n\n00:02.000 --> 00:01.000\nHoi\n", 3, "ends before"),
    (b"WEBVTT\n\n00:01.000 --> 00:01.000\nHoi\n", 3, "ends before"),
    (b"WEBVTT\n\n00:05.000 --> 00:06.000\nHoi\n\n00:01.000 --> 00:02.000\nTerug\n", 6, "in order of time"),
    (b"WEBVTT\n\n00:01.000 --> 00:02.000\nHoi\n00:02.000 --> 00:03.000\nDag\n", 5, "blank line"),
    (b"WEBVTT\n\nalleen een naam\n", 3, "timing line"),
    (b"WEBVTT\n\n00:01.000 --> 00:02.000\nHoi\n\nSTYLE\n::cue {}\n", 6, "before the first cue"),
    (b"WEBVTT\n\n00:01.000 --> 00:02.000\nH\x00oi\n", 4, "NUL"),
    (b"WEBVTT\n\n00:01.000 --> 00:02.000\nH\xe9\n", 4, "UTF-8"),
    (b"WEBVTT\n\n00:01.000 --> 00:02.000\n\xed\xa0\x80\n", 4, "UTF-8"),  # an encoded unpaired surrogate
])
def test_bad_files_are_refused_naming_the_line(app, data, line, words):
    message = refusal(data)
    assert message.startswith(f"Line {line}:"), message
    assert words in message


def test_the_refusal_is_in_the_users_language(app):
    assert refusal(b"WEBVTT\n\n00:02.000 --> 00:01.000\nHoi\n", locale="nl").startswith("Regel 3:")


def test_empty_huge_cueless_and_endless_files_are_refused(app):
    assert "empty" in refusal(b"")
    assert "larger than 1 kB" in refusal(b"WEBVTT\n\n" + b"x" * 2000, limit=1024)
    assert "no cues" in refusal(b"WEBVTT\n\nNOTE nothing here\n")
    assert "longer than" in refusal(b"WEBVTT\n\n00:01.000 --> 00:02.000\n" + b"a" * 20_000 + b"\n")
    many = "WEBVTT\n\n" + "".join(f"{i // 60:02d}:{i % 60:02d}.000 --> {i // 60:02d}:{i % 60:02d}.500\nx\n\n"
                                  for i in range(3599)) * 6
    assert "cues" in refusal(many.encode(), limit=10**8)


def test_hostile_payloads_become_plain_text(app):
    captions = parse(b"WEBVTT\n\n00:01.000 --> 00:02.000\n<script>alert(1)</script>&lt;b&gt;\n")
    assert captions.cues[0].text == "alert(1)<b>"  # shown escaped by the template, never as markup
    assert plain_text("<c.yellow>geel</c> <00:00:01.500>later") == "geel later"
