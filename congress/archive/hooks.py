"""Other capabilities provide files for a session through this hook.

The call-for-proposals capability (speakers upload slides on their dashboard) registers a
provider once, at import time::

    from congress.archive.hooks import SessionFile, register_session_file_provider

    @register_session_file_provider
    def slides_for(session):          # a ProgrammeSession
        for upload in ...:            # whatever that capability stores
            yield SessionFile(filename=upload.filename, data=path.read_bytes(), description="Slides")

When organisers archive a session, every provider is asked for its files; each file goes through
the same content checks as a direct upload (a refused file is skipped and reported).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from congress.programme.models import ProgrammeSession


@dataclass(frozen=True)
class SessionFile:
    filename: str
    data: bytes
    description: str = ""
    uploaded_by: str = ""


SessionFileProvider = Callable[["ProgrammeSession"], Iterable[SessionFile]]
_providers: list[SessionFileProvider] = []


def register_session_file_provider(provider: SessionFileProvider) -> SessionFileProvider:
    """Register ``provider`` (usable as a decorator); registering the same function twice is a no-op."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister_session_file_provider(provider: SessionFileProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def files_for_session(session: ProgrammeSession) -> list[SessionFile]:
    found: list[SessionFile] = []
    for provider in list(_providers):
        found.extend(provider(session) or ())
    return found
