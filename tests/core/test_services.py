from datetime import date

import pytest

from congress.core import services
from congress.core.models import CongressStatus
from tests.factories import make_congress


def test_current_congress_prefers_the_next_published_edition(app):
    make_congress("old", day=date(2020, 1, 1))
    upcoming = make_congress("next", day=date(2099, 1, 1))
    make_congress("draft", day=date(2098, 1, 1), status=CongressStatus.DRAFT.value)
    assert services.current_congress(today=date(2030, 1, 1)) == upcoming


def test_current_congress_falls_back_to_latest_public(app):
    make_congress("a", day=date(2020, 1, 1))
    latest = make_congress("b", day=date(2021, 1, 1), status=CongressStatus.ARCHIVED.value)
    assert services.current_congress(today=date(2030, 1, 1)) == latest


@pytest.mark.parametrize("slug", ["manage", "api", "Bad Slug", "", "-x", "a" * 70])
def test_reserved_or_malformed_slugs_are_refused(app, slug):
    with pytest.raises(ValueError):
        services.create_congress(slug, title_nl="x", title_en="x", starts_on=date(2025, 1, 1), ends_on=date(2025, 1, 1))


def test_end_before_start_refused(app):
    with pytest.raises(ValueError):
        services.create_congress("x", title_nl="x", title_en="x", starts_on=date(2025, 2, 2), ends_on=date(2025, 1, 1))
