"""Meeting occurrences across time zones and daylight-saving changes."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from domain.recurrence import Schedule, next_occurrences, occurrences, place


def wall(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A naive local wall time, as meetings store them."""
    return dt.datetime.combine(dt.date(year, month, day), dt.time(hour, minute))


@pytest.mark.parametrize(
    ("zone", "first", "expected_utc_hours"),
    [
        # New York leaves daylight time on 2026-11-01: 10:00 EDT is 14:00Z, EST is 15:00Z.
        ("America/New_York", wall(2026, 10, 20, 10, 0), [14, 14, 15, 15]),
        # London: BST ends 2026-10-25.
        ("Europe/London", wall(2026, 10, 13, 10, 0), [9, 9, 10, 10]),
        # Ulaanbaatar has no daylight saving: always UTC+8.
        ("Asia/Ulaanbaatar", wall(2026, 10, 20, 10, 0), [2, 2, 2, 2]),
    ],
)
def test_a_weekly_meeting_keeps_its_local_time_across_dst(
    zone: str, first: dt.datetime, expected_utc_hours: list[int]
) -> None:
    schedule = Schedule(first_start_local=first, rrule="FREQ=WEEKLY", timezone=zone)
    starts = next_occurrences(
        schedule, now=first.replace(tzinfo=dt.UTC) - dt.timedelta(days=1), count=4
    )
    assert [s.astimezone(zoneinfo.ZoneInfo(zone)).hour for s in starts] == [10] * 4
    assert [s.astimezone(dt.UTC).hour for s in starts] == expected_utc_hours


def test_lord_howe_half_hour_shift_and_the_gap() -> None:
    tz = zoneinfo.ZoneInfo("Australia/Lord_Howe")
    # 2026-10-04 02:00 local jumps to 02:30: 02:15 does not exist and moves forward.
    moved = place(wall(2026, 10, 4, 2, 15), tz)
    assert moved.astimezone(tz).replace(tzinfo=None) == wall(2026, 10, 4, 2, 45)
    schedule = Schedule(
        first_start_local=wall(2026, 10, 1, 9, 0),
        rrule="FREQ=DAILY",
        timezone="Australia/Lord_Howe",
    )
    starts = occurrences(
        schedule,
        after=dt.datetime(2026, 10, 1, tzinfo=tz),
        until=dt.datetime(2026, 10, 6, tzinfo=tz),
    )
    assert [s.astimezone(tz).hour for s in starts] == [9] * 5
    offsets = {s.utcoffset() for s in starts}
    assert offsets == {dt.timedelta(hours=10, minutes=30), dt.timedelta(hours=11)}


def test_skipped_dates_and_one_offs() -> None:
    tz = "Asia/Ulaanbaatar"
    monthly = Schedule(
        first_start_local=wall(2026, 1, 1, 10, 0),
        rrule="FREQ=MONTHLY;BYDAY=2TU",
        timezone=tz,
        skipped_dates=frozenset({dt.date(2026, 12, 8)}),
    )
    now = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
    starts = next_occurrences(monthly, now=now, count=2)
    assert [s.date() for s in starts] == [dt.date(2027, 1, 12), dt.date(2027, 2, 9)]
    once = Schedule(first_start_local=wall(2026, 12, 1, 15, 0), rrule=None, timezone=tz)
    assert len(next_occurrences(once, now=now, count=5)) == 1
    assert next_occurrences(once, now=dt.datetime(2026, 12, 2, tzinfo=dt.UTC), count=5) == []


def test_naive_bounds_are_refused() -> None:
    schedule = Schedule(first_start_local=wall(2026, 1, 1, 10, 0), rrule=None, timezone="UTC")
    with pytest.raises(ValueError, match="aware"):
        occurrences(schedule, after=wall(2026, 1, 1), until=wall(2026, 2, 1))


def test_a_utc_until_ends_the_rule_at_that_instant() -> None:
    # RFC 5545 writes UNTIL in UTC: 2026-12-15T02:00Z is 10:00 in Ulaanbaatar.
    schedule = Schedule(
        first_start_local=wall(2026, 12, 1, 10, 0),
        rrule="FREQ=WEEKLY;UNTIL=20261215T020000Z",
        timezone="Asia/Ulaanbaatar",
    )
    starts = next_occurrences(schedule, now=dt.datetime(2026, 11, 30, tzinfo=dt.UTC), count=9)
    assert [s.date() for s in starts] == [
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 8),
        dt.date(2026, 12, 15),
    ]
