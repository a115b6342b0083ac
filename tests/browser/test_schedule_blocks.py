"""Schedule-editor blocks fill their duration: a 90-minute session is as tall as 90 minutes of the grid,
at desktop and phone widths."""

from __future__ import annotations

from pathlib import Path

import pytest

from congress.extensions import db
from tests.browser.conftest import axe_violations
from tests.factories import PASSWORD, make_congress, make_session, make_user

SHOTS = Path(__file__).resolve().parents[2] / "instance" / "screenshots"

MEASURE = """(id) => {
  const block = document.querySelector(`.schedule-editor [data-session='${id}']`);
  const cell = block.closest('td');
  const rows = [...document.querySelectorAll('.schedule-editor tbody tr')];
  const first = rows.indexOf(cell.parentElement);
  const spanned = rows.slice(first, first + cell.rowSpan);
  const rowsHeight = spanned.reduce((sum, row) => sum + row.getBoundingClientRect().height, 0);
  return {block: block.getBoundingClientRect().height, rows: rowsHeight, rowspan: cell.rowSpan};
}"""


@pytest.mark.parametrize("width", [1280, 375])
def test_a_block_is_as_tall_as_its_duration(browser, live_server, app, width):
    congress = make_congress(f"blokken-{width}")
    long = make_session(congress, title="Lange workshop", start="10:00", end="11:30", room_index=0)
    short = make_session(congress, title="Korte lezing", start="10:00", end="10:30", room_index=1)
    organiser = make_user("organiser", email=f"blokken-{width}@example.org")
    db.session.commit()
    context = browser.new_context(locale="nl-NL", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#email", organiser.email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/manage/**")
    page.goto(f"{live_server}/manage/programme/{congress.slug}/schedule")
    long_block = page.evaluate(MEASURE, long.id)
    short_block = page.evaluate(MEASURE, short.id)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"schedule-blocks-{width}.png"), full_page=True)
    # The block fills the rows of its duration (less the cell's padding), and 90 minutes are three times 30.
    assert long_block["rowspan"] == 3 * short_block["rowspan"]
    assert long_block["block"] >= long_block["rows"] - 12
    assert short_block["block"] >= short_block["rows"] - 12
    assert long_block["block"] >= 2.5 * short_block["block"]
    assert axe_violations(page) == []
    context.close()
