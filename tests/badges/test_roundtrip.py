"""The acceptance round trip: render → pixels → zxing → verify with the public key → check in."""

from __future__ import annotations

import base64
import io

import pypdfium2
import pytest
import zxingcpp

from congress.badges import services as badges
from congress.badges import tokens
from congress.badges.layouts import LAYOUTS
from congress.checkin import services as checkin
from congress.checkin.services import Result, Scan
from tests.checkin.factories import checkin_edition


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_printed_badges_check_in(app, layout):
    congress, _, people, _ = checkin_edition(f"rt-{layout}", people=LAYOUTS[layout].per_page + 1)
    pdf = badges.render_registrations(badges.select_registrations(congress), layout, processes=1)
    found = []
    for page in pypdfium2.PdfDocument(io.BytesIO(pdf)):
        found += [r.text for r in zxingcpp.read_barcodes(page.render(scale=100 / 72).to_pil())]
    assert len(found) == len(people)
    public_key = base64.b64decode(checkin.bundle(congress)["public_key"])  # what a station has offline
    for code in found:
        assert tokens.verify(code, public_key).congress_id == congress.id
        assert checkin.scan(Scan(code=code, congress=congress))["result"] == Result.OK
        assert checkin.scan(Scan(code=code, congress=congress))["result"] == Result.ALREADY
