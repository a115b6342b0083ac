"""The municipalities page (upload, add, remove; errors next to the field, in Dutch) and the registration
form's municipality: offered once the list is not empty, optional, stored, shown to the organisers."""

from __future__ import annotations

import io

import sqlalchemy as sa

from congress.extensions import db
from congress.municipalities import services
from congress.municipalities.models import Municipality
from congress.registration.models import Registration
from congress.registration.services import personal_data
from tests.factories import make_congress
from tests.registration.factories import form_data, open_congress, registered


def _codes() -> list[str]:
    return list(db.session.scalars(sa.select(Municipality.code).order_by(Municipality.code)))


def test_upload_add_and_remove(app, organiser):
    congress = make_congress("gemeenten-beheer")
    client = app.test_client(user=organiser)
    url = f"/manage/{congress.slug}/municipalities"
    page = client.get(url)
    assert page.status_code == 200 and "Nog geen gemeenten" in page.get_data(as_text=True)

    bad = client.post(url, data={"action": "import", "file": (io.BytesIO(b"code;naam\nXX;Nergens\n"), "g.csv")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "1 rijen zijn geweigerd; er is niets geïmporteerd." in html and _codes() == []
    assert "“XX” is geen CBS-gemeentecode" in html

    good = client.post(url, data={"action": "import", "file": (io.BytesIO(b"code;naam\nGM0363;Amsterdam\n"
                                                                          b"GM0344;Utrecht\n"), "g.csv")},
                       content_type="multipart/form-data")
    assert good.status_code == 302 and _codes() == ["GM0344", "GM0363"]

    wrong = client.post(url, data={"action": "add", "code": "Amsterdam", "name": "Amsterdam"})
    assert wrong.status_code == 422
    assert "Geef een CBS-gemeentecode: GM en vier cijfers" in wrong.get_data(as_text=True)
    twice = client.post(url, data={"action": "add", "code": "363", "name": "Amsterdam"})
    assert twice.status_code == 422 and "De code GM0363 staat al op de lijst." in twice.get_data(as_text=True)
    added = client.post(url, data={"action": "add", "code": "gm599", "name": " Rotterdam "})
    assert added.status_code == 302 and _codes() == ["GM0344", "GM0363", "GM0599"]
    shown = client.get(url).get_data(as_text=True)
    assert "GM0599" in shown and "Rotterdam verwijderen" in shown

    rotterdam = db.session.scalar(sa.select(Municipality).where(Municipality.code == "GM0599"))
    removed = client.post(url, data={"action": "remove", "municipality_id": str(rotterdam.id)})
    assert removed.status_code == 302 and _codes() == ["GM0344", "GM0363"]
    assert client.post(url, data={"action": "remove", "municipality_id": "x" * 40}).status_code == 422
    assert client.post(url, data={"action": "anything"}).status_code == 422
    assert _codes() == ["GM0344", "GM0363"]


def test_a_municipality_registrations_name_stays(app, organiser):
    congress = open_congress("gemeente-in-gebruik")
    amsterdam = services.add_municipality("GM0363", "Amsterdam")
    registered(congress, municipality_id=amsterdam.id, confirmed=True)
    client = app.test_client(user=organiser)
    refused = client.post(f"/manage/{congress.slug}/municipalities",
                          data={"action": "remove", "municipality_id": str(amsterdam.id)})
    assert refused.status_code == 409
    assert "Amsterdam wordt genoemd door 1 inschrijvingen" in refused.get_data(as_text=True)
    assert _codes() == ["GM0363"]


def test_the_registration_form_asks_the_municipality_once_there_is_a_list(app, client):
    congress = open_congress("gemeente-formulier")
    assert 'name="municipality"' not in client.get(f"/{congress.slug}/register").get_data(as_text=True)
    utrecht = services.add_municipality("GM0344", "Utrecht")
    form = client.get(f"/{congress.slug}/register").get_data(as_text=True)
    assert 'name="municipality"' in form and "Als u bij een gemeente werkt: welke." in form
    assert "Niet van toepassing" in form
    unknown = client.post(f"/{congress.slug}/register", data=form_data(congress, municipality="999999"))
    assert unknown.status_code == 422 and "Kies een van de mogelijkheden." in unknown.get_data(as_text=True)
    none = client.post(f"/{congress.slug}/register", data=form_data(congress, 1, municipality=""))
    assert none.status_code in (200, 302)
    chosen = client.post(f"/{congress.slug}/register", data=form_data(congress, 2, municipality=str(utrecht.id)))
    assert chosen.status_code in (200, 302)
    rows = dict(db.session.execute(sa.select(Registration.email, Registration.municipality_id)).all())
    assert rows == {"form1@example.org": None, "form2@example.org": utrecht.id}
    person = db.session.scalar(sa.select(Registration).where(Registration.email == "form2@example.org"))
    assert personal_data(person)["municipality"] == "Utrecht (GM0344)"  # in the person's own download
