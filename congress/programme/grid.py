"""The day grid: rows of 15 minutes × one column per room (public grid and schedule editor)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta

from congress.core.models import Congress, Room
from congress.programme.models import ProgrammeSession
from congress.programme.reading import local_datetime, local_day, zone


@dataclasses.dataclass
class GridCell:
    rowspan: int
    sessions: list[ProgrammeSession]


@dataclasses.dataclass
class GridRow:
    starts_at: datetime
    cells: list[GridCell | None]  # None: covered by a cell above (rowspan)


SLOT = timedelta(minutes=15)


def day_grid(congress: Congress, day: date, sessions: list[ProgrammeSession], rooms: list[Room],
             *, min_hours: tuple[int, int] = (9, 17)) -> list[GridRow]:
    """Rows of 15 minutes × one column per room; a session occupies one cell with a rowspan.

    Sessions that overlap in one room share the first one's cell (the editor marks the conflict).
    """
    tz = zone(congress)
    todays = [s for s in sessions if local_day(s, congress) == day and s.ends_at is not None]
    start = local_datetime(congress, day, time(min_hours[0]))
    end = local_datetime(congress, day, time(min_hours[1]))
    for s in todays:
        start = min(start, s.starts_at)
        end = max(end, s.ends_at)
    # Align to the slot in local time.
    local_start = start.astimezone(tz)
    start = start - timedelta(minutes=local_start.minute % 15, seconds=local_start.second)
    slots = []
    t = start
    while t < end:
        slots.append(t)
        t += SLOT
    room_index = {room.id: i for i, room in enumerate(rooms)}
    grid: list[list[GridCell | None | bool]] = [[False] * len(rooms) for _ in slots]
    by_room: dict[int, list[ProgrammeSession]] = {}
    for s in todays:
        if s.room_id in room_index:
            by_room.setdefault(s.room_id, []).append(s)
    for room_id, items in by_room.items():
        col = room_index[room_id]
        items.sort(key=lambda s: s.starts_at)
        current: GridCell | None = None
        current_end: datetime | None = None
        current_row = 0
        for s in items:
            row = max(int((s.starts_at - start) / SLOT), 0)
            if current is not None and current_end is not None and s.starts_at < current_end:
                current.sessions.append(s)
                if s.ends_at > current_end:
                    current_end = s.ends_at
                    current.rowspan = max(1, -(-int((current_end - slots[current_row]).total_seconds()) // 900))
                continue
            span = max(1, -(-int((s.ends_at - slots[row]).total_seconds()) // 900))
            current = GridCell(rowspan=span, sessions=[s])
            current_end, current_row = s.ends_at, row
            grid[row][col] = current
        for r, cells in enumerate(grid):
            cell = cells[col]
            if isinstance(cell, GridCell):
                for covered in range(r + 1, min(r + cell.rowspan, len(slots))):
                    grid[covered][col] = None
    rows = []
    for r, slot in enumerate(slots):
        rows.append(GridRow(starts_at=slot, cells=[
            (GridCell(rowspan=1, sessions=[]) if cell is False else cell) for cell in grid[r]
        ]))
    return rows
