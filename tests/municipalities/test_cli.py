"""``flask --app wsgi congress municipalities import FILE``: a row-by-row report of refused rows,
nothing half-imported, and importing the same file again changes nothing."""

from __future__ import annotations

import sqlalchemy as sa

from congress.audit.models import AuditEvent
from congress.extensions import db
from congress.municipalities.models import Municipality

GOOD = "code;naam\nGM0363;Amsterdam\nGM0344;Utrecht\n599;Rotterdam\ngm0518;'s-Gravenhage\n"


def _listed() -> list[tuple[str, str]]:
    return [(m.code, m.name) for m in db.session.scalars(sa.select(Municipality).order_by(Municipality.code))]


def test_a_good_file_is_imported_and_again_changes_nothing(app, runner, tmp_path):
    path = tmp_path / "gemeenten.csv"
    path.write_text(GOOD, encoding="utf-8")
    first = runner.invoke(args=["congress", "municipalities", "import", str(path)])
    assert first.exit_code == 0, first.output
    assert "4 rijen gelezen: 4 toegevoegd, 0 hernoemd, 0 ongewijzigd, 0 geweigerd." in first.output
    assert _listed() == [("GM0344", "Utrecht"), ("GM0363", "Amsterdam"), ("GM0518", "'s-Gravenhage"),
                         ("GM0599", "Rotterdam")]
    again = runner.invoke(args=["congress", "municipalities", "import", str(path)])
    assert again.exit_code == 0, again.output
    assert "4 rijen gelezen: 0 toegevoegd, 0 hernoemd, 4 ongewijzigd, 0 geweigerd." in again.output
    assert len(_listed()) == 4
    # A renamed municipality (CBS renames after a merger) is updated in place, its id kept.
    utrecht_id = db.session.scalar(sa.select(Municipality.id).where(Municipality.code == "GM0344"))
    path.write_text("Gemeentecode,Gemeentenaam\nGM0344,Gemeente Utrecht\nGM0014,Groningen\n", encoding="utf-8")
    renamed = runner.invoke(args=["congress", "municipalities", "import", str(path)])
    assert "2 rijen gelezen: 1 toegevoegd, 1 hernoemd, 0 ongewijzigd, 0 geweigerd." in renamed.output
    db.session.expire_all()
    assert db.session.get(Municipality, utrecht_id).name == "Gemeente Utrecht" and len(_listed()) == 5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "municipalities.imported")) == 3


def test_bad_rows_are_reported_row_by_row_and_nothing_is_imported(app, runner, tmp_path):
    path = tmp_path / "gemeenten.csv"
    path.write_text("code;naam\nGM0363;Amsterdam\nAMS;Amstelveen\n;Zonder code\nGM0363;Nog eens Amsterdam\n"
                    "GM0344;\nGM0599;amsterdam\n", encoding="utf-8")
    result = runner.invoke(args=["congress", "municipalities", "import", str(path)])
    assert result.exit_code != 0
    out = result.output
    assert "6 rijen gelezen: 0 toegevoegd, 0 hernoemd, 0 ongewijzigd, 5 geweigerd." in out
    assert "Rij 3 (AMS, Amstelveen): “AMS” is geen CBS-gemeentecode (GM en vier cijfers)" in out
    assert "Rij 4 (Zonder code): de code ontbreekt" in out
    assert "Rij 5 (GM0363, Nog eens Amsterdam): de code GM0363 staat twee keer in het bestand (rij 2)" in out
    assert "Rij 6 (GM0344): de naam ontbreekt" in out
    assert "Rij 7 (GM0599, amsterdam): de naam staat twee keer in het bestand (rij 2)" in out
    assert "5 rijen zijn geweigerd; er is niets geïmporteerd." in out
    assert _listed() == []


def test_a_file_without_the_columns_or_unreadable(app, runner, tmp_path):
    path = tmp_path / "gemeenten.csv"
    path.write_text("gemeente\nAmsterdam\n", encoding="utf-8")
    result = runner.invoke(args=["congress", "municipalities", "import", str(path)])
    assert result.exit_code != 0 and "een kolom voor de CBS-code" in result.output
    binary = tmp_path / "gemeenten.xlsx"
    binary.write_bytes(b"PK\x03\x04 not a workbook")
    result = runner.invoke(args=["congress", "municipalities", "import", str(binary)])
    assert result.exit_code != 0 and "kan niet worden gelezen" in result.output
    assert _listed() == []
