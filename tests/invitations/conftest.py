from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask_babel import force_locale


@pytest.fixture
def english(app) -> Iterator[None]:
    """The services' messages in English (Dutch is the default outside a request)."""
    with force_locale("en"):
        yield
