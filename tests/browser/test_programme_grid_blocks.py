"""The public time grid: a session's block fills the rows of its time, so that a 90-minute workshop
looks three times as long as a 30-minute talk, at phone and desktop widths."""

from __future__ import annotations

import pytest

from congress.extensions import db
from tests.factories import make_congress, make_session
from tests.programme.factories import publish

MEASURE = """(title) => {
  const link = [...document.querySelectorAll('.programme-grid .grid-session a')]
    .find((a) => a.textContent.trim() === title);
  const block = link.closest('.grid-session');
  const cell = block.closest('td');
  const rows = [...document.querySelectorAll('.programme-grid tbody tr')];
  const first = rows.indexOf(cell.parentElement);
  const spanned = rows.slice(first, first + cell.rowSpan);
  const rowsHeight = spanned.reduce((sum, row) => sum + row.getBoundingClientRect().height, 0);
  return {block: block.getBoundingClientRect().height, rows: rowsHeight, rowspan: cell.rowSpan};
}"""


@pytest.mark.parametrize("width", [1280, 375])
def test_a_grid_block_fills_its_time(browser, live_server, app, width):
    congress = make_congress(f"rooster-{width}")
    make_session(congress, title="Lange workshop", start="10:00", end="11:30", room_index=0)
    make_session(congress, title="Korte lezing", start="10:00", end="10:30", room_index=1)
    db.session.commit()
    publish(congress)
    context = browser.new_context(locale="nl-NL", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/{congress.slug}/programme?view=grid")
    long = page.evaluate(MEASURE, "Lange workshop")
    short = page.evaluate(MEASURE, "Korte lezing")
    assert long["rowspan"] == 3 * short["rowspan"]
    # The block fills the rows of its time (less the cell's padding and borders).
    assert long["block"] >= long["rows"] - 12, long
    assert short["block"] >= short["rows"] - 12, short
    assert long["block"] >= 2.5 * short["block"], (long, short)
    context.close()
