"""Print runs, selections, the CLI and the e-ticket, against real registrations."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pypdfium2
import pytest
import sqlalchemy as sa
import zxingcpp

from congress.badges import services, tokens
from congress.badges.models import IssuedCode, PrintRun
from congress.extensions import db
from congress.registration import services as registration
from tests.conftest import ROOT
from tests.registration.factories import add_round, open_congress, registered


def decode(pdf: bytes) -> list[str]:
    found = []
    for page in pypdfium2.PdfDocument(io.BytesIO(pdf)):
        found += [r.text for r in zxingcpp.read_barcodes(page.render(scale=100 / 72).to_pil())]
    return found


def page_texts(pdf: bytes) -> list[str]:
    return [page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(io.BytesIO(pdf))]


@pytest.fixture
def edition(app):
    congress = open_congress("badge-congres")
    _, sessions = add_round(congress, capacities=(30, 30))
    people = [
        registered(congress, [sessions[0].id], name=name, email=f"p{i}@example.org", confirmed=True).registration
        for i, name in enumerate(["Zoë Zwart", "Thomas van der Berg", "Anna Alberts", "Dr. Kees de Boer"])
    ]
    registered(congress, name="Niet Bevestigd", email="pending@example.org")  # pending: not printed
    return congress, sessions, people


def test_codes_are_issued_once_and_reissuing_revokes(edition):
    congress, _, people = edition
    first = services.issue_code(people[0])
    assert services.issue_code(people[0]) == first
    second = services.reissue_code(people[0])
    db.session.commit()
    assert second != first
    assert services.is_revoked(tokens.peek(first))
    assert not services.is_revoked(tokens.peek(second))
    assert {"registration": people[0].id, "nonce": tokens.peek(first).nonce_hex} in services.revocations(congress)


def test_cancelling_a_registration_revokes_its_code(edition):
    congress, _, people = edition
    code = services.issue_code(people[1])
    db.session.commit()
    registration.cancel(people[1])
    assert services.is_revoked(tokens.peek(code))
    assert any(r["registration"] == people[1].id for r in services.revocations(congress))


def test_selection_is_confirmed_only_and_sorted_by_last_name(edition):
    congress, _, _ = edition
    names = [r.name for r in services.select_registrations(congress)]
    assert names == ["Anna Alberts", "Thomas van der Berg", "Dr. Kees de Boer", "Zoë Zwart"]


def test_selection_by_track_sector_one_and_new(edition):
    congress, sessions, people = edition
    assert len(services.select_registrations(congress, "track", track_id=sessions[0].track_id)) == 4
    assert services.select_registrations(congress, "track", track_id=congress.tracks[1].id) == []
    assert services.select_registrations(congress, "one", registration_id=people[2].id) == [people[2]]
    assert len(services.select_registrations(congress, "sector", sector_id=people[0].sector_id)) == 4
    run = services.start_print_run(congress, "a6", "everyone")
    db.session.refresh(run)
    assert run.status == "done"
    assert services.select_registrations(congress, "new") == []


def test_empty_selection_gives_a_message_not_an_empty_pdf(edition):
    congress, _, _ = edition
    with pytest.raises(services.EmptySelection):
        services.start_print_run(congress, "a6", "track", track_id=congress.tracks[1].id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PrintRun)) == 0


def test_print_run_renders_in_the_background_with_progress(app, edition, organiser):
    congress, _, people = edition
    client = app.test_client(user=organiser)
    page = client.get(f"/manage/badges/{congress.slug}/")
    assert page.status_code == 200
    response = client.post(f"/manage/badges/{congress.slug}/", data={"layout": "a4-4up", "who": "everyone"})
    assert response.status_code == 302
    run = db.session.scalars(sa.select(PrintRun)).one()
    assert (run.status, run.done, run.total) == ("done", 4, 4)
    assert client.get(response.headers["Location"]).status_code == 200
    assert client.get(f"/manage/badges/{congress.slug}/runs/{run.id}/progress.json").get_json()["percent"] == 100
    pdf = client.get(f"/manage/badges/{congress.slug}/runs/{run.id}/badges.pdf")
    assert pdf.headers["Content-Type"] == "application/pdf"
    codes = decode(pdf.data)
    assert len(codes) == 4
    for code in codes:
        verified = services.verify_code(code, congress)
        assert verified.registration_id in {p.id for p in people}
    # Sorted by last name on the sheet: Alberts, Van der Berg, De Boer, Zwart.
    text = page_texts(pdf.data)[0]
    assert text.index("Alberts") < text.index("Berg") < text.index("Boer") < text.index("Zwart")


def test_empty_selection_in_the_ui(app, edition, organiser):
    congress, _, _ = edition
    client = app.test_client(user=organiser)
    response = client.post(f"/manage/badges/{congress.slug}/",
                           data={"layout": "a6", "who": "track", "track": str(congress.tracks[1].id)})
    assert response.status_code == 200
    assert "Niemand past bij deze selectie" in response.get_data(as_text=True)


def test_cli_writes_one_pdf(runner, edition, tmp_path):
    congress, _, people = edition
    out = tmp_path / "badges.pdf"
    result = runner.invoke(args=["congress", "badges", "--congress", congress.slug, "--layout", "a4-8up",
                                 "--out", str(out), "--processes", "1"])
    assert result.exit_code == 0, result.output
    assert "4 badges" in result.output
    assert len(decode(out.read_bytes())) == 4
    one = tmp_path / "one.pdf"
    result = runner.invoke(args=["congress", "badges", "--congress", congress.slug, "--layout", "a6",
                                 "--out", str(one), "--registration", str(people[0].id)])
    assert result.exit_code == 0, result.output
    assert decode(one.read_bytes()) == [services.issue_code(people[0])]


def test_cli_refuses_empty_selection_and_unknown_edition(runner, edition, tmp_path):
    result = runner.invoke(args=["congress", "badges", "--congress", "nope", "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "no edition" in result.output
    result = runner.invoke(args=["congress", "badges", "--congress", edition[0].slug, "--out",
                                 str(tmp_path / "x.pdf"), "--registration", "999999"])
    assert result.exit_code != 0 and not (tmp_path / "x.pdf").exists()


def test_e_ticket(edition):
    congress, sessions, people = edition
    pdf = services.ticket_pdf(people[1], "nl")
    assert decode(pdf) == [services.issue_code(people[1])]
    text = page_texts(pdf)[0]
    for expected in ("E-ticket", "Thomas van der Berg", sessions[0].title, "Wat neemt u mee", "Testzaal"):
        assert expected in text
    assert "What to bring" in page_texts(services.ticket_pdf(people[1], "en"))[0]


def test_issued_codes_are_unique_per_registration(edition):
    _, _, people = edition
    services.issue_code(people[0])
    db.session.commit()
    db.session.add(IssuedCode(congress_id=people[0].congress_id, registration_id=people[0].id, nonce="00" * 6,
                              code="C1DUPLICATE"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_ticket_through_the_personal_link_only(app, client):
    congress = open_congress("ticket-congres")
    result = registered(congress, name="Tineke Ticket", email="t@example.org", confirmed=True)
    secret = result.link  # the personal secret of the manage link
    response = client.get(f"/my/{secret}/ticket.pdf")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert decode(response.data) == [services.issue_code(result.registration)]
    assert client.get("/my/" + "x" * 43 + "/ticket.pdf").status_code == 404
    registration.cancel(result.registration)
    assert client.get(f"/my/{secret}/ticket.pdf").status_code == 404


def test_cli_in_a_real_process_exits_0_after_writing_the_pdf(app, edition, tmp_path):
    """The command in its own interpreter, rendering in the main process (one badge): it used to
    write the PDF and then die at interpreter exit with SIGSEGV (exit 139), when a cffi finaliser
    unref'd the cached font configuration after libpangoft2 was unloaded."""
    congress, _, people = edition
    db.session.commit()
    out = tmp_path / "one.pdf"
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "CONGRESS_INSTANCE_DIR": str(tmp_path), "HUEY_SQLITE_PATH": str(tmp_path / "huey.db")}
    env.pop("CONGRESS_ENV", None)
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "congress", "badges", "--congress", congress.slug,
         "--layout", "a6", "--registration", str(people[0].id), "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    assert "1 badges" in result.stdout
    assert decode(out.read_bytes()) == [services.issue_code(people[0])]
