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
# there is none) the Dutch. This is the one place that rule is written.


def pick(nl: str | None, en: str | None, locale: str | None = None) -> str:
    """The English text when the locale is English and one was given; else the Dutch."""
    return en if (locale or current_language()) == "en" and en else (nl or "")


class BilingualField:
    """A model attribute ``name`` read from ``name_nl`` / ``name_en``: ``obj.name(locale)``.

    ``locale`` may be left out inside a request (the request's language is used)."""

    def __init__(self, field: str) -> None:
        self.field = field

    def __set_name__(self, owner: type, name: str) -> None:
        self.__doc__ = f"``{self.field}_nl`` or, in English, ``{self.field}_en``."

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return self
        field = self.field

        def read(locale: str | None = None) -> str:
            return pick(getattr(obj, f"{field}_nl"), getattr(obj, f"{field}_en"), locale)

        return read


def bilingual(field: str) -> BilingualField:
    """Declare ``title = bilingual("title")`` on a model with ``title_nl`` and ``title_en`` columns."""
    return BilingualField(field)
