"""Opening an uploaded image safely, written once for every upload that becomes a picture (speakers'
photos in :mod:`congress.core.photos`, edition logos in :mod:`congress.core.logo`): the format read
from the content with Pillow limited to the allowed ones, the pixel count checked before anything is
decoded (a decompression bomb is refused before Pillow allocates it), the file verified, then opened
again and loaded. Each caller says what it accepts and how it refuses, and re-encodes the pixels."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from PIL import Image, UnidentifiedImageError


def open_upload(data: bytes, *, formats: Sequence[str], max_pixels: int,
                not_an_image: Callable[[], Exception], too_many_pixels: Callable[[], Exception],
                prepare: Callable[[Image.Image], None] | None = None) -> Image.Image:
    """The decoded image (loaded, detached from ``data``), or the caller's refusal raised: ``not_an_image``
    for anything Pillow cannot read as one of ``formats`` (or an animation), ``too_many_pixels`` above
    ``max_pixels``. ``prepare`` runs on the opened image before it is decoded (e.g. JPEG draft mode)."""
    allowed = tuple(formats)
    try:
        with Image.open(io.BytesIO(data), formats=allowed) as probe:
            if probe.width * probe.height > max_pixels:
                raise too_many_pixels()
            if getattr(probe, "n_frames", 1) > 1:
                raise not_an_image()
            probe.verify()
        image = Image.open(io.BytesIO(data), formats=allowed)
        if prepare is not None:
            prepare(image)
        image.load()
        return image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise not_an_image() from None
