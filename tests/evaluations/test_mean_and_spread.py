"""The results' mean and spread in floats give what ``statistics`` gives in exact fractions."""

from __future__ import annotations

import random
import statistics

import pytest

from congress.evaluations.queries import mean_and_spread


@pytest.mark.parametrize("numbers", [[4], [1, 5], [3, 3, 3], [0, 10, 7, 7, 8, 9, 2],
                                     random.Random(3).choices(range(1, 6), k=4000)])
def test_the_same_as_the_statistics_module(numbers):
    mean, spread = mean_and_spread(numbers)
    assert mean == pytest.approx(statistics.fmean(numbers), abs=1e-12)
    assert spread == pytest.approx(statistics.pstdev(numbers), abs=1e-9)
