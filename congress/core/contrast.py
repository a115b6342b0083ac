"""Colour contrast by WCAG 2.1 (success criterion 1.4.3): the relative luminance of an sRGB colour and
the contrast ratio of two colours. An edition's accent colour is the background of its buttons, with white
text on it: it must reach :data:`MIN_CONTRAST` against white."""

from __future__ import annotations

import re

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"
# Normal text (AA): 4.5:1.
MIN_CONTRAST = 4.5


def parse_hex(colour: str) -> tuple[int, int, int]:
    """(red, green, blue), 0–255 each, of ``#rrggbb``; ``ValueError`` for anything else."""
    if not isinstance(colour, str) or not HEX_COLOUR.match(colour):
        raise ValueError(f"not a colour #rrggbb: {colour!r}")
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _linear(channel: int) -> float:
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG's relative luminance: 0.0 for black, 1.0 for white."""
    red, green, blue = (_linear(c) for c in parse_hex(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """(L1 + 0.05) / (L2 + 0.05), the lighter colour's luminance over the darker's: 1.0 to 21.0."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def readable_with_white(colour: str) -> bool:
    """Whether white text on ``colour`` reaches 4.5:1."""
    return contrast_ratio(colour, WHITE) >= MIN_CONTRAST
