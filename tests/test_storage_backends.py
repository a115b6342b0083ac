"""The storage interface on both backends: the local directories and S3-compatible object storage
(moto's standalone server on 127.0.0.1, tests/support/s3.py). The tests marked by ``any_storage`` run
once per backend; the others are about object storage only: presigned downloads, a missing bucket,
wrong credentials, a server that goes away, and moving the files with ``congress storage migrate``."""

from __future__ import annotations

import hashlib
import io
import logging
import os
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa

from congress import backup as backups
from congress import create_app, storage
from congress.app import ConfigurationError
from congress.archive import files as filestore
from congress.archive import services as archive
from congress.archive.models import KnowledgeFile
from congress.badges import services as badges
from congress.badges.models import PrintRun
from congress.badges.retention import remove_print_files
from congress.cfp import services as cfp
from congress.cfp.models import SlideUpload
from congress.core.models import Person
from congress.extensions import db
from congress.storage import StorageKeyError, StorageUnavailable
from congress.tokens import hash_secret
from tests.archive.factories import make_item, minimal_pdf, png_bytes
from tests.cfp.factories import make_proposal, make_speaker, open_call
from tests.registration.factories import open_congress, registered
from tests.support.s3 import start_s3_server

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _accepted_proposal(congress, speaker):
    open_call(congress)
    proposal = make_proposal(congress, speaker)
    cfp.decide([proposal], "accept")
    proposal.confirm_token_hash = hash_secret("bevestig")
    db.session.commit()
    cfp.confirm_proposal("bevestig")
    return proposal


# --- the same suite on both backends --------------------------------------------------------------

def test_put_read_exists_size_list_and_delete(app, any_storage):
    area = storage.storage("cfp")
    assert area.list_keys() is not None and list(area.list_keys()) == []
    area.put("slides/een.pdf", b"eerste versie")
    area.put("slides/een.pdf", b"tweede versie")  # replaced whole
    area.put("photos/twee.jpg", b"\xff\xd8foto")
    assert area.read("slides/een.pdf") == b"tweede versie"
    assert area.exists("photos/twee.jpg") and not area.exists("photos/drie.jpg")
    assert area.size("slides/een.pdf") == len(b"tweede versie")
    assert sorted(area.list_keys()) == ["photos/twee.jpg", "slides/een.pdf"]
    assert list(storage.storage("archive").list_keys()) == []  # areas do not see each other's files
    area.delete("slides/een.pdf")
    area.delete("slides/een.pdf")  # deleting what is gone is fine
    assert not area.exists("slides/een.pdf")
    with pytest.raises(FileNotFoundError):
        area.read("slides/een.pdf")
    with pytest.raises(FileNotFoundError):
        area.size("slides/een.pdf")
    for bad in ("../geheim", "/etc/passwd", "a/../../b", "", ".verborgen"):
        with pytest.raises(StorageKeyError):
            area.put(bad, b"x")


def test_archive_download_streams_with_the_same_checks(app, client, any_storage):
    data = minimal_pdf("Weerbaarheid in de wijk") + b"%" + b"x" * 300_000  # more than one chunk
    published = make_item("Verslag")
    stored = archive.add_file(published, io.BytesIO(data), "verslag-wijk.pdf")
    draft = make_item("Concept", status="draft")
    hidden = archive.add_file(draft, io.BytesIO(minimal_pdf("Concept")), "concept.pdf")
    db.session.commit()
    assert filestore.read_stored(stored.sha256) == data

    url = f"/kennisbank/item/{published.key}/files/{stored.id}"
    response = client.get(url)
    assert response.status_code == 200 and response.data == data
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=verslag-wijk.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "max-age=3600" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    part = client.get(url, headers={"Range": "bytes=0-7"})
    assert part.status_code == 206 and part.data == data[:8]
    assert part.headers["Content-Range"] == f"bytes 0-7/{len(data)}"
    # The access checks of before: a draft's file is not public, nor a file through another item.
    assert client.get(f"/kennisbank/item/{draft.key}/files/{hidden.id}").status_code == 404
    assert client.get(f"/kennisbank/item/{published.key}/files/{hidden.id}").status_code == 404


def test_speaker_photo_and_slides(app, congress, any_storage):
    speaker = make_speaker()
    client = app.test_client(user=speaker)
    form = {"name": "Sanne", "organisation": "Gemeente Zwolle", "function": "", "bio": "Jeugdwerker",
            "photo": (io.BytesIO(png_bytes()), "ik.png")}
    assert client.post("/speaker/profile", data=form, content_type="multipart/form-data").status_code == 302
    person = db.session.scalar(sa.select(Person).where(Person.user_id == speaker.id))
    photo = client.get(f"/speaker/photos/{person.photo}")
    # Every photo is kept as a small square JPEG without metadata (core.photos), whatever was uploaded.
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg" and photo.data.startswith(b"\xff\xd8")
    assert client.get("/speaker/photos/bestaat-niet.png").status_code == 404

    proposal = _accepted_proposal(congress, speaker)
    upload = cfp.upload_slides(proposal, speaker, "dia's.pdf", PDF, consent=True)
    served = client.get(f"/speaker/slides/{upload.id}")
    assert served.status_code == 200 and served.data == PDF
    assert served.headers["Content-Disposition"].startswith("attachment;")
    other = app.test_client(user=make_speaker(email="ander@example.org", name="Ander"))
    assert other.get(f"/speaker/slides/{upload.id}").status_code in (403, 404)
    # The knowledge archive takes the deck up from the storage.
    [content] = cfp.slide_files(proposal.session_id)
    assert (content.filename, content.data) == ("dia's.pdf", PDF)


def test_print_run_stored_served_and_removed(app, organiser, any_storage):
    congress = open_congress(f"opslag-{any_storage}")
    registered(congress, name="Pim Printer", email="pim@example.org", confirmed=True)
    run = badges.start_print_run(congress, "a6", "everyone")  # the job runs at once in tests
    run = db.session.get(PrintRun, run.id)
    assert run.status == "done" and badges.print_run_ready(run)
    pdf = app.test_client(user=organiser).get(f"/manage/badges/{congress.slug}/runs/{run.id}/badges.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.data == badges.print_run_pdf(run)
    assert remove_print_files(congress) == {"print_files": 1}
    assert not badges.badge_storage().exists(f"badges-{run.id}-a6.pdf")
    assert not badges.print_run_ready(run) and badges.print_run_pdf(run) is None


def test_readyz_checks_the_storage(client, any_storage):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json()["checks"]["storage"] == "ok"


# --- object storage only --------------------------------------------------------------------------

def test_objects_live_under_the_prefix_with_their_hash(app, s3_server, s3_storage):
    storage.storage("badges").put("run.pdf", PDF)
    head = s3_server.client().head_object(Bucket=s3_storage, Key="congres/badges/run.pdf")
    assert head["Metadata"]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert head["ContentLength"] == len(PDF)


def test_presigned_redirect_after_the_access_checks(app, client, s3_server_without_auth):
    app.config.update(s3_server_without_auth.config(s3_server_without_auth.make_bucket()))
    app.config["STORAGE_PRESIGNED_SECONDS"] = 60
    item = make_item("Verslag")
    stored = archive.add_file(item, io.BytesIO(minimal_pdf("Preventie")), "preventie café.pdf")
    draft = make_item("Concept", status="draft")
    hidden = archive.add_file(draft, io.BytesIO(minimal_pdf("Geheim")), "geheim.pdf")
    db.session.commit()
    response = client.get(f"/kennisbank/item/{item.key}/files/{stored.id}")
    assert response.status_code == 302 and response.headers["Cache-Control"] == "private, no-store"
    location = response.headers["Location"]
    assert location.startswith(app.config["STORAGE_S3_ENDPOINT_URL"])
    assert parse_qs(urlsplit(location).query)["X-Amz-Expires"] == ["60"]
    fetched = requests.get(location, timeout=10)
    assert fetched.status_code == 200 and fetched.content == minimal_pdf("Preventie")
    assert fetched.headers["Content-Type"] == "application/pdf"
    assert "attachment" in fetched.headers["Content-Disposition"]
    assert "filename*=UTF-8''preventie%20caf%C3%A9.pdf" in fetched.headers["Content-Disposition"]
    # No redirect (no URL at all) where the access check refuses.
    assert client.get(f"/kennisbank/item/{draft.key}/files/{hidden.id}").status_code == 404


def _refused_everywhere(app, client, organiser, reason: str, caplog) -> None:
    """What a user, an operator and the database see when the storage refuses: a clear 503 (NL and
    EN), a log line naming the reason, /readyz unavailable, and no row pointing at a file."""
    with pytest.raises(StorageUnavailable) as raised:
        storage.storage("cfp").put("photos/x.png", png_bytes())
    assert raised.value.reason == reason and reason in str(raised.value)
    assert app.config["STORAGE_S3_SECRET_ACCESS_KEY"] not in str(raised.value)
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["checks"]["storage"] == "unavailable"

    item = make_item("Bijlage", status="draft")
    db.session.commit()
    with pytest.raises(StorageUnavailable):
        archive.add_file(item, io.BytesIO(minimal_pdf("Wijkaanpak")), "wijkaanpak.pdf")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeFile)) == 0

    editor = app.test_client(user=organiser)
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        for lang, text in (("nl", "Er kunnen nu geen bestanden worden opgeslagen of opgehaald"),
                           ("en", "Files cannot be stored or fetched right now")):
            response = editor.post(f"/manage/kennisbank/{item.id}/files?lang={lang}",
                                   content_type="multipart/form-data",
                                   data={"upload-file": (io.BytesIO(minimal_pdf("Echt")), "echt.pdf")})
            assert response.status_code == 503 and response.headers["Retry-After"]
            assert text in response.get_data(as_text=True)
    assert any(f"({reason})" in record.getMessage() for record in caplog.records)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KnowledgeFile)) == 0


def test_a_missing_bucket(app, client, organiser, s3_server, s3_storage, caplog):
    app.config["STORAGE_URL"] = "s3://bestaat-niet-123/congres"
    _refused_everywhere(app, client, organiser, "no-bucket", caplog)


@pytest.mark.parametrize("which", ["secret", "key"])
def test_wrong_credentials(app, client, organiser, s3_server, s3_storage, caplog, which):
    if which == "secret":
        app.config["STORAGE_S3_SECRET_ACCESS_KEY"] = "niet-het-goede-geheim"
    else:
        app.config["STORAGE_S3_ACCESS_KEY_ID"] = "AKIAONBEKENDONBEKEND"
    _refused_everywhere(app, client, organiser, "credentials", caplog)


@pytest.fixture
def vanishing_server(app, tmp_path):
    """A server of this test's own, that the test stops."""
    server = start_s3_server(tmp_path / "moto.log")
    app.config.update(server.config(server.make_bucket()))
    yield server
    server.stop()


def test_a_server_that_goes_away(app, client, organiser, congress, vanishing_server, caplog):
    speaker = make_speaker()
    proposal = _accepted_proposal(congress, speaker)
    kept = cfp.upload_slides(proposal, speaker, "eerst.pdf", PDF)
    edition = open_congress("weg-halverwege")
    registered(edition, name="Pim Printer", email="pim@example.org", confirmed=True)

    vanishing_server.stop()

    with pytest.raises(StorageUnavailable) as raised:
        cfp.upload_slides(proposal, speaker, "daarna.pdf", PDF + b"%tweede")
    assert raised.value.reason == "unreachable"
    db.session.rollback()
    assert db.session.scalars(sa.select(SlideUpload.id)).all() == [kept.id]  # no row without its file
    # A download says so instead of failing with a 500.
    served = app.test_client(user=speaker).get(f"/speaker/slides/{kept.id}?lang=en")
    assert served.status_code == 503 and "Files cannot be stored or fetched right now" in served.get_data(as_text=True)
    # A print run whose PDF cannot be stored fails, with the reason on its page; it is never "done".
    badges.start_print_run(edition, "a6", "everyone")  # the job runs at once in tests, and fails
    db.session.expire_all()
    run = db.session.scalar(sa.select(PrintRun).where(PrintRun.congress_id == edition.id))
    assert run.status == "failed" and "unavailable (unreachable)" in run.error and not run.file_name
    assert client.get("/readyz").status_code == 503
    _refused_everywhere(app, client, organiser, "unreachable", caplog)


# --- congress storage migrate ---------------------------------------------------------------------

def _local_files(app, tmp_path) -> dict[tuple[str, str], bytes]:
    for config_key, folder in storage.AREAS.values():
        app.config[config_key] = str(tmp_path / folder)
    app.config["STORAGE_URL"] = ""
    files = {("archive", "ab/" + "ab" * 32): minimal_pdf("Archief"), ("cfp", "photos/sanne.png"): png_bytes(),
             ("cfp", "slides/deck.pdf"): PDF, ("badges", "badges-1-a6.pdf"): PDF + b"%badges"}
    for (area, key), data in files.items():
        storage.storage(area).put(key, data)
    return files


def test_migrate_copies_verifies_and_is_idempotent(app, tmp_path, s3_server):
    files = _local_files(app, tmp_path)
    bucket = s3_server.make_bucket()
    target = s3_server.config(bucket, prefix="verhuisd")
    app.config.update({k: v for k, v in target.items() if k != "STORAGE_URL"})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["congress", "storage", "migrate", "--to", target["STORAGE_URL"]])
    assert result.exit_code == 0, result.output
    assert "4 copied and verified, 0 already there with the same hash, 0 failed." in result.output
    remote = s3_server.client()
    for (area, key), data in files.items():
        assert remote.get_object(Bucket=bucket, Key=f"verhuisd/{area}/{key}")["Body"].read() == data

    # Again: nothing to copy. A copy that differs (or is gone) is copied again.
    result = runner.invoke(args=["congress", "storage", "migrate", "--to", target["STORAGE_URL"]])
    assert "0 copied and verified, 4 already there with the same hash, 0 failed." in result.output
    remote.put_object(Bucket=bucket, Key="verhuisd/cfp/slides/deck.pdf", Body=b"kapot")
    remote.delete_object(Bucket=bucket, Key="verhuisd/badges/badges-1-a6.pdf")
    result = runner.invoke(args=["congress", "storage", "migrate", "--to", target["STORAGE_URL"]])
    assert "2 copied and verified, 2 already there with the same hash, 0 failed." in result.output
    assert remote.get_object(Bucket=bucket, Key="verhuisd/cfp/slides/deck.pdf")["Body"].read() == PDF

    # Switched over, the app reads the same files from the bucket.
    app.config["STORAGE_URL"] = target["STORAGE_URL"]
    assert {(a, k): storage.storage(a).read(k) for a, k in files} == files
    refused = runner.invoke(args=["congress", "storage", "migrate", "--to", target["STORAGE_URL"]])
    assert refused.exit_code != 0 and "in use already" in refused.output


def test_migrate_refuses_a_wrong_target_before_copying(app, tmp_path, s3_server):
    _local_files(app, tmp_path)
    app.config.update({k: v for k, v in s3_server.config("x").items() if k != "STORAGE_URL"})
    runner = app.test_cli_runner()
    for target, message in (("/srv/elders", "--to must name object storage"),
                            ("s3://Hoofdletters/x", "--to must name object storage"),
                            ("s3://bestaat-niet-456/x", "unavailable (no-bucket)")):
        result = runner.invoke(args=["congress", "storage", "migrate", "--to", target])
        assert result.exit_code == 1 and message in result.output, result.output


def test_migrate_when_the_server_goes_away_midway(app, tmp_path, monkeypatch):
    _local_files(app, tmp_path)
    server = start_s3_server(tmp_path / "moto.log")
    try:
        bucket = server.make_bucket()
        target = server.config(bucket)
        app.config.update({k: v for k, v in target.items() if k != "STORAGE_URL"})
        real, done = storage.migrate_file, []

        def then_the_server_stops(area, key, destination):
            outcome = real(area, key, destination)
            done.append(key)
            if len(done) == 2:
                server.stop()
            return outcome

        monkeypatch.setattr(storage, "migrate_file", then_the_server_stops)
        result = app.test_cli_runner().invoke(args=["congress", "storage", "migrate", "--to", target["STORAGE_URL"]])
        assert result.exit_code == 1
        assert "2 copied and verified, 0 already there with the same hash, 2 failed." in result.output
        assert "unavailable (unreachable)" in result.output and "run the command again" in result.output
    finally:
        server.stop()


def test_backup_fetches_the_objects_and_restore_goes_through_the_local_folders(app, s3_storage, tmp_path):
    files = {("archive", "ab/" + "ab" * 32): minimal_pdf("Archief"), ("cfp", "photos/sanne.png"): png_bytes(),
             ("badges", "badges-7-a6.pdf"): PDF}
    for (area, key), data in files.items():
        storage.storage(area).put(key, data)
    result = backups.backup(tmp_path / "kopie")
    manifest = backups.verify(tmp_path / "kopie")
    for (area, key), data in files.items():
        name = f"files/{backups.BACKUP_NAMES.get(area, area)}/{key}"
        assert (tmp_path / "kopie" / name).read_bytes() == data
        assert manifest["files"][name]["sha256"] == hashlib.sha256(data).hexdigest()
    assert result.files >= len(files)
    with pytest.raises(backups.BackupError, match="STORAGE_URL unset"):
        backups.restore(tmp_path / "kopie", force=True)


def test_a_storage_url_that_names_nothing_stops_the_start(app):
    with pytest.raises(ConfigurationError, match="STORAGE_URL must be empty or s3://bucket/prefix"):
        create_app({**app.config, "STORAGE_URL": "ftp://elders/map", "TESTING": True})


def test_a_download_cut_off_when_the_server_goes_away_is_short_and_logged(app, vanishing_server, caplog):
    data = os.urandom(16 * 1024 * 1024)  # far more than the sockets buffer between the two processes
    storage.storage("badges").put("groot.pdf", data)
    with app.test_request_context("/"), caplog.at_level(logging.ERROR, logger="congress.storage"):
        response = storage.storage("badges").send("groot.pdf", mimetype="application/pdf")
        assert response.status_code == 200 and response.headers["Content-Length"] == str(len(data))
        chunks = iter(response.response)
        received = len(next(chunks))
        vanishing_server.stop()
        received += sum(len(chunk) for chunk in chunks)
        response.close()
    assert received < len(data)  # the client sees a body shorter than its Content-Length: never a whole file
    assert any("broke off while streaming" in r.getMessage() for r in caplog.records)
