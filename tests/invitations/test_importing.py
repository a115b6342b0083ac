"""Importing contacts: a row-by-row report, nothing half-imported, the valid rows only once confirmed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from congress.extensions import db
from congress.invitations import services
from congress.invitations.models import InvitationList, Invitee
from tests.invitations.support import contacts, csv_bytes, xlsx_bytes
from tests.registration.factories import open_congress


@pytest.fixture
def edition(app, english):
    return open_congress("uitnodigingen")


def invitee_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Invitee))


def test_a_file_with_two_bad_rows_is_reported_row_by_row_and_imports_nothing(edition):
    data = csv_bytes(contacts(10, bad=2))
    with pytest.raises(services.ImportError_) as caught:
        services.import_contacts(edition, "genodigden.csv", data, "Focusgemeenten")
    report = caught.value.report
    assert (report.rows, len(report.valid), len(report.refused)) == (10, 8, 2)
    assert [r.line for r in report.refused] == [10, 11]
    assert report.refused[0].reasons == ["the name is missing"]
    assert "geen-adres" in report.refused[1].reasons[0] and "not a valid e-mail address" in report.refused[1].reasons[0]
    assert "2 refused" in report.lines()[0]
    assert invitee_count() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InvitationList)) == 0


def test_the_valid_rows_are_imported_once_the_organiser_confirms(edition):
    data = csv_bytes(contacts(10, bad=2))
    report = services.import_contacts(edition, "genodigden.csv", data, "Focusgemeenten", valid_only=True)
    assert report.imported == 8 and len(report.refused) == 2
    invitees = db.session.scalars(sa.select(Invitee).order_by(Invitee.id)).all()
    assert [i.email_key for i in invitees][:2] == ["wethouder0@gemeente0.nl", "wethouder1@gemeente1.nl"]
    assert {i.list.name for i in invitees} == {"Focusgemeenten"}
    assert invitees[0].organisation == "Gemeente 0" and invitees[0].sector == "Gemeente"
    assert invitees[0].status == "invited"
    assert len({i.link_secret_hash for i in invitees}) == 8


def test_importing_the_same_file_again_refuses_the_addresses_already_on_the_list(edition):
    data = csv_bytes(contacts(3))
    services.import_contacts(edition, "a.csv", data, "Partners")
    with pytest.raises(services.ImportError_) as caught:
        services.import_contacts(edition, "a.csv", data, "Partners", valid_only=True)
    assert not caught.value.report.valid
    assert all("already on the list" in r.reasons[0] for r in caught.value.report.refused)
    assert invitee_count() == 3


def test_the_list_column_sends_rows_to_their_own_lists_and_duplicates_in_the_file_are_refused(edition):
    rows = [["Anna", "anna@utrecht.nl", "Gemeente Utrecht", "Gemeente", "Focusgemeenten"],
            ["Bram", "bram@ggd.nl", "GGD", "Zorg", ""],
            ["Anna twee", "ANNA@utrecht.nl", "Gemeente Utrecht", "Gemeente", "Focusgemeenten"]]
    with pytest.raises(services.ImportError_) as caught:
        services.import_contacts(edition, "x.csv", csv_bytes(rows, delimiter=","), "Partners")
    assert caught.value.report.refused[0].line == 4
    assert "twice" in caught.value.report.refused[0].reasons[0]
    services.import_contacts(edition, "x.csv", csv_bytes(rows, delimiter=","), "Partners", valid_only=True)
    placed = dict(db.session.execute(sa.select(Invitee.email_key, InvitationList.name).join(InvitationList)).all())
    assert placed == {"anna@utrecht.nl": "Focusgemeenten", "bram@ggd.nl": "Partners"}


def test_an_xlsx_workbook_is_read_like_a_csv(edition):
    report = services.import_contacts(edition, "lijst.xlsx", xlsx_bytes(contacts(4)), "Partners")
    assert report.imported == 4


@pytest.mark.parametrize(("name", "data", "message"), [
    ("leeg.csv", b"", "empty"),
    ("kapot.xlsx", b"PK\x03\x04 kapot", "cannot be read"),
    ("kop.csv", b"organisatie;sector\nGemeente;Gemeente\n", "name and one for the e-mail"),
])
def test_a_file_that_is_no_contact_list_is_refused_with_the_reason(edition, name, data, message):
    with pytest.raises(services.ImportError_) as caught:
        services.import_contacts(edition, name, data, "Partners")
    assert message in caught.value.message
    assert invitee_count() == 0
