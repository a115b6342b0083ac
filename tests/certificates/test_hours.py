"""The hours and points rules as plain functions: no database, no HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from congress.certificates.hours import (
    Presence,
    Slot,
    attendance,
    attended,
    day_points,
    round_down,
    total_points,
    total_time,
    union,
)

ZONE = ZoneInfo("Europe/Amsterdam")


def at(hhmm: str, day: int = 14) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(2024, 11, day, hours, minutes, tzinfo=ZONE).astimezone(UTC)


MORNING = Slot(1, at("10:00"), at("11:30"), has_station=True)  # 90 minutes, scanned at its door
AFTERNOON = Slot(2, at("13:00"), at("14:00"), has_station=True)  # 60 minutes
PLENARY = Slot(3, at("09:00"), at("10:00"), has_station=False)  # no station: the entrance counts
NEXT_DAY = Slot(4, at("09:00", 15), at("10:00", 15), has_station=False)
LATE = at("23:00")


def minutes(line) -> int:
    return int(line.duration.total_seconds() // 60)


def test_from_the_later_of_check_in_and_start_to_the_earlier_of_check_out_and_end():
    assert minutes(attended(MORNING, Presence(at("09:50"), at("11:45")), None, ZONE)) == 90  # early, late
    assert minutes(attended(MORNING, Presence(at("10:20"), at("11:00")), None, ZONE)) == 40  # late, left early
    line = attended(MORNING, Presence(at("10:20"), at("11:00")), None, ZONE)
    assert (line.since, line.until) == (at("10:20"), at("11:00"))


def test_without_a_check_out_attendance_lasts_to_the_end():
    assert minutes(attended(MORNING, Presence(at("10:30")), None, ZONE)) == 60


def test_nothing_counts_outside_the_session():
    assert attended(MORNING, Presence(at("11:40")), None, ZONE) is None  # came after the end
    assert attended(MORNING, Presence(at("09:00"), at("09:55")), None, ZONE) is None  # left before the start
    assert attended(MORNING, Presence(at("10:10"), at("10:10")), None, ZONE) is None


def test_a_session_with_a_station_needs_its_own_scan():
    assert attended(MORNING, None, Presence(at("08:30")), ZONE) is None


def test_a_session_without_a_station_counts_from_the_entrance():
    assert minutes(attended(PLENARY, None, Presence(at("08:30")), ZONE)) == 60
    assert minutes(attended(PLENARY, None, Presence(at("09:15")), ZONE)) == 45  # arrived late
    assert minutes(attended(PLENARY, None, Presence(at("08:30"), at("09:30")), ZONE)) == 30  # left the building
    assert attended(PLENARY, None, None, ZONE) is None  # never at the entrance


def test_the_entrance_counts_on_later_days_and_its_check_out_only_on_its_own_day():
    door = Presence(at("08:30"), at("17:00"))  # checked out on the first day
    assert minutes(attended(NEXT_DAY, None, door, ZONE)) == 60  # came back on the second: no scan of its own
    assert attended(PLENARY, None, Presence(at("08:30", 15)), ZONE) is None  # first scan on the day after


def test_attendance_takes_ended_sessions_in_programme_order():
    rooms = {1: Presence(at("10:05")), 2: Presence(at("12:55"), at("13:30"))}
    lines = attendance([AFTERNOON, MORNING, PLENARY], rooms, Presence(at("08:50")), ZONE, LATE)
    assert [(line.slot.session_id, minutes(line)) for line in lines] == [(3, 60), (1, 85), (2, 30)]
    during = attendance([AFTERNOON, MORNING, PLENARY], rooms, Presence(at("08:50")), ZONE, at("12:00"))
    assert [line.slot.session_id for line in during] == [3, 1]  # the afternoon has not ended


def test_overlapping_scans_count_once_in_the_total():
    rooms = {1: Presence(at("10:00")), 5: Presence(at("10:00"))}
    parallel = Slot(5, at("10:00"), at("11:30"), has_station=True)
    lines = attendance([MORNING, parallel], rooms, None, ZONE, LATE)
    assert total_time(lines) == timedelta(minutes=90)
    assert union([(at("10:00"), at("11:00")), (at("10:30"), at("12:00")), (at("13:00"), at("13:10"))]) \
        == timedelta(minutes=130)


@pytest.mark.parametrize(("value", "unit", "expected"), [
    ("3.99", "1", "3"), ("3.99", "0.5", "3.5"), ("0.49", "0.5", "0"), ("4", "1", "4"), ("2.74", "0.25", "2.5"),
    ("1.05", "0.1", "1"),
])
def test_points_are_rounded_down_to_the_unit(value, unit, expected):
    assert round_down(Decimal(value), Decimal(unit)) == Decimal(expected)


def test_round_down_refuses_a_unit_of_zero():
    with pytest.raises(ValueError):
        round_down(Decimal(1), Decimal(0))


def test_points_per_session_count_their_share():
    rooms = {1: Presence(at("10:00")), 2: Presence(at("13:30"))}  # all of the morning, half the afternoon
    lines = attendance([MORNING, AFTERNOON], rooms, None, ZONE, LATE)
    by_day = day_points(lines, [MORNING, AFTERNOON], per_day=False, points=Decimal(2), unit=Decimal("0.5"),
                        zone=ZONE)
    assert total_points(by_day) == Decimal(3)  # 2 + 1
    whole = day_points(lines, [MORNING, AFTERNOON], per_day=False, points=Decimal(3), unit=Decimal(1), zone=ZONE)
    assert total_points(whole) == Decimal(4)  # 3 + 1.5, rounded down


def test_points_per_day_count_the_share_of_the_days_programme():
    programme = [PLENARY, MORNING, AFTERNOON]  # 09:00-11:30 and 13:00-14:00: 210 minutes
    rooms = {1: Presence(at("10:00"))}
    lines = attendance(programme, rooms, Presence(at("08:45")), ZONE, LATE)  # plenary and morning: 150 min
    by_day = day_points(lines, programme, per_day=True, points=Decimal(4), unit=Decimal(1), zone=ZONE)
    assert by_day == {at("09:00").astimezone(ZONE).date(): Decimal(2)}  # 4 × 150/210 = 2.86 → 2
    halves = day_points(lines, programme, per_day=True, points=Decimal(4), unit=Decimal("0.5"), zone=ZONE)
    assert total_points(halves) == Decimal("2.5")
    everything = attendance(programme, {1: Presence(at("10:00")), 2: Presence(at("13:00"))},
                            Presence(at("08:45")), ZONE, LATE)
    assert total_points(day_points(everything, programme, per_day=True, points=Decimal(4), unit=Decimal(1),
                                   zone=ZONE)) == Decimal(4)


def test_no_attendance_no_points():
    assert total_points(day_points([], [MORNING], per_day=True, points=Decimal(4), unit=Decimal(1), zone=ZONE)) == 0


def test_the_entrance_stands_in_only_for_the_persons_own_sessions():
    workshop_1 = Slot(6, at("10:00"), at("11:00"), has_station=False, everyone=False)
    workshop_2 = Slot(7, at("10:00"), at("11:00"), has_station=False, everyone=False)
    door = Presence(at("08:30"))
    lines = attendance([workshop_1, workshop_2, PLENARY], {}, door, ZONE, LATE, enrolled=[7])
    assert [line.slot.session_id for line in lines] == [3, 7]  # not the parallel workshop they did not choose


def test_a_scan_elsewhere_wins_over_the_entrance():
    stationless = Slot(8, at("10:00"), at("11:30"), has_station=False)  # open to all, no station
    lines = attendance([MORNING, stationless], {1: Presence(at("10:00"))}, Presence(at("08:30")), ZONE, LATE)
    assert [line.slot.session_id for line in lines] == [1]  # they were scanned into the morning workshop
