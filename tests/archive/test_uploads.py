"""Files are accepted by their content, size-limited, stored by hash outside static, served safely."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest

from congress.archive import files as filestore
from congress.archive import services
from congress.archive.files import UploadRefused, check_upload
from congress.archive.models import SpeakerInvitation
from congress.core.models import Person
from congress.database import utcnow
from congress.extensions import db
from congress.tokens import hash_secret
from tests.archive.factories import jpeg_bytes, make_item, minimal_pdf, office_bytes, png_bytes
from tests.factories import make_congress, make_session
from tests.support.s3 import local_storage_only


@pytest.mark.parametrize(("data", "name", "kind", "stored_name"), [
    (minimal_pdf("Verslag"), "verslag.pdf", "pdf", "verslag.pdf"),
    (png_bytes(), "foto.png", "png", "foto.png"),
    (jpeg_bytes(), "foto.jpeg", "jpeg", "foto.jpg"),
    (office_bytes("pptx"), "dia's.pptx", "pptx", "dia's.pptx"),
    (office_bytes("docx"), "notitie.docx", "docx", "notitie.docx"),
    # The name does not decide: a PDF called .png is stored as the PDF it is.
    (minimal_pdf("X"), "plaatje.png", "pdf", "plaatje.pdf"),
])
def test_accepted_by_content(app, data, name, kind, stored_name):
    checked = check_upload(io.BytesIO(data), name)
    assert checked.kind == kind and checked.filename == stored_name
    assert checked.content_type == filestore.CONTENT_TYPES[kind]


def test_text_is_extracted(app):
    assert "Veerkracht" in check_upload(io.BytesIO(minimal_pdf("Veerkracht in de wijk")), "a.pdf").extracted_text
    assert "Dia over veerkracht" in check_upload(io.BytesIO(office_bytes("pptx")), "a.pptx").extracted_text
    assert "Dia over veerkracht" in check_upload(io.BytesIO(office_bytes("docx")), "a.docx").extracted_text


@pytest.mark.parametrize(("data", "name"), [
    (b"<!doctype html><html><script>alert(1)</script></html>", "rapport.pdf"),  # HTML disguised as PDF
    (b"%PDF-1.4\n<html><script>alert(1)</script></html>", "rapport.pdf"),  # a PDF header, no PDF
    (b"GIF89a\x01\x00\x01\x00", "plaatje.gif"),
    (b"\x89PNG\r\n\x1a\nnot really", "plaatje.png"),
    (b"PK\x03\x04" + b"\x00" * 40, "dia.pptx"),
    (office_bytes("pptx").replace(b"ppt/presentation.xml", b"xxx/presentation.xml"), "dia.pptx"),
    (b"", "leeg.pdf"),
    (b"MZ\x90\x00", "setup.exe"),
])
def test_refused_by_content(app, data, name):
    with pytest.raises(UploadRefused):
        check_upload(io.BytesIO(data), name)


@pytest.mark.parametrize("name", [
    "../../etc/passwd.pdf", "..\\boot.pdf", "map/verslag.pdf", "/abs.pdf", "ver\x00slag.pdf", "ver\nslag.pdf",
    "ver\u202eslag.pdf", ".verborgen.pdf", "", "x" * 300 + ".pdf", "a..pdf",
])
def test_refused_names(app, name):
    with pytest.raises(UploadRefused):
        check_upload(io.BytesIO(minimal_pdf()), name)


def test_size_limit_is_configurable(app):
    data = minimal_pdf()
    default = app.config["ARCHIVE_MAX_FILE_BYTES"]
    app.config["ARCHIVE_MAX_FILE_BYTES"] = len(data) - 1
    try:
        with pytest.raises(UploadRefused, match=rf"groter dan {max((len(data) - 1) // 1024, 1)} kB"):
            check_upload(io.BytesIO(data), "groot.pdf")
    finally:
        app.config["ARCHIVE_MAX_FILE_BYTES"] = default
    assert filestore.max_bytes() == 50 * 1024 * 1024


@local_storage_only
def test_stored_by_hash_outside_static(app):
    item = make_item("Met bijlage")
    stored = services.add_file(item, io.BytesIO(minimal_pdf("Bijlage")), "bijlage.pdf")
    db.session.commit()
    assert filestore.read_stored(stored.sha256) == minimal_pdf("Bijlage")
    path = filestore.area().path(filestore.key_for(stored.sha256))
    assert path.exists() and path.name == stored.sha256
    static = Path(app.static_folder).resolve()
    assert static not in path.resolve().parents
    # The same content twice is one file.
    again = services.add_file(item, io.BytesIO(minimal_pdf("Bijlage")), "ander.pdf")
    assert again.id == stored.id


def test_served_with_type_disposition_and_nosniff(app, client):
    item = make_item("Dia's")
    pptx = services.add_file(item, io.BytesIO(office_bytes("pptx")), "dias.pptx")
    pdf = services.add_file(item, io.BytesIO(minimal_pdf()), "verslag.pdf")
    db.session.commit()
    response = client.get(f"/kennisbank/item/{item.key}/files/{pptx.id}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == filestore.CONTENT_TYPES["pptx"]
    assert response.headers["Content-Disposition"].startswith("attachment;") and "dias.pptx" in response.headers[
        "Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    response = client.get(f"/kennisbank/item/{item.key}/files/{pdf.id}")
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "text/html" not in response.headers["Content-Type"]
    # Another item's file id is not reachable through this item.
    other = make_item("Ander")
    assert client.get(f"/kennisbank/item/{other.key}/files/{pdf.id}").status_code == 404


def test_files_of_unpublished_items_are_not_public(app, client):
    item = make_item("Concept", status="draft")
    stored = services.add_file(item, io.BytesIO(minimal_pdf()), "concept.pdf")
    db.session.commit()
    assert client.get(f"/kennisbank/item/{item.key}/files/{stored.id}").status_code == 404


def test_upload_through_the_editor(app, organiser):
    item = make_item("Bewerken", status="draft")
    editor = app.test_client(user=organiser)
    response = editor.post(f"/manage/kennisbank/{item.id}/files", content_type="multipart/form-data",
                           data={"upload-file": (io.BytesIO(b"<html>nep</html>"), "nep.pdf")}, follow_redirects=True)
    assert "Het bestand is geweigerd" in response.get_data(as_text=True)
    assert item.files == []
    response = editor.post(f"/manage/kennisbank/{item.id}/files", content_type="multipart/form-data",
                           data={"upload-file": (io.BytesIO(minimal_pdf("Echt")), "echt.pdf")})
    assert response.status_code == 302
    db.session.refresh(item)
    assert [f.filename for f in item.files] == ["echt.pdf"]
    assert editor.get(f"/manage/kennisbank/{item.id}/files/{item.files[0].id}").status_code == 200
    response = editor.post(f"/manage/kennisbank/{item.id}/files/{item.files[0].id}/delete")
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.files == []


def test_oversized_through_the_speaker_link(app, organiser):
    congress = make_congress(day=date.today() - timedelta(days=2))
    person = Person(name="Spreker", email="spreker@example.org")
    db.session.add(person)
    session = make_session(congress, speakers=[person])
    outcome = services.archive_sessions(congress, [session.id], invite=False)
    item = outcome.items[0]
    secret = "s" * 43

    db.session.add(SpeakerInvitation(item=item, person=person, email=person.email, token_hash=hash_secret(secret),
                                     expires_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    app.config["ARCHIVE_MAX_FILE_BYTES"] = 100
    try:
        response = app.test_client().post(
            f"/kennisbank/contribute/{secret}", content_type="multipart/form-data",
            data={"summary": "x", "files": [(io.BytesIO(minimal_pdf()), "groot.pdf")]},
        )
    finally:
        app.config.pop("ARCHIVE_MAX_FILE_BYTES")
    assert response.status_code == 200
    assert "groter dan" in response.get_data(as_text=True)
    db.session.refresh(item)
    assert item.files == []
