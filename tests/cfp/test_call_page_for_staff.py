"""The public call page and the call's settings page, seen by organisers."""

from __future__ import annotations

from tests.cfp.factories import make_speaker, open_call
from tests.factories import make_congress, make_user


def test_a_logged_in_organiser_is_told_why_instead_of_linked_to_a_403(app, congress, organiser):
    open_call(congress)
    client = app.test_client(user=organiser)
    page = client.get(f"/{congress.slug}/cfp?lang=nl").get_data(as_text=True)
    assert f"/{congress.slug}/cfp/new" not in page
    assert "medewerkersaccount" in page and organiser.email in page
    assert client.get(f"/{congress.slug}/cfp/new").status_code == 403  # the rule itself stands


def test_speakers_and_visitors_still_get_the_button(app, congress):
    open_call(congress)
    anonymous = app.test_client().get(f"/{congress.slug}/cfp").get_data(as_text=True)
    assert f"/{congress.slug}/cfp/new" in anonymous and "/speaker/signup" in anonymous
    speaker = app.test_client(user=make_speaker(email="spreker@example.org"))
    page = speaker.get(f"/{congress.slug}/cfp").get_data(as_text=True)
    assert f"/{congress.slug}/cfp/new" in page and "medewerkersaccount" not in page


def test_the_settings_page_links_to_the_public_call_only_when_it_exists(app, organiser):
    # A draft edition (not public) has no public call page: the settings page said "public page" and
    # linked to a 404.
    draft = make_congress("congres-2024", status="draft")
    client = app.test_client(user=organiser)
    page = client.get(f"/manage/cfp/{draft.slug}/settings?lang=nl").get_data(as_text=True)
    assert f'href="/{draft.slug}/cfp"' not in page
    assert "geen openbare pagina" in page
    # The link it used to show: not found for the public (staff see a draft's pages as a preview).
    assert app.test_client().get(f"/{draft.slug}/cfp").status_code == 404
    public = make_congress("congres-open")
    open_call(public)
    page = client.get(f"/manage/cfp/{public.slug}/settings").get_data(as_text=True)
    assert f'href="/{public.slug}/cfp"' in page
    assert app.test_client().get(f"/{public.slug}/cfp").status_code == 200


def test_reviewers_are_told_too(app, congress):
    open_call(congress)
    reviewer = make_user("reviewer", email="lezer@example.org")
    page = app.test_client(user=reviewer).get(f"/{congress.slug}/cfp?lang=nl").get_data(as_text=True)
    assert "medewerkersaccount" in page and f"/manage/cfp/{congress.slug}/proposals" in page
