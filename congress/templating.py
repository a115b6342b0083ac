"""Jinja filters and globals shared by every template."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import Flask, abort, current_app, request, send_from_directory
from markupsafe import Markup
from werkzeug.routing import BuildError

from congress import i18n
from congress.accounts.models import ROLE_LABELS
from congress.programme.models import format_label
from congress.urls import external_url


def lang_url(code: str) -> str:
    """The current page in another language (the choice is then remembered)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    return request.path + "?" + urlencode(args, doseq=True)


@dataclass(frozen=True)
class PageLinks:
    canonical: str
    alternates: list[tuple[str, str]]  # (language, the page in it)


def page_links() -> PageLinks | None:
    """The page's canonical URL and the page in each language (``hreflang`` alternates, Open
    Graph), on PUBLIC_BASE_URL whatever host the request named; None for what is not a GET of a
    known page (an error page, a form's answer)."""
    if request.method != "GET" or request.url_rule is None or request.endpoint is None:
        return None
    args = {key: values for key, values in request.args.to_dict(flat=False).items() if key != "lang"}
    values = dict(request.view_args or {})

    def build(**extra: object) -> str:
        url = external_url(request.endpoint or "", **values, **extra)
        query = urlencode({**args}, doseq=True)
        return url + (("&" if "?" in url else "?") + query if query else "")

    try:
        canonical = build()
        alternates = [(code, build(lang=code)) for code in current_app.config["LANGUAGES"]]
    except BuildError:
        return None
    return PageLinks(canonical, alternates)


def html_datetime(value: datetime | None) -> str:
    """A valid HTML ``<time datetime>``: seconds precision with the UTC offset (never microseconds)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def init_app(app: Flask) -> None:
    app.jinja_env.filters["html_datetime"] = html_datetime
    app.jinja_env.filters["in_zone"] = i18n.format_in_zone
    app.jinja_env.filters["time_in_zone"] = i18n.format_time_in_zone
    app.jinja_env.filters["day"] = i18n.format_day
    app.jinja_env.filters["decimal"] = i18n.format_decimal
    app.jinja_env.globals["date_range"] = i18n.format_date_range
    app.jinja_env.globals["lang_url"] = lang_url
    app.jinja_env.globals["lang_attribute"] = lambda obj, name: Markup(i18n.lang_attribute(obj, name))  # noqa: S704
    app.jinja_env.globals["page_links"] = page_links
    app.jinja_env.globals["external_url"] = external_url
    app.jinja_env.filters["format_label"] = format_label
    app.jinja_env.filters["role_label"] = lambda role: str(ROLE_LABELS.get(role, role))
    app.jinja_env.policies["ext.i18n.trimmed"] = True

    @app.context_processor
    def inject_locale() -> dict:
        return {"lang": i18n.current_language(), "languages": app.config["LANGUAGES"]}

    @app.route("/vendor/<path:filename>")
    def vendor(filename: str):
        """Front-end packages from node_modules (installed by npm at set-up, never committed)."""
        allowed = ("@utrecht/component-library-css/dist/", "@utrecht/design-tokens/dist/", "idb/build/",
                   "chart.js/dist/", "barcode-detector/dist/iife/", "zxing-wasm/dist/reader/")
        if not filename.startswith(allowed) or not filename.endswith((".css", ".woff2", ".svg", ".js", ".wasm")):
            abort(404)
        return send_from_directory(app.config["NODE_MODULES_DIR"], filename, max_age=86400)

