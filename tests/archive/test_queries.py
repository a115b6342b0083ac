"""The archive's read face (archive.queries): what open data and other capabilities read."""

from __future__ import annotations

from datetime import date, timedelta

from congress.archive import queries, search, services
from congress.archive.models import ItemStatus
from congress.database import utcnow
from congress.extensions import db
from tests.archive.factories import make_item
from tests.factories import make_congress, make_session


def test_published_items_page_by_id_and_leave_out_drafts(app):
    first = make_item("Eerste")
    make_item("Concept", status=ItemStatus.DRAFT.value)
    gone = make_item("Ingetrokken", status=ItemStatus.WITHDRAWN.value)
    second = make_item("Tweede")
    assert [i.key for i in queries.published_items()] == [first.key, second.key]
    assert [i.key for i in queries.published_items(after_id=first.id)] == [second.key]
    assert [i.key for i in queries.published_items(limit=1)] == [first.key]
    assert queries.published_items(since=utcnow() + timedelta(days=1)) == []
    assert [i.key for i in queries.withdrawn_items()] == [gone.key]
    assert queries.withdrawn_items(since=utcnow() + timedelta(days=1)) == []


def test_published_item_only_when_published(app):
    published = make_item("Zichtbaar")
    draft = make_item("Nog niet", status=ItemStatus.DRAFT.value)
    assert queries.published_item(published.key) is published
    assert queries.published_item(draft.key) is None
    assert queries.published_item("bestaat-niet") is None
    assert queries.item_by_key(draft.key) is draft


def test_archived_sessions_name_their_items(app):
    congress = make_congress(day=date.today() - timedelta(days=1))
    archived = make_session(congress, title="Gearchiveerd")
    other = make_session(congress, title="Niet gearchiveerd", start="13:00", end="14:00")
    outcome = services.archive_sessions(congress, [archived.id], invite=False)
    db.session.commit()
    item = outcome.items[0]
    assert queries.archived_sessions([archived.id, other.id]) == {archived.id: item.key}
    assert queries.archived_sessions([]) == {}
    assert queries.item_for_session(archived.id) is item
    assert queries.item_for_session(other.id) is None


def test_the_search_is_the_same_through_the_read_face(app):
    make_item("Weerbaarheid online", summary="Jongeren en desinformatie")
    assert queries.search is search.search
    result = queries.search("desinformatie", queries.SearchFilters())
    assert [h.item.title for h in result.hits] == ["Weerbaarheid online"]
