"""Dutch first, English second: every user-facing string is in both catalogues."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask_babel import force_locale

from congress.i18n import format_decimal, format_in_zone, format_time_in_zone

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
METHOD_MAP = [("congress/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
OPTIONS = {"templates/**.html": {"trimmed": "true"}, "templates/**.txt": {"trimmed": "true"}}


def extracted_messages() -> set[str]:
    messages = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHOD_MAP, options_map=OPTIONS, keywords=KEYWORDS
    ):
        messages.add(message[0] if isinstance(message, tuple) else message)
    return messages


def translations(locale: str) -> dict[str, str]:
    """The union of the foundation's and every capability's catalogue (as Flask-Babel merges them)."""
    merged: dict[str, str] = {}
    for po in sorted(ROOT.glob(f"congress/**/translations/{locale}/LC_MESSAGES/messages.po")):
        with po.open("rb") as fh:
            for message in read_po(fh):
                if message.id and message.string and not message.fuzzy:
                    merged[message.id if isinstance(message.id, str) else message.id[0]] = message.string
    return merged


def test_every_string_is_translated_in_both_catalogues():
    source = extracted_messages()
    assert len(source) > 100
    for locale in ("nl", "en"):
        known = translations(locale)
        missing = sorted(m for m in source if m not in known)
        assert not missing, f"{locale}: untranslated strings: {missing[:20]} (+{max(len(missing) - 20, 0)})"


def test_catalogues_agree_on_shared_strings():
    """Flask-Babel merges catalogues, the last one winning: a string in two must read the same."""
    for locale in ("nl", "en"):
        seen: dict[str, tuple[str, str]] = {}
        clashes = []
        for po in sorted(ROOT.glob(f"congress/**/translations/{locale}/LC_MESSAGES/messages.po")):
            with po.open("rb") as fh:
                for message in read_po(fh):
                    if not message.id or not message.string:
                        continue
                    if message.id in seen and seen[message.id][0] != message.string:
                        clashes.append((message.id, seen[message.id], (message.string, po.parts[-5])))
                    seen.setdefault(message.id, (message.string, po.parts[-5]))
        assert not clashes, f"{locale}: {clashes[:10]}"


def test_dutch_is_the_default(client, congress):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert "Naar de inhoud" in html


def test_lang_parameter_switches_and_is_remembered(client, congress):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html and "Skip to main content" in html
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    assert '<html lang="nl">' in client.get("/?lang=nl").get_data(as_text=True)


def test_accept_language_is_used_without_a_choice(client, congress):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    html = client.get("/", headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert '<html lang="nl">' in html


def test_unknown_language_falls_back(client, congress):
    assert '<html lang="nl">' in client.get("/?lang=xx").get_data(as_text=True)


def test_dates_are_shown_per_locale_in_the_editions_timezone(app):
    moment = datetime(2025, 11, 13, 8, 30, tzinfo=UTC)  # 09:30 in Amsterdam (winter time)
    summer = datetime(2025, 6, 12, 8, 30, tzinfo=UTC)  # 10:30 in Amsterdam (summer time)
    with app.test_request_context():
        with force_locale("nl"):
            assert format_time_in_zone(moment, "Europe/Amsterdam") == "09:30"
            assert format_time_in_zone(summer, "Europe/Amsterdam") == "10:30"
            assert "november" in format_in_zone(moment, "Europe/Amsterdam", "long")
        with force_locale("en"):
            assert "November" in format_in_zone(moment, "Europe/Amsterdam", "long")


def test_decimals_take_the_languages_decimal_sign(app):
    with app.test_request_context():
        with force_locale("nl"):
            assert [format_decimal(x) for x in (4.0, 4.25, 3.333, 12)] == ["4,0", "4,25", "3,33", "12,0"]
            assert format_decimal(None) == "–" and format_decimal(1234.5, "#,##0.0") == "1.234,5"
        with force_locale("en"):
            assert [format_decimal(x) for x in (4.0, 4.25)] == ["4.0", "4.25"]
