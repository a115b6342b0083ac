"""Rules that live on core's models."""

from __future__ import annotations

import pytest

from congress.core.models import Congress


@pytest.mark.parametrize(("address", "city"), [
    ("Jaarbeursplein 6, 3521 AL Utrecht", "Utrecht"),
    ("Churchillplein 10, 2517JW  Den Haag", "Den Haag"),
    ("Stadhuis, Amsterdam", "Amsterdam"),
    ("Coolsingel 40, 3011 AD", ""),
    ("Ergens", ""),
    ("", ""),
])
def test_the_venues_city_is_read_from_its_address(address, city):
    assert Congress(venue_address=address).venue_city == city
