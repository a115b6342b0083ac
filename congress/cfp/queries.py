"""Reads of the call for proposals that other capabilities use."""

from __future__ import annotations

from congress.cfp.slides import slide_files

__all__ = ["slide_files"]
