"""``flask congress invitations import SLUG FILE --list NAME [--send] [--valid-only]``."""

from __future__ import annotations

import sqlalchemy as sa

from congress.extensions import db
from congress.invitations.models import Invitee
from tests.invitations.support import contacts, csv_bytes, xlsx_bytes
from tests.registration.factories import open_congress


def test_a_file_with_bad_rows_prints_the_report_and_imports_nothing(app, runner, tmp_path):
    open_congress("cli-uitnodigingen")
    path = tmp_path / "genodigden.csv"
    path.write_bytes(csv_bytes(contacts(6, bad=2)))
    result = runner.invoke(args=["congress", "invitations", "import", "cli-uitnodigingen", str(path),
                                 "--list", "Focusgemeenten"])
    assert result.exit_code == 1, result.output
    assert "Row 6" in result.output or "Rij 6" in result.output
    assert "Row 7" in result.output or "Rij 7" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitee)) == 0


def test_valid_only_imports_the_good_rows_and_send_queues_the_invitations(app, runner, tmp_path, mailbox):
    open_congress("cli-uitnodigingen")
    path = tmp_path / "genodigden.xlsx"
    path.write_bytes(xlsx_bytes(contacts(6, bad=2)))
    mailbox.clear()
    result = runner.invoke(args=["congress", "invitations", "import", "cli-uitnodigingen", str(path),
                                 "--list", "Focusgemeenten", "--valid-only", "--send"])
    assert result.exit_code == 0, result.output
    assert "4 invitees imported into cli-uitnodigingen." in result.output
    assert "Invitations: 4 queued, 0 skipped (unsubscribed)." in result.output
    assert sorted(m["To"] for m in mailbox) == sorted(f"wethouder{i}@gemeente{i}.nl" for i in range(4))


def test_an_unknown_edition_is_an_error(app, runner, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(csv_bytes(contacts(1)))
    result = runner.invoke(args=["congress", "invitations", "import", "bestaat-niet", str(path), "--list", "X"])
    assert result.exit_code == 1 and "no edition" in result.output
