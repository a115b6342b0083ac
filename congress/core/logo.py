"""An edition's logo: a PNG or JPEG checked by its content (never its name or the browser's claim),
re-encoded by Pillow without metadata as a PNG of at most 800 × 400 px, stored in the storage area
``site`` under its content hash (so that it is served with a year's cache: a new logo is a new name)."""

from __future__ import annotations

import hashlib
import io
import re

from flask_babel import lazy_gettext as _l
from PIL import Image

from congress.core.images import open_upload
from congress.errors import InvalidInput

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 25_000_000
LOGO_BOX = (800, 400)
LOGO_NAME = re.compile(r"^[0-9a-f]{64}\.png$")
AREA = "site"


def logo_key(name: str) -> str:
    return f"logos/{name}"


def clean_logo(data: bytes) -> bytes:
    """The logo re-encoded as a PNG (transparency kept); ``InvalidInput`` on field ``logo`` otherwise."""

    def refuse(message: object) -> InvalidInput:
        return InvalidInput(message, field="logo", code="logo")

    if not data:
        raise refuse(_l("Choose an image file."))
    if len(data) > LOGO_MAX_BYTES:
        raise refuse(_l("The logo is larger than %(mb)d MB.", mb=LOGO_MAX_BYTES // (1024 * 1024)))
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
        raise refuse(_l("The logo must be a PNG or JPEG image."))
    def not_an_image() -> InvalidInput:
        return refuse(_l("The logo must be a PNG or JPEG image."))

    image = open_upload(data, formats=("PNG", "JPEG"), max_pixels=LOGO_MAX_PIXELS, not_an_image=not_an_image,
                        too_many_pixels=lambda: refuse(_l("The logo has too many pixels.")))
    had_palette = image.mode == "P"
    image = image.convert("RGBA")
    image.thumbnail(LOGO_BOX)
    # Only the pixels: no EXIF, ICC profile, text chunks or comments survive.
    clean = Image.new("RGBA", image.size)
    clean.paste(image)
    if had_palette:  # a logo of few colours stays one: a fraction of the bytes
        clean = clean.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    clean.save(out, "PNG", optimize=True)
    return out.getvalue()


def logo_name(cleaned: bytes) -> str:
    return f"{hashlib.sha256(cleaned).hexdigest()}.png"
