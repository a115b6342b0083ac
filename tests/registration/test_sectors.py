"""Sectors edited one by one: a sector registrations chose is hidden, never deleted."""

from __future__ import annotations

import pytest

from congress.extensions import db
from congress.registration import sectors as editing
from congress.registration import services
from congress.registration.forms import registration_form
from congress.registration.models import Registration
from tests.registration.factories import open_congress, registered


def names(congress):
    return [(s.name_nl, s.hidden) for s in services.sectors(congress)]


def test_add_rename_reorder_hide_and_remove(app):
    congress = open_congress(sectors=False)
    gemeente = editing.add_sector(congress, "gemeente", "municipality")
    bedrijf = editing.add_sector(congress, "bedrijf", "company")
    with pytest.raises(services.RegistrationError):
        editing.add_sector(congress, "Gemeente")
    with pytest.raises(services.RegistrationError):
        editing.add_sector(congress, "  ")
    editing.rename_sector(congress, bedrijf, "bedrijfsleven", "business")
    editing.move_sector(congress, bedrijf, -1)
    assert names(congress) == [("bedrijfsleven", False), ("gemeente", False)]
    person = registered(congress, sector_id=gemeente.id).registration
    with pytest.raises(editing.SectorInUse) as exc:
        editing.delete_sector(congress, gemeente)
    assert exc.value.status == 409
    editing.hide_sector(congress, gemeente)
    editing.delete_sector(congress, bedrijf)
    assert names(congress) == [("gemeente", True)]
    db.session.expire_all()
    assert db.session.get(Registration, person.id).sector.name_nl == "gemeente"


def test_a_hidden_sector_is_not_offered_but_kept_by_who_chose_it(app, client):
    congress = open_congress()
    first, second = services.sectors(congress)[:2]
    person = registered(congress, sector_id=first.id).registration
    editing.hide_sector(congress, first)
    page = client.get(f"/{congress.slug}/register").get_data(as_text=True)
    assert f'value="{second.id}"' in page and f'value="{first.id}"' not in page
    with app.test_request_context():
        kept = registration_form(services.sectors(congress), [], [], "nl", registration=person, sessions=False)
        assert str(first.id) in [value for value, _label in kept.sector.choices]
        fresh = registration_form(services.sectors(congress), [], [], "nl")
        assert str(first.id) not in [value for value, _label in fresh.sector.choices]


def test_the_text_form_hides_sectors_in_use_instead_of_deleting_them(app):
    congress = open_congress()
    used = services.sectors(congress)[0]
    registered(congress, sector_id=used.id)
    services.save_sectors(congress, [("nieuw", "new")])
    assert (used.name_nl, True) in names(congress) and ("nieuw", False) in names(congress)
    assert len(services.sectors(congress)) == 2


def test_the_sectors_page(app, organiser):
    congress = open_congress()
    client = app.test_client(user=organiser)
    url = f"/manage/registrations/{congress.slug}/sectors"
    assert client.get(url).status_code == 200
    assert client.post(url, data={"new-name_nl": "bedrijf", "new-name_en": "company", "new-submit": "y"}
                       ).status_code == 302
    bedrijf = services.sectors(congress)[-1]
    assert bedrijf.name_nl == "bedrijf"
    assert client.post(url, data={"sector_id": bedrijf.id, "action": "up"}).status_code == 302
    assert services.sectors(congress)[-2].id == bedrijf.id
    used = services.sectors(congress)[0]
    registered(congress, sector_id=used.id)
    refused = client.post(url + "?lang=nl", data={"sector_id": used.id, "action": "remove"})
    assert refused.status_code == 409 and "verberg hem" in refused.get_data(as_text=True)
    assert client.post(url, data={"sector_id": used.id, "action": "hide"}).status_code == 302
    assert client.post(url, data={"sector_id": used.id, "action": "save", "name_nl": "gemeenten",
                                  "name_en": "municipalities"}).status_code == 302
    db.session.expire_all()
    assert used.hidden and used.name_nl == "gemeenten"
    for data in ({"sector_id": "9" * 40, "action": "hide"}, {"sector_id": "x", "action": "hide"},
                 {"sector_id": used.id, "action": "boom"}, {"sector_id": used.id, "action": "save", "name_nl": ""}):
        assert client.post(url, data=data).status_code < 500
    assert client.post(url, data={"sector_id": 999999, "action": "hide"}).status_code == 404
