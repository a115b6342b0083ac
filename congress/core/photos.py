"""Speakers' photos and short biographies: the one place a :class:`Person`'s photo is checked, made
small and square, stored and removed, whoever uploads it (the speaker in the call for proposals,
an organiser in the programme's back office).

An upload is read by its content, never by its name or the browser's claim: JPEG, PNG or WebP,
at most ``PHOTO_MAX_BYTES``, at most ``PHOTO_MAX_PIXELS`` before decoding (a decompression bomb is
refused before Pillow allocates it). What is kept is a new ``PHOTO_SIDE`` × ``PHOTO_SIDE`` JPEG made
of the pixels only (no EXIF, GPS, ICC profile or comments), cropped to the centre, stored in the
storage area ``cfp`` under ``photos/<sha256>.jpg``: the name is the content's hash, so a served
photo never changes and may be cached for a year.
"""

from __future__ import annotations

import hashlib
import io
import re

from flask_babel import gettext as _
from PIL import Image, ImageOps

from congress.audit.services import record
from congress.core.images import open_upload
from congress.core.models import Person
from congress.database import transactional
from congress.errors import InvalidInput
from congress.sanitize import has_forbidden_characters
from congress.storage import StorageKeyError, storage

PHOTO_MAX_BYTES = 3 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_SIDE = 256
PHOTO_AREA = "cfp"
BIO_MAX = 1500
# The stored name: a SHA-256 and an extension (older photos may be PNG, from before the square JPEGs).
PHOTO_NAME = re.compile(r"^[0-9a-f]{64}\.(?:jpg|png)$")
_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


class PhotoRefused(InvalidInput):
    """The photo is not accepted; the message says why, in the reader's language."""


class ProfileRefused(InvalidInput):
    """A biography or name that cannot be kept (too long, NUL or lone surrogates)."""


def _looks_like_image(data: bytes) -> bool:
    return data.startswith(_SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _not_an_image() -> PhotoRefused:
    return PhotoRefused(_("The photo must be a JPEG, PNG or WebP image."), field="photo", code="photo_type")


def _too_many_pixels() -> PhotoRefused:
    return PhotoRefused(_("The photo has too many pixels."), field="photo", code="photo_pixels")


def clean_photo(data: bytes) -> bytes:
    """A JPEG, PNG or WebP re-encoded as a small square JPEG without metadata.

    Anything else (a script named .jpg, a GIF, a corrupt file, a decompression bomb, a huge
    file) raises :class:`PhotoRefused`.
    """
    if len(data) > PHOTO_MAX_BYTES:
        raise PhotoRefused(_("The photo is too large (at most %(mb)d MB).", mb=PHOTO_MAX_BYTES // (1024 * 1024)),
                           field="photo", code="photo_size")
    if not _looks_like_image(data):
        raise _not_an_image()

    def draft(image: Image.Image) -> None:
        if image.format == "JPEG":  # decode at 1/2 … 1/8 scale: a 6-MP photo in ~140 ms here, not ~470
            image.draft("RGB", (PHOTO_SIDE * 2, PHOTO_SIDE * 2))

    # An animation (several frames) is refused like any other file that is not one photo.
    image = open_upload(data, formats=("JPEG", "PNG", "WEBP"), max_pixels=PHOTO_MAX_PIXELS,
                        not_an_image=_not_an_image, too_many_pixels=_too_many_pixels, prepare=draft)
    image = ImageOps.exif_transpose(image)  # a phone's portrait stays upright once EXIF is gone
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    else:
        image = image.convert("RGB")
    square = ImageOps.fit(image, (PHOTO_SIDE, PHOTO_SIDE), Image.Resampling.LANCZOS)
    # A new image with only the pixels: no EXIF, ICC, text chunks or comments survive.
    clean = Image.new("RGB", square.size)
    clean.paste(square)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()


@transactional
def set_photo(person: Person, data: bytes) -> str:
    """Check, shrink and store a photo for a person; returns its stored name."""
    cleaned = clean_photo(data)
    name = f"{hashlib.sha256(cleaned).hexdigest()}.jpg"
    files = storage(PHOTO_AREA)
    if not files.exists(f"photos/{name}"):
        files.put(f"photos/{name}", cleaned)
    person.photo = name
    record("cfp.photo", person)
    return name


@transactional
def remove_photo(person: Person) -> None:
    """The person's photo is no longer shown (the stored file may be another person's too: it stays)."""
    if person.photo is None:
        return
    person.photo = None
    record("cfp.photo_removed", person)


def photo_key(name: str | None) -> str | None:
    """The storage key (area ``cfp``) of a photo by its stored name; None for a name that is not one
    (a path, a hidden file) or whose file is gone."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    key = f"photos/{name}"
    try:
        return key if storage(PHOTO_AREA).exists(key) else None
    except StorageKeyError:
        return None


def check_biography(bio: str, bio_en: str = "", *, limit: int = BIO_MAX) -> tuple[str, str]:
    """The two biographies stripped, or :class:`ProfileRefused` naming the field at fault."""
    for field, text in (("bio", bio), ("bio_en", bio_en)):
        if has_forbidden_characters(text):
            raise ProfileRefused(_("The biography contains characters that cannot be stored."), field=field)
        if len(text) > limit:
            raise ProfileRefused(_("The biography may be at most %(n)d characters.", n=limit), field=field)
    return bio.strip(), bio_en.strip()


def initials(name: str) -> str:
    """Up to two initials for a circle when there is no photo ("Fatima el Amrani" → "FA")."""
    words = [w for w in re.split(r"[\s\-]+", name or "") if w and w[0].isalnum()]
    if not words:
        return "?"
    main = [w for w in words if w[0].isupper()] or words
    letters = main[0][0] + (main[-1][0] if len(main) > 1 else "")
    return letters.upper()
