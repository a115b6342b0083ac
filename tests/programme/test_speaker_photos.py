"""Speakers' photos and biographies: the upload rules (by content, size, pixels), the stored square
without metadata, the public photo (only for speakers of the published programme, a year's cache,
its hash as ETag), the pages that show it or the initials, and the organisers' speaker profile."""

from __future__ import annotations

import io
import json
import struct
import zlib

import pytest
import sqlalchemy as sa
from PIL import Image

from congress.core import services as core
from congress.core.models import Person
from congress.extensions import db
from congress.programme import caching
from congress.programme import services as programme
from congress.storage import storage
from tests.factories import make_congress, make_session, make_user
from tests.programme.factories import make_speaker, publish


@pytest.fixture(autouse=True)
def _fresh_cache():
    caching.cache.clear()
    yield
    caching.cache.clear()


def _image(fmt: str = "JPEG", size: tuple[int, int] = (640, 480), colour=(200, 40, 40), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA" if fmt in ("PNG", "WEBP") else "RGB", size, colour).save(out, fmt, **save)
    return out.getvalue()


def _png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A tiny PNG that claims 400 megapixels (a decompression bomb): a real header, a little data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
            + chunk(b"IEND", b""))


# --- the upload rules -------------------------------------------------------------------------


def test_jpeg_png_and_webp_become_a_small_square_jpeg_without_metadata(app):
    exif = Image.Exif()
    exif[0x010F] = "GeheimeCamera"
    exif[0x8825] = {2: (52.0, 5.0, 0.0)}
    for data in (_image("JPEG", exif=exif.tobytes()), _image("PNG", (300, 900)), _image("WEBP", (1200, 500))):
        cleaned = core.clean_photo(data)
        assert b"GeheimeCamera" not in cleaned and b"Exif" not in cleaned
        with Image.open(io.BytesIO(cleaned)) as image:
            assert image.format == "JPEG" and image.size == (core.PHOTO_SIDE,) * 2
            assert not image.getexif() and "icc_profile" not in image.info


@pytest.mark.parametrize("data", [
    b"<script>alert(1)</script>",                               # a script named photo.jpg
    b"\xff\xd8\xff<script>alert(1)</script>",                   # with a JPEG's first bytes
    b"%PDF-1.7\n1 0 obj<<>>endobj",                             # a PDF
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00;",         # a GIF: not one of the three
    b"RIFF\x10\x00\x00\x00WEBPVP8 garbage",                      # a broken WebP
    b"",
])
def test_anything_but_a_real_image_is_refused_by_its_content(app, data):
    with pytest.raises(core.PhotoRefused) as refused:
        core.clean_photo(data)
    assert refused.value.field == "photo" and refused.value.code == "photo_type"


def test_a_huge_file_and_a_decompression_bomb_are_refused(app):
    with pytest.raises(core.PhotoRefused) as huge:
        core.clean_photo(b"\xff\xd8\xff" + b"0" * core.PHOTO_MAX_BYTES)
    assert huge.value.code == "photo_size"
    with pytest.raises(core.PhotoRefused) as bomb:
        core.clean_photo(_png_bomb())
    assert bomb.value.code == "photo_pixels"


def test_a_biography_with_nul_or_a_lone_surrogate_is_refused_not_stored(app):
    with pytest.raises(core.ProfileRefused) as nul:
        core.check_biography("Hallo\x00wereld")
    assert nul.value.field == "bio"
    with pytest.raises(core.ProfileRefused) as surrogate:
        core.check_biography("Hallo", "Hello \ud800")
    assert surrogate.value.field == "bio_en"
    with pytest.raises(core.ProfileRefused):
        core.check_biography("x" * (core.BIO_MAX + 1))
    assert core.check_biography("  Ik werk in de wijk.  ", " I work locally. ") == ("Ik werk in de wijk.",
                                                                                    "I work locally.")


@pytest.mark.parametrize("name, expected", [
    ("Fatima el Amrani", "FA"), ("Dr. Sanne Vermeulen", "DV"), ("ayşe yılmaz", "AY"), ("Kwame", "K"),
    ("", "?"), ("  ", "?"), ("Jan-Willem de Vries", "JV"),
])
def test_initials_for_the_circle(name, expected):
    assert core.initials(name) == expected


# --- the public photo -------------------------------------------------------------------------


def _published_speaker(photo: bytes | None = None):
    congress = make_congress("congres-test")
    person = make_speaker("Fatima el Amrani", "fatima@example.org")
    person.bio, person.bio_en = "Zij werkt in de wijk.", "She works in the neighbourhood."
    db.session.commit()
    if photo is not None:
        core.set_photo(person, photo)
    session = make_session(congress, title="Weerbaar in de wijk", speakers=[person])
    publish(congress)
    return congress, person, session


def test_the_photo_is_served_with_its_hash_a_years_cache_and_nosniff(app, client):
    congress, person, _ = _published_speaker(_image())
    url = f"/{congress.slug}/programme/speakers/{person.id}/photo/{person.photo}"
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].replace(" ;", ";") == "sandbox; default-src 'none'"
    assert response.get_etag()[0] == person.photo.split(".")[0]
    assert response.data == storage("cfp").read(f"photos/{person.photo}")
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Cache-Control"].endswith("immutable")


def test_no_photo_for_someone_outside_the_published_programme_or_a_forged_address(app, client):
    congress, person, _ = _published_speaker(_image())
    other = make_speaker("Niet Gepubliceerd", "niet@example.org")
    core.set_photo(other, _image(colour=(0, 0, 200)))
    db.session.commit()
    make_session(congress, title="Nog niet gepubliceerd", speakers=[other])  # after the published version
    second = make_congress("ander-congres")
    base = f"/{congress.slug}/programme/speakers"
    assert client.get(f"{base}/{other.id}/photo/{other.photo}").status_code == 404
    assert client.get(f"{base}/{person.id}/photo/{other.photo}").status_code == 404  # not their photo
    assert client.get(f"/{second.slug}/programme/speakers/{person.id}/photo/{person.photo}").status_code == 404
    for name in ("..%2F..%2Fetc%2Fpasswd", ".hidden.jpg", "x" * 300, "%00.jpg"):
        assert client.get(f"{base}/{person.id}/photo/{name}").status_code == 404
    assert client.get(f"{base}/99999999999999999999/photo/{person.photo}").status_code == 404


def test_pages_show_the_photo_with_the_name_as_alt_and_initials_without_one(app, client):
    congress, person, session = _published_speaker(_image())
    plain = make_speaker("Bram Zonderfoto", "bram@example.org")
    make_session(congress, title="Tweede sessie", start="11:00", end="12:00", speakers=[plain])
    publish(congress)
    photo_url = f"/{congress.slug}/programme/speakers/{person.id}/photo/{person.photo}"
    for path in (f"/{congress.slug}/programme", f"/{congress.slug}/programme/speakers",
                 f"/{congress.slug}/programme/sessions/{session.id}",
                 f"/{congress.slug}/programme/speakers/{person.id}"):
        html = client.get(path).get_data(as_text=True)
        assert f'src="{photo_url}"' in html and 'alt="Fatima el Amrani"' in html, path
    speakers = client.get(f"/{congress.slug}/programme/speakers").get_data(as_text=True)
    assert 'aria-hidden="true">BZ</span>' in speakers
    english = client.get(f"/{congress.slug}/programme/speakers/{person.id}",
                         headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "She works in the neighbourhood." in english
    dutch = client.get(f"/{congress.slug}/programme/speakers/{person.id}",
                       headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Zij werkt in de wijk." in dutch


def test_the_speaker_pages_structured_data_names_the_photo_and_the_readers_biography(app, client):
    congress, person, _ = _published_speaker(_image())
    html = client.get(f"/{congress.slug}/programme/speakers/{person.id}",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    data = json.loads(html.split('<script type="application/ld+json"', 1)[1].split(">", 1)[1].split("</script>")[0])
    assert data["image"].endswith(f"/{congress.slug}/programme/speakers/{person.id}/photo/{person.photo}")
    assert data["image"].startswith(("http://", "https://"))  # absolute, from PUBLIC_BASE_URL
    assert data["description"] == "She works in the neighbourhood."


def test_pretalx_address_of_the_speakers_leads_to_the_speakers_page(app, client):
    congress, _, _ = _published_speaker()
    response = client.get(f"/{congress.slug}/speakers")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/{congress.slug}/programme/speakers")
    assert client.get("/bestaat-niet/speakers").status_code == 404


def test_a_speaker_removes_their_photo_and_the_public_sees_initials(app, client):
    congress, person, _ = _published_speaker()
    user = make_user("speaker", email="fatima@example.org", name="Fatima el Amrani")
    person.user_id = user.id
    db.session.commit()
    speaker = app.test_client(user=user)
    form = {"name": "Fatima el Amrani", "organisation": "Gemeente", "function": "", "bio": "Zij werkt in de wijk.",
            "bio_en": "She works in the neighbourhood.", "photo": (io.BytesIO(_image("WEBP")), "ik.webp")}
    assert speaker.post("/speaker/profile", data=form, content_type="multipart/form-data").status_code == 302
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert person.photo and person.bio_en == "She works in the neighbourhood."
    photo_url = f"/{congress.slug}/programme/speakers/{person.id}/photo/{person.photo}"
    assert client.get(photo_url).status_code == 200
    removed = {"name": "Fatima el Amrani", "organisation": "Gemeente", "function": "", "bio": "Zij werkt in de wijk.",
               "bio_en": "She works in the neighbourhood.", "remove_photo": "y"}
    assert speaker.post("/speaker/profile", data=removed, content_type="multipart/form-data").status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, person.id).photo is None
    assert client.get(photo_url).status_code == 404
    page = client.get(f"/{congress.slug}/programme/speakers").get_data(as_text=True)
    assert 'aria-hidden="true">FA</span>' in page and "/photo/" not in page


# --- the organisers' speaker profile ----------------------------------------------------------


def test_an_organiser_edits_a_speaker_and_refusals_stand_next_to_their_field(app, organiser):
    congress, person, _ = _published_speaker()
    browser = app.test_client(user=organiser)
    listing = browser.get(f"/manage/programme/{congress.slug}/speakers")
    assert listing.status_code == 200 and "Fatima el Amrani" in listing.get_data(as_text=True)
    url = f"/manage/programme/{congress.slug}/speakers/{person.id}"
    assert browser.get(url).status_code == 200
    base = {"name": "Fatima el Amrani", "organisation": "Gemeente Utrecht", "function": "wijkcoach",
            "bio": "Nieuwe biografie.", "bio_en": "New biography."}
    disguised = browser.post(url, data={**base, "photo": (io.BytesIO(b"<?php system($_GET['c']); ?>"), "foto.jpg",
                                                          "image/jpeg")}, content_type="multipart/form-data")
    assert disguised.status_code == 422
    html = disguised.get_data(as_text=True)
    assert 'id="photo-error"' in html and "De foto moet een JPEG-, PNG- of WebP-afbeelding zijn." in html
    db.session.expire_all()
    assert db.session.get(Person, person.id).bio == "Zij werkt in de wijk."  # nothing half-saved
    bomb = browser.post(url, data={**base, "photo": (io.BytesIO(_png_bomb()), "groot.png")},
                        content_type="multipart/form-data")
    assert bomb.status_code == 422 and "De foto heeft te veel pixels." in bomb.get_data(as_text=True)
    huge = browser.post(url, data={**base, "photo": (io.BytesIO(b"\xff\xd8\xff" + b"0" * (4 * 1024 * 1024)),
                                                     "groot.jpg")}, content_type="multipart/form-data")
    assert huge.status_code in (413, 422)
    saved = browser.post(url, data={**base, "bio": "Nieuwe\x00 biografie.",
                                    "photo": (io.BytesIO(_image("PNG")), "foto.png")},
                         content_type="multipart/form-data")
    assert saved.status_code == 302
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert person.organisation == "Gemeente Utrecht" and person.bio_en == "New biography."
    assert "\x00" not in person.bio and person.photo.endswith(".jpg")
    assert programme.speakers_of_edition(congress) == [person]


def test_the_speaker_pages_are_the_organisers_and_a_forged_id_is_not_found(app, organiser):
    congress, person, _ = _published_speaker()
    stranger = make_speaker("Elders", "elders@example.org")
    browser = app.test_client(user=organiser)
    assert browser.get(f"/manage/programme/{congress.slug}/speakers/{stranger.id}").status_code == 404
    assert browser.get(f"/manage/programme/{congress.slug}/speakers/99999999999999999999").status_code == 404
    track_manager = make_user("track_manager", email="tm@example.org")
    assert app.test_client(user=track_manager).get(
        f"/manage/programme/{congress.slug}/speakers").status_code == 403
    assert app.test_client().get(f"/manage/programme/{congress.slug}/speakers").status_code in (302, 401)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 2
