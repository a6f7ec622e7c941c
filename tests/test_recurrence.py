"""Meeting occurrences across time zones and daylight-saving changes."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import zoneinfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import example, given, settings
from hypothesis import strategies as st

from domain.recurrence import (
    Schedule,
    _shift,
    first_wall_within,
    next_occurrences,
    occurrences,
    place,
    until_wall,
    walls,
)


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


def test_a_one_off_years_ahead_is_still_to_come() -> None:
    # Rules are looked at ten years ahead; a one-off is one date, however far.
    now = dt.datetime(2025, 3, 17, tzinfo=dt.UTC)
    tz = "Asia/Ulaanbaatar"
    far = Schedule(first_start_local=wall(2090, 6, 1, 10, 0), rrule=None, timezone=tz)
    assert next_occurrences(far, now=now, count=3) == [
        dt.datetime(2090, 6, 1, 10, 0, tzinfo=zoneinfo.ZoneInfo(tz))
    ]
    skipped = dataclasses.replace(far, skipped_dates=frozenset({dt.date(2090, 6, 1)}))
    assert next_occurrences(skipped, now=now, count=3) == []


@pytest.mark.parametrize("zone", ["Asia/Ulaanbaatar", "Pacific/Kiritimati", "America/Los_Angeles"])
def test_stored_rows_at_the_ends_of_the_calendar_do_not_overflow(zone: str) -> None:
    # Rows stored before dates were bounded: UNTIL 9999-12-31Z is year 10000 east of UTC.
    tz = zoneinfo.ZoneInfo(zone)
    now = dt.datetime(2025, 3, 17, tzinfo=dt.UTC)
    assert until_wall("99991231T235959Z", tz).year == 9999
    assert until_wall("00010101T000000Z", tz).year == 1
    for rule in ("FREQ=DAILY;UNTIL=99991231T235959Z", "FREQ=DAILY;UNTIL=99991231T235959"):
        schedule = Schedule(first_start_local=wall(2025, 3, 17, 10, 0), rrule=rule, timezone=zone)
        assert len(next_occurrences(schedule, now=now, count=3)) == 3
        assert first_wall_within(rule, wall(2025, 3, 17, 10, 0), tz) == wall(2025, 3, 17, 10, 0)
    for day in (dt.date(1, 1, 1), dt.date(9999, 12, 31)):
        once = Schedule(dt.datetime.combine(day, dt.time(0, 0)), rrule=None, timezone=zone)
        assert next_occurrences(once, now=now, count=3) == []


def test_a_stored_rule_that_never_happens_from_its_start_has_no_dates() -> None:
    # Stored before first_start checked it: every 7th day from a Monday, on Saturdays.
    # Its walk ends near the start, not at year 9999 (dateutil's only end).
    schedule = Schedule(
        first_start_local=wall(2025, 3, 17, 10, 0),
        rrule="FREQ=DAILY;INTERVAL=7;BYDAY=SA",
        timezone="Asia/Ulaanbaatar",
    )
    now = dt.datetime(2025, 3, 17, tzinfo=dt.UTC)
    assert next_occurrences(schedule, now=now, count=3) == []
    assert first_wall_within(schedule.rrule or "", wall(2025, 3, 17), dt.UTC) is None
    saturday = dataclasses.replace(schedule, first_start_local=wall(2025, 3, 22, 10, 0))
    starts = next_occurrences(saturday, now=now, count=3)
    assert [s.date() for s in starts] == [
        dt.date(2025, 3, 22),
        dt.date(2025, 3, 29),
        dt.date(2025, 4, 5),
    ]


@pytest.mark.parametrize(
    ("first", "last"), [(1969, 1975), (1970, 2036), (2023, 2036), (2094, 2102), (1999, 2101)]
)
def test_a_walk_runs_on_an_identical_calendar_near_the_end(first: int, last: int) -> None:
    years = _shift(first, last)
    assert last + years <= dt.MAXYEAR
    for year in range(first, last + 1):
        assert calendar.isleap(year) == calendar.isleap(year + years)
        assert dt.date(year, 1, 1).weekday() == dt.date(year + years, 1, 1).weekday()
    if last < 2100:  # no century year in between: the 28-year cycle ends it near 9999
        assert last + years > dt.MAXYEAR - 28


_DENSE_RULES = st.builds(
    lambda freq, interval, byday, bymonthday, bymonth, setpos, count: ";".join(
        [f"FREQ={freq}", f"INTERVAL={interval}"]
        + ([f"BYDAY={','.join(byday)}"] if byday else [])
        + ([f"BYMONTHDAY={','.join(map(str, bymonthday))}"] if bymonthday else [])
        + ([f"BYMONTH={','.join(map(str, bymonth))}"] if bymonth else [])
        + ([f"BYSETPOS={setpos}"] if setpos and freq in ("MONTHLY", "YEARLY") and byday else [])
        + ([f"COUNT={count}"] if count else [])
    ),
    st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]),
    st.integers(1, 4),
    st.lists(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]), max_size=3, unique=True),
    st.lists(st.integers(1, 28), max_size=2, unique=True),
    st.lists(st.integers(1, 12), max_size=4, unique=True),
    st.sampled_from([None, 1, -1]),
    st.one_of(st.none(), st.integers(1, 30)),
)


@settings(max_examples=150, deadline=None)
@given(
    _DENSE_RULES,
    st.datetimes(wall(1970, 1, 1), wall(2099, 12, 31)).map(
        lambda d: d.replace(second=0, microsecond=0)
    ),
    st.integers(1, 1500),
)
@example("FREQ=YEARLY", wall(2096, 2, 29, 10, 0), 4000)  # 2100 is no leap year
@example("FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=29", wall(2098, 3, 1), 2200)
@example("FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,SU;WKST=SU", wall(2099, 12, 27, 9, 0), 30)
@example("FREQ=YEARLY;BYWEEKNO=53", wall(2015, 1, 1), 4000)  # a week 53 spans New Year
def test_the_bounded_walk_gives_dateutils_own_dates(
    rule: str, start: dt.datetime, days: int
) -> None:
    """The walk moves the rule to an identical calendar near year 9999 and back: the
    dates are dateutil's, Februaries 29th and the year 2100 (no leap year) included."""
    before = start + dt.timedelta(days=days)
    expected = []
    for found in rrulestr(rule, dtstart=start):
        if found >= before:
            break
        expected.append(found)
    assert list(walls(rule, start, dt.UTC, before=before)) == expected
