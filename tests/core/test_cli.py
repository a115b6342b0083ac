"""``flask congress edition create|list|status`` through Flask's CLI runner."""

from __future__ import annotations

from datetime import date

from congress.core.queries import congress_by_slug
from tests.factories import make_congress


def test_create_list_and_move_an_edition(runner):
    made = runner.invoke(args=["congress", "edition", "create", "congres-2027", "--title-nl", "Congres 2027",
                               "--start", "2027-03-11", "--venue", "Jaarbeurs Utrecht"])
    assert made.exit_code == 0, made.output
    assert "congres-2027 created" in made.output
    congress = congress_by_slug("congres-2027")
    assert congress.title_en == "Congres 2027" and congress.ends_on == date(2027, 3, 11)
    assert congress.status == "draft" and congress.timezone == "Europe/Amsterdam"
    listed = runner.invoke(args=["congress", "edition", "list"])
    assert "congres-2027\tdraft\t2027-03-11\tCongres 2027" in listed.output
    for status in ("published", "closed", "archived"):
        moved = runner.invoke(args=["congress", "edition", "status", "congres-2027", status])
        assert moved.exit_code == 0, moved.output
    assert congress_by_slug("congres-2027").status == "archived"


def test_errors_are_click_errors_not_tracebacks(runner, app):
    make_congress("bestaand", status="draft")
    cases = [
        (["create", "manage", "--title-nl", "x", "--start", "2027-01-01"], "slug"),
        (["create", "bestaand", "--title-nl", "x", "--start", "2027-01-01"], "slug"),
        (["create", "nieuw", "--title-nl", "x", "--start", "2027-02-02", "--end", "2027-01-01"], "ends_on"),
        (["create", "nieuw", "--title-nl", "x", "--start", "2027-02-02", "--timezone", "Nergens/Nooit"], "timezone"),
        (["status", "bestaand", "archived"], "status"),
        (["status", "onbekend", "published"], "no edition"),
    ]
    for args, words in cases:
        result = runner.invoke(args=["congress", "edition", *args])
        assert result.exit_code == 1, (args, result.output)
        assert "Error:" in result.output and words in result.output
        assert isinstance(result.exception, SystemExit)  # a click error, not an exception
    bad_date = runner.invoke(args=["congress", "edition", "create", "x", "--title-nl", "x", "--start", "morgen"])
    assert bad_date.exit_code == 2 and "Invalid value" in bad_date.output
