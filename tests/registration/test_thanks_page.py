"""The thank-you page after registering says how many workshop seats were got and for how many
workshops the person is on the waiting list; a second registration of an address gets the answer a new
one would get (nobody learns that the address is registered)."""

from __future__ import annotations

from tests.registration.factories import add_round, form_data, open_congress, registered


def _register(client, congress, n, **choices):
    response = client.post(f"/{congress.slug}/register", data=form_data(congress, n, **choices))
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"], client.get(response.headers["Location"]).get_data(as_text=True)


def test_thanks_says_seats_and_waiting_lists_honestly(client, mailbox):
    congress = open_congress("bedankt")
    first_round, (full, free) = add_round(congress, capacities=(1, 20))
    second_round, (other, _) = add_round(congress, "Ronde 2", capacities=(5, 5), start="13:00", end="14:00")
    registered(congress, [full.id], n=1)  # the only seat of the first workshop is taken

    location, html = _register(client, congress, 2, **{f"round_{first_round.id}": str(full.id),
                                                       f"round_{second_round.id}": str(other.id)})
    assert "seats=1" in location and "waiting=1" in location
    assert "U hebt een plaats in 1 workshop: wij houden die vast tot u bevestigt." in html
    assert "Voor 1 workshop staat u op de wachtlijst" in html
    assert "houden wij uw plaatsen vast" not in html

    # Only a waiting list: no word of held seats.
    _, html = _register(client, congress, 3, **{f"round_{first_round.id}": str(full.id)})
    assert "Voor 1 workshop staat u op de wachtlijst" in html
    assert "U hebt een plaats" not in html and "vast" not in html

    # No workshops chosen: neither.
    _, html = _register(client, congress, 4)
    assert "Bevestig binnen" in html and "U hebt een plaats" not in html and "wachtlijst" not in html

    # In English.
    html = client.get(f"/{congress.slug}/register/thanks?seats=2&waiting=1&lang=en").get_data(as_text=True)
    assert "You have a seat in 2 workshops: we hold them until you confirm." in html
    assert "For 1 workshop you are on the waiting list" in html


def test_an_existing_address_gets_the_answer_a_new_one_would(client, mailbox):
    congress = open_congress("bedankt-bestaand")
    signup_round, (full, free) = add_round(congress, capacities=(1, 20))
    registered(congress, [full.id], n=1, email="bekend@example.org")
    mailbox.clear()
    # The owner's registration holds the full workshop's seat; this submission asks for the free one.
    location, html = _register(client, congress, 9, email="bekend@example.org",
                               **{f"round_{signup_round.id}": str(free.id)})
    new_location, _ = _register(client, congress, 10, email="nieuw@example.org",
                                **{f"round_{signup_round.id}": str(free.id)})
    assert location == new_location and "seats=1" in location and "waiting" not in location
    _, html = _register(client, congress, 11, email="bekend@example.org",
                        **{f"round_{signup_round.id}": str(full.id)})
    assert "Voor 1 workshop staat u op de wachtlijst" in html and "U hebt een plaats" not in html


def test_a_typed_in_count_is_ignored_when_it_is_no_small_number(client):
    congress = open_congress("bedankt-url")
    for query in ("seats=abc&waiting=-1", "seats=99999999&waiting=1e9"):
        response = client.get(f"/{congress.slug}/register/thanks?{query}")
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "U hebt een plaats" not in html and "wachtlijst" not in html
