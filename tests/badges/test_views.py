"""Print runs in the back office: another edition's run is not found, and the PDF lives in the
storage area ``badges`` (instance/badges/ as before, or where ``BADGE_DIR`` says)."""

from __future__ import annotations

from pathlib import Path

import pytest

from congress.badges import services
from tests.registration.factories import open_congress, registered
from tests.support.s3 import local_storage_only


@pytest.fixture
def run(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "BADGE_DIR", str(tmp_path))
    congress = open_congress("print-views")
    registered(congress, name="Pim Printer", email="pim@example.org", confirmed=True)
    return congress.slug, services.start_print_run(congress, "a6", "everyone")  # the job runs at once in tests


@local_storage_only
def test_the_pdf_is_stored_in_the_badges_area(app, run, tmp_path):
    _, run = run
    assert services.print_run_ready(run)
    assert services.print_run_pdf(run) == (tmp_path / run.file_name).read_bytes()
    assert (tmp_path / run.file_name).read_bytes().startswith(b"%PDF")
    app.config.pop("BADGE_DIR")
    assert services.badge_storage().root == Path(app.instance_path) / "badges"  # the folder of before


def test_another_editions_run_is_not_found(app, run, organiser):
    slug, run = run
    other = open_congress("print-views-other")
    client = app.test_client(user=organiser)
    base = f"/manage/badges/{slug}/runs/{run.id}"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}/progress.json").get_json()["percent"] == 100
    pdf = client.get(f"{base}/badges.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"
    for path in ("", "/progress.json", "/badges.pdf"):
        assert client.get(f"/manage/badges/{other.slug}/runs/{run.id}{path}").status_code == 404
        assert client.get(f"/manage/badges/no-such-edition/runs/{run.id}{path}").status_code == 404


def test_a_run_whose_file_is_gone_is_not_ready(app, run, organiser, tmp_path):
    slug, run = run
    services.badge_storage().delete(run.file_name)
    assert not services.print_run_ready(run) and services.print_run_pdf(run) is None
    client = app.test_client(user=organiser)
    response = client.get(f"/manage/badges/{slug}/runs/{run.id}/badges.pdf")
    assert response.status_code == 302
