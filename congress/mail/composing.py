"""Composing mail: what the worker asks the capability a message is about (its context, its
attachments), the rendering of a template in the recipient's language, and the one Message-ID.
Used by :mod:`congress.mail.services` (queueing) and :mod:`congress.mail.delivery` (the worker)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import render_template
from flask_babel import force_locale

from congress.mail.envelope import new_message_id as new_message_id  # re-exported: queue_mail gives one
from congress.mail.signals import attachment_wanted, context_wanted, text_wanted
from congress.signals import NoReceiver, first_answer, one_answer

# What the worker asks the capability a message is about (see :mod:`congress.mail.signals`):
# an attachment made at delivery time, fn(argument, locale) -> (name, type, bytes), for
# ``attachment_wanted``; a template's context, fn(argument) -> context or None when what the mail is
# about is gone, for ``context_wanted``. Receivers connect with ``sender=kind``.
AttachmentRenderer = Callable[[str, str], tuple[str, str, bytes]]
ContextBuilder = Callable[[str], dict[str, Any] | None]


class UnknownMailKind(LookupError):
    """A message names a context or attachment kind that no capability answers."""


class MailSubjectGone(LookupError):
    """What the message is about (a registration, an account) no longer exists."""


def render_attachment(kind: str, argument: str, locale: str) -> tuple[str, str, bytes]:
    """The attachment ``kind`` renders for ``argument`` (badges: ``ticket``), asked through
    :data:`~congress.mail.signals.attachment_wanted`; :class:`UnknownMailKind` when nobody answers."""
    try:
        return one_answer(attachment_wanted, kind, argument=argument, locale=locale)
    except NoReceiver as exc:
        raise UnknownMailKind(f"no capability renders the attachment kind {kind!r}") from exc


def build_context(kind: str, argument: str) -> dict[str, Any] | None:
    """The template context of a mail the worker composes (registration: ``registration``), asked
    through :data:`~congress.mail.signals.context_wanted`; :class:`UnknownMailKind` when nobody answers."""
    try:
        return one_answer(context_wanted, kind, argument=argument)
    except NoReceiver as exc:
        raise UnknownMailKind(f"no capability builds the context of the mail kind {kind!r}") from exc


def check_kinds(*, attachments: Iterable[str] = (), context: str | None = None) -> None:
    """Raise :class:`UnknownMailKind` now when a kind has no receiver (before anything is rendered)."""
    for kind in attachments:
        if len(list(attachment_wanted.receivers_for(kind))) != 1:
            raise UnknownMailKind(f"no capability renders the attachment kind {kind!r}")
    if context is not None and len(list(context_wanted.receivers_for(context))) != 1:
        raise UnknownMailKind(f"no capability builds the context of the mail kind {context!r}")


@dataclass(frozen=True)
class RenderedLater:
    """An attachment rendered by the worker just before sending, e.g. ``RenderedLater("ticket", "42")``."""

    kind: str
    argument: str


def _render(template: str, locale: str, context: dict[str, Any],
            congress_id: int | None = None) -> tuple[str, str, str]:
    with force_locale(locale):
        context = {"lang": locale, **context}
        edited = first_answer(text_wanted, template, congress_id=congress_id, locale=locale, context=context)
        if edited is not None:
            return edited
        subject = " ".join(render_template(f"email/{template}.subject.txt", **context).split())
        body_text = render_template(f"email/{template}.txt", **context)
        body_html = render_template(f"email/{template}.html", email_subject=subject, **context)
    return subject, body_text, body_html
