"""The texts organisers write (mailings now; the edited mail texts later): Markdown with placeholders
rendered in a sandboxed Jinja environment that allows placeholders, a few filters and ``{% if %}``
only, so that a text cannot loop, call, include or reach an attribute. A text that does not parse is
refused with its line and the reason; the placeholders it uses that are not known are reported (the
preview flags them)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2 import TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from congress.errors import InvalidInput


class MailingError(InvalidInput):
    """A text or mailing that cannot be saved or sent as it is (422), with the field it belongs next to."""


PLACEHOLDERS = {
    "name": _l("the recipient's name"),
    "manage_url": _l("the recipient's personal link (speakers: their page of proposals)"),
    "edition": _l("the title of the edition"),
    "evaluations_url": _l("the recipient's evaluations: the workshops they attended and the congress, to evaluate "
                          "(empty for someone who was not checked in, or once the evaluations have closed)"),
    "certificate_url": _l("the recipient's certificate of attendance, to download (empty for someone without "
                          "attended time: use {% if certificate_url %}…{% endif %})"),
}
# The placeholders whose value is a link (an autolink in the HTML part).
LINKS = frozenset({"manage_url", "evaluations_url", "certificate_url"})
FILTERS = frozenset({"upper", "lower", "title", "capitalize", "trim", "default"})
_ALLOWED_NODES = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.If,
                  nodes.Filter, nodes.Not, nodes.And, nodes.Or, nodes.Compare, nodes.Operand, nodes.CondExpr)


def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=False, keep_trailing_newline=True)
    env.globals.clear()  # no range(), lipsum(), dict(): nothing to call
    return env


_ENV = _environment()


@dataclass(frozen=True)
class Checked:
    """A text that parses: the placeholders it uses that are not known (shown in the preview)."""

    unknown: frozenset[str] = field(default_factory=frozenset)
    used: frozenset[str] = field(default_factory=frozenset)  # every placeholder it names


def check_text(source: str, field_name: str, known: Iterable[str] | None = None) -> Checked:
    """Parse a subject or text; :class:`MailingError` naming the line and the reason when it does not
    parse or uses more than placeholders, filters and ``{% if %}``. ``known``: the placeholders that
    exist here (by default the mailings' :data:`PLACEHOLDERS`)."""
    try:
        tree = _ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise MailingError(_("Line %(line)d: %(reason)s", line=exc.lineno or 1, reason=exc.message or ""),
                           field=field_name) from None
    for node in tree.find_all(nodes.Node):
        if not isinstance(node, _ALLOWED_NODES) or isinstance(node, nodes.Name) and node.ctx != "load":
            raise MailingError(_("Line %(line)d: only placeholders such as {{ name }} and {%% if … %%} can be "
                                 "used here.", line=getattr(node, "lineno", 1) or 1), field=field_name)
        if isinstance(node, nodes.Filter) and node.name not in FILTERS:
            raise MailingError(_("Line %(line)d: the filter “%(filter)s” cannot be used here.",
                                 line=node.lineno or 1, filter=node.name), field=field_name)
    used = frozenset(meta.find_undeclared_variables(tree))
    return Checked(used - set(PLACEHOLDERS if known is None else known), used)


def check_texts(subject_nl: str, text_nl: str, subject_en: str = "", text_en: str = "") -> Checked:
    """Check every text of a mailing; every refusal at once, by field (``MailingError.errors``)."""
    errors: dict[str, list[str]] = {}
    unknown: set[str] = set()
    for name, source in (("subject_nl", subject_nl), ("text_nl", text_nl), ("subject_en", subject_en),
                         ("text_en", text_en)):
        try:
            unknown |= check_text(source or "", name).unknown
        except MailingError as exc:
            errors.update(exc.errors)
    if bool((subject_en or "").strip()) != bool((text_en or "").strip()):
        errors.setdefault("subject_en" if not (subject_en or "").strip() else "text_en", []).append(
            _("Give the English version both a subject and a text, or leave both empty."))
    if errors:
        first = next(iter(errors.values()))[0]
        raise MailingError(first, errors=errors)
    return Checked(frozenset(unknown))


def fill(source: str, values: Mapping[str, str]) -> str:
    try:
        return _ENV.from_string(source).render(**values)
    except TemplateError as exc:
        raise MailingError(_("This text cannot be filled in: %(reason)s", reason=exc.message or ""),
                           field="text_nl") from None


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~&])")


def markdown_literal(text: str) -> str:
    """A value that must read as it is in Markdown (a name with a * or an _)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
