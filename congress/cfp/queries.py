"""Reads of the call for proposals that other capabilities use."""

from __future__ import annotations

from congress.cfp.services import session_slides


def slide_files(session_id: int) -> list[tuple[str, bytes]]:
    """(original file name, content) of every slide deck uploaded for a programme session, oldest
    first: the knowledge archive takes them up when it archives the session."""
    return [(slide.original_name, slide.path.read_bytes()) for slide in session_slides(session_id)
            if slide.path.exists()]
