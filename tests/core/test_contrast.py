"""WCAG 2.1 relative luminance and contrast ratio (congress.core.contrast), against known values."""

from __future__ import annotations

import pytest

from congress.core.contrast import contrast_ratio, parse_hex, readable_with_white, relative_luminance


def test_luminance_of_black_white_and_the_primaries():
    assert relative_luminance("#000000") == 0.0
    assert relative_luminance("#FFFFFF") == pytest.approx(1.0)
    assert relative_luminance("#ff0000") == pytest.approx(0.2126)
    assert relative_luminance("#00ff00") == pytest.approx(0.7152)
    assert relative_luminance("#0000ff") == pytest.approx(0.0722)
    # The linear part of the sRGB curve (channel at or below 0.04045): 10 / 255 / 12.92.
    assert relative_luminance("#0a0a0a") == pytest.approx(10 / 255 / 12.92)


@pytest.mark.parametrize(("colour", "ratio"), [
    ("#000000", 21.0),
    ("#ffffff", 1.0),
    ("#767676", 4.54),  # the lightest grey that passes on white
    ("#777777", 4.48),  # one step lighter fails
    ("#154273", 10.2),  # the house colour
    ("#00695c", 6.61),  # the demo's accent
])
def test_contrast_against_white(colour, ratio):
    assert contrast_ratio(colour, "#ffffff") == pytest.approx(ratio, abs=0.01)
    assert contrast_ratio("#ffffff", colour) == contrast_ratio(colour, "#ffffff")  # order does not matter


def test_readable_with_white_is_the_aa_threshold():
    assert readable_with_white("#767676") and not readable_with_white("#777777")
    assert not readable_with_white("#ffcc00")


@pytest.mark.parametrize("bad", ["154273", "#15427", "#1542733", "#gggggg", "", "#15 273", None, 0x154273,
                                 "#\uff11\uff15\uff14\uff12\uff17\uff13"])
def test_anything_but_hash_and_six_hex_digits_is_refused(bad):
    with pytest.raises(ValueError):
        parse_hex(bad)
