"""A real SMTP server on 127.0.0.1 (aiosmtpd) whose answers a test can choose: accept, refuse a
recipient or the data with a 4xx or 5xx reply, or run something while a worker waits for the answer."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from congress.mail.signals import attachment_wanted, context_wanted
from tests.conftest import free_port


@dataclass
class Received:
    message: EmailMessage
    raw: bytes
    reply: str
    mail_from: str = ""


@dataclass
class ScriptedHandler:
    """Answers RCPT and DATA as told; keeps every message that reached DATA (accepted or not)."""

    mail_replies: list[str] = field(default_factory=list)  # one reply per MAIL FROM, then "250 OK"
    rcpt_replies: list[str] = field(default_factory=list)  # one reply per RCPT, then "250 OK"
    data_replies: list[str] = field(default_factory=list)  # one reply per DATA, then accepted
    during_data: Callable[[EmailMessage], None] | None = None  # runs while the client waits
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self.lock:
            reply = self.mail_replies.pop(0) if self.mail_replies else "250 OK"
        if reply.startswith("250"):
            envelope.mail_from, envelope.mail_options = address, list(mail_options)
        return reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            reply = self.rcpt_replies.pop(0) if self.rcpt_replies else "250 OK"
        if reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return reply

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        message = message_from_bytes(raw, policy=policy.default)
        with self.lock:
            reply = self.data_replies.pop(0) if self.data_replies else f"250 2.0.0 Ok: queued as Q{len(self.received)}"
            self.received.append(Received(message, raw, reply, envelope.mail_from or ""))
        if self.during_data is not None:
            # In a thread, so that the server keeps serving other clients meanwhile.
            await asyncio.get_running_loop().run_in_executor(None, self.during_data, message)
        return reply

    def accepted(self) -> list[EmailMessage]:
        with self.lock:
            return [r.message for r in self.received if r.reply.startswith("250")]


@pytest.fixture
def smtp(app) -> Iterator[ScriptedHandler]:
    """A scripted SMTP server for this test; the app sends to it while the test runs."""
    handler = ScriptedHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    real_port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = controller.port
    try:
        yield handler
    finally:
        app.config["MAIL_PORT"] = real_port
        controller.stop()


def answer_attachment(kind: str, render: Callable[[str, str], tuple[str, str, bytes]]) -> Callable[[], None]:
    """Connect ``render(argument, locale)`` to ``mail.signals.attachment_wanted`` for ``kind``, as a
    capability's ``receivers.connect()`` would; returns the function that disconnects it again."""
    def receiver(_kind: str, *, argument: str, locale: str) -> tuple[str, str, bytes]:
        return render(argument, locale)

    attachment_wanted.connect(receiver, sender=kind, weak=False)
    return lambda: attachment_wanted.disconnect(receiver, sender=kind)


def answer_context(kind: str, build: Callable[[str], dict | None]) -> Callable[[], None]:
    """Connect ``build(argument)`` to ``mail.signals.context_wanted`` for ``kind``; returns the
    function that disconnects it again."""
    def receiver(_kind: str, *, argument: str) -> dict | None:
        return build(argument)

    context_wanted.connect(receiver, sender=kind, weak=False)
    return lambda: context_wanted.disconnect(receiver, sender=kind)
