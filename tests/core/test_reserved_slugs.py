"""Edition slugs may not take the application's own first path segments, public or under /manage/
(where an edition's back office lives at /manage/<slug>/): derived from the url_map, so adding a
section without reserving it fails here."""

from __future__ import annotations

from congress.core.services import RESERVED_SLUGS, SLUG_PATTERN, valid_slug


def _static(segment: str) -> bool:
    return bool(segment) and "<" not in segment


def test_every_first_segment_and_every_manage_section_is_reserved(app):
    public, manage = set(), set()
    for rule in app.url_map.iter_rules():
        parts = rule.rule.split("/")
        if _static(parts[1]):
            public.add(parts[1])
        if parts[1] == "manage" and len(parts) > 2 and _static(parts[2]):
            manage.add(parts[2])
    # Segments that cannot be slugs anyway (dots, capitals) need no reservation.
    missing = {s for s in public | manage if SLUG_PATTERN.match(s) and s not in RESERVED_SLUGS}
    assert not missing, f"reserve these in core.services.RESERVED_SLUGS: {sorted(missing)}"
    assert {"editions", "registrations", "programme", "users", "audit", "tokens"} <= manage
    assert not any(valid_slug(s) for s in public | manage)


def test_existing_section_urls_keep_working_next_to_edition_urls(app, organiser):
    client = app.test_client(user=organiser)
    assert client.get("/manage/users").status_code == 200
    assert client.get("/manage/editions/new").status_code == 200
    assert client.get("/manage/registrations/onbekend/").status_code == 404
    assert client.get("/manage/onbekend/settings").status_code == 404
