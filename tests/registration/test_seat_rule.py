"""The one seat rule (registration.seats.decide): a place, the waiting list or refused, for the edition and
for a workshop alike. Plain values, no database."""

from __future__ import annotations

from congress.registration.services import Decision, Outcome, Pool, decide


def pool(capacity, taken, *, waiting=0, last=0, offers=True, held=0) -> Pool:
    return Pool(capacity, taken, waiting, last, offers_waitlist=offers, held=held)


def test_a_free_place_is_taken():
    assert decide(pool(20, 19)) == Decision(Outcome.PLACE)
    assert decide(pool(None, 10_000)) == Decision(Outcome.PLACE)  # no limit


def test_a_full_pool_with_a_waiting_list_gives_the_next_ticket_and_rank():
    decision = decide(pool(20, 20, waiting=3, last=7))
    assert decision == Decision(Outcome.WAITLIST, position=8, rank=4)


def test_a_full_pool_without_a_waiting_list_refuses():
    assert decide(pool(20, 20, offers=False)).outcome is Outcome.REFUSED
    assert decide(pool(0, 0, offers=False)).outcome is Outcome.REFUSED


def test_an_override_takes_a_place_beyond_capacity_and_says_so():
    assert decide(pool(20, 20, offers=False), override=True) == Decision(Outcome.PLACE, over_capacity=True)
    assert decide(pool(20, 5), override=True) == Decision(Outcome.PLACE)  # not beyond: nothing to audit


def test_an_organiser_can_put_someone_on_the_waiting_list_with_places_free():
    assert decide(pool(20, 5, waiting=0, last=0), waitlist=True) == Decision(Outcome.WAITLIST, position=1, rank=1)


def test_over_full_pools_stay_full():
    # An organiser's overrides can leave more people than places: nobody else gets one.
    assert decide(pool(20, 23)).outcome is Outcome.WAITLIST
    assert pool(20, 23).free == 0


def test_held_places_count_as_taken_except_for_those_they_are_held_for():
    # The extension point for reserved places (communications' invitation lists): 18 taken and 2 held.
    reserved = pool(20, 18, held=2)
    assert reserved.free == 0
    assert decide(reserved).outcome is Outcome.WAITLIST
    assert decide(reserved, entitled_to_held=True).outcome is Outcome.PLACE
