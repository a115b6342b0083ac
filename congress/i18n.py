"""Dutch first, English second: locale selection and formatting in the edition's timezone."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale

from congress.capabilities import translation_directories
from congress.extensions import babel

LANG_SESSION_KEY = "lang"


def select_locale() -> str:
    """``?lang=`` (remembered in the session), then the remembered choice, then Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang", "")
    if asked in languages:
        session[LANG_SESSION_KEY] = asked
        return asked
    remembered = session.get(LANG_SESSION_KEY)
    if remembered in languages:
        return remembered
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "nl"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(translation_directories()))
    babel.init_app(app, locale_selector=select_locale)


def format_in_zone(value: datetime | None, timezone: str, fmt: str = "medium") -> str:
    """A UTC datetime shown in ``timezone`` in the current locale (``fmt``: short/medium/long or a
    Babel pattern)."""
    if value is None:
        return ""
    return babel_dates.format_datetime(value, fmt, tzinfo=ZoneInfo(timezone), locale=get_locale())


def format_time_in_zone(value: datetime | None, timezone: str) -> str:
    if value is None:
        return ""
    return babel_dates.format_time(value, "HH:mm", tzinfo=ZoneInfo(timezone), locale=get_locale())


def format_decimal(value: float | int | None, fmt: str = "0.0#", empty: str = "–") -> str:
    """A number with the current locale's decimal sign ("4,0" in Dutch, "4.0" in English); ``empty``
    for None."""
    if value is None:
        return empty
    return babel_numbers.format_decimal(value, fmt, locale=get_locale() or "nl")


def format_day(value: date | datetime | None, timezone: str | None = None, fmt: str = "full") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(timezone or "Europe/Amsterdam")).date()
    return babel_dates.format_date(value, fmt, locale=get_locale())


def format_date_range(start: date, end: date) -> str:
    if start == end:
        return babel_dates.format_date(start, "long", locale=get_locale())
    return babel_dates.format_interval(start, end, "yMMMMd", locale=get_locale())


# --- bilingual fields ------------------------------------------------------------------------
# Content is written in Dutch and, optionally, in English: ``title_nl`` / ``title_en``. English
# readers see the English text where there is one, everyone else (and English readers where
# there is none) the Dutch; where the Dutch is empty and the English is not, everyone sees the
# English. This is the one place that rule is written.


def pick_language(nl: str | None, en: str | None, locale: str | None = None) -> str:
    """The language :func:`pick` answers in: ``en`` or ``nl``."""
    if (locale or current_language()) == "en":
        return "en" if en or not nl else "nl"
    return "nl" if nl or not en else "en"


def pick(nl: str | None, en: str | None, locale: str | None = None) -> str:
    """The English text when the locale is English and one was given, else the Dutch; the other one
    when the one chosen is empty."""
    return (en if pick_language(nl, en, locale) == "en" else nl) or ""


class BilingualField:
    """A model attribute ``name`` read from ``name_nl`` / ``name_en``: ``obj.name(locale)``.

    ``locale`` may be left out inside a request (the request's language is used). ``nl`` names the
    attribute holding the Dutch text when it is not ``<field>_nl``: sessions and knowledge items kept
    their ``title`` (and ``abstract`` / ``summary``) as the Dutch text when they became bilingual, and
    read the pair through ``title_for(locale)``."""

    def __init__(self, field: str, nl: str | None = None) -> None:
        self.field = field
        self.nl = nl or f"{field}_nl"
        self.en = f"{field}_en"

    def __set_name__(self, owner: type, name: str) -> None:
        self.__doc__ = f"``{self.nl}`` or, in English, ``{self.en}``."

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return self
        nl, en = self.nl, self.en

        def read(locale: str | None = None) -> str:
            return pick(getattr(obj, nl), getattr(obj, en), locale)

        return read

    def language(self, obj: object, locale: str | None = None) -> str:
        """The language of the text ``obj.<name>(locale)`` gives, ``en`` or ``nl`` (for a ``lang`` /
        ``xml:lang`` beside it)."""
        return pick_language(getattr(obj, self.nl), getattr(obj, self.en), locale)

    def versions(self, obj: object) -> list[tuple[str, str]]:
        """Every language the text exists in, Dutch first: ``[("nl", …), ("en", …)]`` (empty ones left out)."""
        return [(lang, text) for lang, text in (("nl", getattr(obj, self.nl)), ("en", getattr(obj, self.en)))
                if text]


def lang_attribute(obj: object, name: str, locale: str | None = None) -> str:
    """`` lang="nl"`` (with its leading space) when ``obj.<name>(locale)`` falls back to the other
    language than the page's, else "": templates put it on the element that shows the text, so that a
    screen reader pronounces the fallback in its own language (WCAG 3.1.2)."""
    wanted = locale or current_language()
    field = getattr(type(obj), name)
    shown = field.language(obj, wanted)
    return f' lang="{shown}"' if shown != wanted and field.__get__(obj)(wanted) else ""


def bilingual(field: str, *, nl: str | None = None) -> BilingualField:
    """Declare ``title = bilingual("title")`` on a model with ``title_nl`` and ``title_en`` columns
    (``title_for = bilingual("title", nl="title")`` where the Dutch column is plain ``title``)."""
    return BilingualField(field, nl)
